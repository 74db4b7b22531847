/// A feature property value as MVT 2.1 types it.
public enum MVTValue: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)

    // The encoder keeps one table entry per distinct value, looked up once per property of every feature.
    // Strings are compared and hashed as their UTF-8 bytes (see `UTF8Key`).
    public static func == (a: MVTValue, b: MVTValue) -> Bool {
        switch (a, b) {
        case let (.string(x), .string(y)): return UTF8Key(x) == UTF8Key(y)
        case let (.int(x), .int(y)): return x == y
        case let (.double(x), .double(y)): return x.bitPattern == y.bitPattern
        case let (.bool(x), .bool(y)): return x == y
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .string(let s):
            hasher.combine(0 as UInt8)
            UTF8Key(s).hash(into: &hasher)
        case .int(let i):
            hasher.combine(1 as UInt8)
            hasher.combine(i)
        case .double(let d):
            hasher.combine(2 as UInt8)
            hasher.combine(d.bitPattern)
        case .bool(let b):
            hasher.combine(3 as UInt8)
            hasher.combine(b)
        }
    }

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
