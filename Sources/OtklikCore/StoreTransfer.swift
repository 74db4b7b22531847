public import struct Foundation.Date

/// One value of a row being copied between stores, in the few kinds both backends hold.
public enum TransferValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case time(Date)
    /// Well-known binary, as the database gives it (either byte order; SpatiaLite's or PostGIS's).
    case geometry([UInt8])
}

/// A row: its values in the order of its table's columns.
public typealias TransferRow = [TransferValue]

/// A column of a copied table, with the kind of value each backend reads and writes for it.
public struct TransferColumn: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// Integers; also counts and ids.
        case integer
        /// 0 or 1 (SQLite's INTEGER, PostgreSQL's boolean).
        case boolean
        case real
        case text
        /// An instant (SQLite's ISO 8601 text, PostgreSQL's timestamptz).
        case time
        /// A geometry in EPSG:4326.
        case geometry
    }

    public let name: String
    public let kind: Kind

    public init(_ name: String, _ kind: Kind) {
        self.name = name
        self.kind = kind
    }
}

/// A table that `otklik migrate` copies: the same name and columns in both backends; the first column is the key
/// its rows are read in order of. Columns that a backend derives from others (the incidents' point geometry, the
/// settlements' geography) are not copied: each target derives them again.
public struct TransferTable: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let columns: [TransferColumn]
    /// Whether the table has a generated integer id whose sequence must continue after the copied ids.
    public let hasIdentity: Bool

    public var key: TransferColumn { columns[0] }
    public var description: String { name }

    init(_ name: String, identity: Bool, _ columns: [TransferColumn]) {
        self.name = name
        self.hasIdentity = identity
        self.columns = columns
    }

    /// Every table that holds data, in an order in which each row's references are written before it.
    public static let all: [TransferTable] = [
        TransferTable("districts", identity: true, [
            .init("id", .integer), .init("name", .text), .init("kind", .text), .init("population", .integer),
            .init("approximate", .boolean), .init("properties", .text), .init("geom", .geometry),
        ]),
        TransferTable("settlements", identity: true, [
            .init("id", .integer), .init("name", .text), .init("district", .text), .init("kind", .text),
            .init("population", .integer), .init("approximate", .boolean), .init("properties", .text),
            .init("geom", .geometry), .init("area", .geometry),
        ]),
        TransferTable("incidents", identity: true, [
            .init("id", .integer), .init("source", .text), .init("external_id", .text), .init("category", .text),
            .init("description", .text), .init("address", .text), .init("lon", .real), .init("lat", .real),
            .init("reported_at", .time), .init("status", .text), .init("resolved_at", .time), .init("updated_at", .time),
            .init("district", .text), .init("settlement", .text), .init("agency", .text), .init("approximate", .boolean),
            .init("attributes", .text),
        ]),
        // Personal data, apart from the incidents in both schemas.
        TransferTable("reporters", identity: false, [
            .init("incident_id", .integer), .init("name", .text), .init("phone", .text), .init("email", .text),
        ]),
        TransferTable("incident_events", identity: true, [
            .init("id", .integer), .init("incident_id", .integer), .init("from_status", .text), .init("to_status", .text),
            .init("at", .time), .init("actor", .text), .init("note", .text), .init("visibility", .text),
        ]),
        TransferTable("contact_reads", identity: true, [
            .init("id", .integer), .init("at", .time), .init("key_name", .text), .init("incident_id", .integer),
            .init("route", .text),
        ]),
        TransferTable("api_key_use", identity: false, [.init("name", .text), .init("last_used_at", .time)]),
    ]
}

/// Copying a whole database between backends (`otklik migrate`): every row of every `TransferTable`, as stored,
/// ids included, read and written in chunks.
public protocol StoreTransfer: Sendable {
    /// Up to `limit` rows whose key is greater than `after` (all from the first when nil), in key order. Text keys
    /// are ordered by their UTF-8 bytes in both backends.
    func transferRows(_ table: TransferTable, after: TransferValue?, limit: Int) async throws -> [TransferRow]
    func transferCount(_ table: TransferTable) async throws -> Int
    /// Writes rows exactly as given, ids included, in one transaction.
    func writeTransferRows(_ table: TransferTable, _ rows: [TransferRow]) async throws
    /// Deletes every row of every table (a target replaced with `--force`).
    func clearTransferTables() async throws
    /// After the last write: ids given from now on continue after the copied ones, and whatever the store or other
    /// servers on the same database keep in memory is read again.
    func finishTransfer() async throws
}

extension StoreTransfer {
    /// The tables that hold rows, with their counts; empty for an empty database.
    public func nonEmptyTables() async throws -> [(table: TransferTable, rows: Int)] {
        var out: [(TransferTable, Int)] = []
        for t in TransferTable.all {
            let n = try await transferCount(t)
            if n > 0 { out.append((t, n)) }
        }
        return out
    }
}

extension TransferValue: CustomStringConvertible {
    /// The value as a message names it: `17`, `'Сосновка'`, `NULL`.
    public var description: String {
        switch self {
        case .null: return "NULL"
        case .integer(let v): return String(v)
        case .real(let v): return String(v)
        case .text(let s): return "'\(s)'"
        case .time(let d): return Timestamp.format(d)
        case .geometry(let b): return "a geometry of \(b.count) bytes"
        }
    }
}
