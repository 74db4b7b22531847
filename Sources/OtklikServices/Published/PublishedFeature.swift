public import struct Foundation.Date
public import OtklikCore

/// A property value as every published format can hold it. The writers decide what a format cannot carry:
/// vector tiles have no null and no lists, CSV has no nested records.
public enum PublishedValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    /// Scalars only (member ids, counts per slice).
    case list([PublishedValue])
    /// Nested objects (episodes, repeat-after-fix complaints): JSON formats only.
    case records([[PublishedProperty]])
}

public struct PublishedProperty: Sendable, Hashable {
    public var name: String
    public var value: PublishedValue

    public init(_ name: String, _ value: PublishedValue) {
        self.name = name
        self.value = value
    }
}

/// One named property of a published thing and how to read it. The kind is known without a value, so a CSV
/// header or a tile schema can be written for an empty list.
public struct PublishedField<Subject>: Sendable {
    public enum Kind: Sendable, Hashable { case int, double, string, bool, list, records }

    public let name: String
    public let kind: Kind
    /// Whether the value can be null (documented in the OpenAPI schema).
    public let nullable: Bool
    let read: @Sendable (Subject) -> PublishedValue

    init(name: String, kind: Kind, nullable: Bool = false, read: @escaping @Sendable (Subject) -> PublishedValue) {
        self.name = name
        self.kind = kind
        self.nullable = nullable
        self.read = read
    }

    public func value(of subject: Subject) -> PublishedValue { read(subject) }

    /// Scalars go into every format; lists into JSON and CSV; records into JSON only.
    public var isScalar: Bool { kind != .list && kind != .records }

    public static func int(_ name: String, _ read: @escaping @Sendable (Subject) -> Int) -> Self {
        Self(name: name, kind: .int, read: { .int(Int64(read($0))) })
    }
    public static func optionalInt(_ name: String, _ read: @escaping @Sendable (Subject) -> Int?) -> Self {
        Self(name: name, kind: .int, nullable: true, read: { read($0).map { .int(Int64($0)) } ?? .null })
    }
    /// Rounded to `digits` decimals here, once, so that every format prints the same number.
    public static func double(_ name: String, digits: Int? = 4, _ read: @escaping @Sendable (Subject) -> Double) -> Self {
        Self(name: name, kind: .double, nullable: true, read: { PublishedValue.number(read($0), digits: digits) })
    }
    public static func optionalDouble(_ name: String, digits: Int? = 4, _ read: @escaping @Sendable (Subject) -> Double?) -> Self {
        Self(name: name, kind: .double, nullable: true, read: { read($0).map { PublishedValue.number($0, digits: digits) } ?? .null })
    }
    public static func string(_ name: String, _ read: @escaping @Sendable (Subject) -> String) -> Self {
        Self(name: name, kind: .string, read: { .string(read($0)) })
    }
    public static func optionalString(_ name: String, _ read: @escaping @Sendable (Subject) -> String?) -> Self {
        Self(name: name, kind: .string, nullable: true, read: { read($0).map(PublishedValue.string) ?? .null })
    }
    /// An instant as ISO 8601 UTC text.
    public static func instant(_ name: String, _ read: @escaping @Sendable (Subject) -> Date) -> Self {
        Self(name: name, kind: .string, read: { .string(Timestamp.format(read($0))) })
    }
    public static func bool(_ name: String, _ read: @escaping @Sendable (Subject) -> Bool) -> Self {
        Self(name: name, kind: .bool, read: { .bool(read($0)) })
    }
    public static func list(_ name: String, _ read: @escaping @Sendable (Subject) -> [PublishedValue]) -> Self {
        Self(name: name, kind: .list, read: { .list(read($0)) })
    }
    public static func records(_ name: String, _ read: @escaping @Sendable (Subject) -> [[PublishedProperty]]) -> Self {
        Self(name: name, kind: .records, read: { .records(read($0)) })
    }
}

extension PublishedValue {
    /// A finite double rounded to `digits` decimals (integral values stay doubles; formats print them without
    /// a fraction); NaN and infinities become null, which JSON cannot hold either.
    public static func number(_ v: Double, digits: Int?) -> PublishedValue {
        guard v.isFinite else { return .null }
        guard let digits else { return .double(v) }
        var m = 1.0
        for _ in 0..<digits { m *= 10 }
        return .double((v * m).rounded() / m)
    }

    /// The value as text, numbers exactly as the JSON writer prints them; lists space-separated; null empty.
    public var text: String {
        switch self {
        case .null: return ""
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d):
            var w = JSONWriter(capacity: 24)
            w.number(d)
            return String(decoding: w.bytes, as: UTF8.self)
        case .string(let s): return s
        case .list(let items): return items.map(\.text).joined(separator: " ")
        case .records: return ""
        }
    }
}

/// One thing the service publishes (a hotspot, a district, a Gi* cell): one ordered property vocabulary,
/// defined once in `fields`, which every writer (GeoJSON, JSON, CSV, HTML, vector tiles) walks, so that a
/// name or a value cannot differ between formats. Adding a property is one line in `fields`.
public protocol PublishedFeature: Sendable {
    static var fields: [PublishedField<Self>] { get }
    /// Stable text id: the GeoJSON/OGC feature id.
    var id: String { get }
    /// Stable non-negative number for vector tile feature ids (MVT ids are integers).
    var numericID: UInt64 { get }
    var geometry: Geometry { get }
    /// Whether GeoJSON writes `id` as a number (areas, whose id is their row id).
    static var numericGeoJSONID: Bool { get }
}

extension PublishedFeature {
    public static var numericGeoJSONID: Bool { false }

    public var properties: [PublishedProperty] {
        Self.fields.map { PublishedProperty($0.name, $0.read(self)) }
    }

    public static var propertyNames: [String] { fields.map(\.name) }

    /// One property by name (for tests and for columns picked by name); nil when the vocabulary has no such name.
    public func value(_ name: String) -> PublishedValue? {
        Self.fields.first { $0.name == name }.map { $0.read(self) }
    }
}
