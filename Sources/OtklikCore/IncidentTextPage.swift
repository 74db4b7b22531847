/// A page of incidents as stored text, for outputs that copy the fields straight into a document (GeoJSON
/// feature pages). Every public text field of every row lies in one byte buffer, so a page of 10,000 rows is a
/// handful of allocations. Building an `Incident` per row (a dozen Strings, two parsed dates, then formatted
/// again for the output) cost more than the database read and the JSON writing together.
///
/// Never holds the reporter's contact. Timestamps are in the stored form, `2025-03-01T10:15:00Z`.
public struct IncidentTextPage: Sendable {
    public enum Field: Int, CaseIterable, Sendable {
        case source, externalID, category, status, reportedAt, resolvedAt, description, address, district, settlement, agency
    }

    public struct Row: Sendable, Equatable {
        public var id: Int64
        public var lon: Double
        public var lat: Double
        public var approximate: Bool

        public init(id: Int64, lon: Double, lat: Double, approximate: Bool) {
            self.id = id
            self.lon = lon
            self.lat = lat
            self.approximate = approximate
        }
    }

    public private(set) var rows: [Row] = []
    public private(set) var bytes: [UInt8] = []
    /// Per row and field: start and length in `bytes`; length -1 for NULL.
    private var spans: [Int32] = []

    public init(capacity: Int = 0) {
        rows.reserveCapacity(capacity)
        spans.reserveCapacity(capacity * Field.allCases.count * 2)
        bytes.reserveCapacity(capacity * 256)
    }

    public var count: Int { rows.count }

    /// Appends a row; `text(field)` gives each field's UTF-8 bytes, nil for NULL.
    public mutating func append(_ row: Row, text: (Field) -> UnsafeBufferPointer<UInt8>?) {
        rows.append(row)
        for f in Field.allCases { appendSpan(text(f)) }
    }

    /// Appends an incident (the portable path, for stores without a text read).
    public mutating func append(_ inc: Incident) {
        rows.append(Row(id: inc.id ?? 0, lon: inc.location.lon, lat: inc.location.lat, approximate: inc.approximateLocation))
        for f in Field.allCases {
            let value: String? = switch f {
            case .source: inc.source.rawValue
            case .externalID: inc.externalID
            case .category: inc.category
            case .status: inc.status.rawValue
            case .reportedAt: Timestamp.format(inc.reportedAt)
            case .resolvedAt: inc.resolvedAt.map(Timestamp.format)
            case .description: inc.description
            case .address: inc.address
            case .district: inc.district
            case .settlement: inc.settlement
            case .agency: inc.agency
            }
            if var v = value { v.withUTF8 { appendSpan($0) } } else { appendSpan(nil) }
        }
    }

    private mutating func appendSpan(_ text: UnsafeBufferPointer<UInt8>?) {
        spans.append(Int32(bytes.count))
        guard let text else { spans.append(-1); return }
        spans.append(Int32(text.count))
        bytes.append(contentsOf: text)
    }

    /// The bytes of `field` in row `i`, nil for NULL.
    public func range(_ i: Int, _ field: Field) -> Range<Int>? {
        let k = (i * Field.allCases.count + field.rawValue) * 2
        let length = Int(spans[k + 1])
        guard length >= 0 else { return nil }
        let start = Int(spans[k])
        return start..<(start + length)
    }

    /// The text of `field` in row `i` (for tests and the odd lookup; writers use `range`).
    public func string(_ i: Int, _ field: Field) -> String? {
        range(i, field).map { String(decoding: bytes[$0], as: UTF8.self) }
    }
}
