/// A feature property value as MVT 2.1 types it.
public enum MVTValue: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)

    public var description: String {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return String(b)
        }
    }
}

/// One key/value pair of a feature. Properties are an ordered list so that equal input gives equal bytes (and ETags).
public struct MVTProperty: Sendable, Hashable {
    public var key: String
    public var value: MVTValue

    public init(_ key: String, _ value: MVTValue) {
        self.key = key
        self.value = value
    }

    public init(_ key: String, _ value: String) { self.init(key, .string(value)) }
    public init(_ key: String, _ value: Int) { self.init(key, .int(Int64(value))) }
    public init(_ key: String, _ value: Double) { self.init(key, .double(value)) }
    public init(_ key: String, _ value: Bool) { self.init(key, .bool(value)) }
}
