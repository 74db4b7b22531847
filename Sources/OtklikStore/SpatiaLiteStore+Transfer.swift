public import OtklikCore
import Foundation
import GRDB

/// Whole-database copies (`otklik migrate`): rows as stored, ids included. Geometries travel as well-known binary;
/// the incidents' point is made again from lon/lat, as every write here makes it.
extension SpatiaLiteStore: StoreTransfer {
    /// Geometry columns declared MULTIPOLYGON: a single polygon from the other side is cast, as `replaceAreas` does.
    private static let multiPolygonColumns: Set<String> = ["districts.geom", "settlements.area"]

    public func transferRows(_ table: TransferTable, after: TransferValue?, limit: Int) async throws -> [TransferRow] {
        let select = table.columns.map { $0.kind == .geometry ? "AsBinary(\($0.name))" : $0.name }.joined(separator: ", ")
        var sql = "SELECT \(select) FROM \(table.name)"
        var arguments = StatementArguments()
        if let after {
            sql += " WHERE \(table.key.name) > ?"
            arguments += [Self.databaseValue(after)]
        }
        sql += " ORDER BY \(table.key.name) LIMIT \(limit)"
        return try await pool.read { [sql, arguments] db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in try Self.transferRow(row, of: table) }
        }
    }

    public func transferCount(_ table: TransferTable) async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.name)") ?? 0 }
    }

    public func writeTransferRows(_ table: TransferTable, _ rows: [TransferRow]) async throws {
        guard !rows.isEmpty else { return }
        var names = table.columns.map(\.name)
        var values = table.columns.enumerated().map { i, c -> String in
            guard c.kind == .geometry else { return "?\(i + 1)" }
            let wkb = "GeomFromWKB(?\(i + 1), 4326)"
            return Self.multiPolygonColumns.contains("\(table.name).\(c.name)") ? "CastToMultiPolygon(\(wkb))" : wkb
        }
        if table.name == "incidents", let lon = names.firstIndex(of: "lon"), let lat = names.firstIndex(of: "lat") {
            names.append("geom")
            values.append("MakePoint(?\(lon + 1), ?\(lat + 1), 4326)")
        }
        let sql = "INSERT INTO \(table.name) (\(names.joined(separator: ", "))) VALUES (\(values.joined(separator: ", ")))"
        try await write { db in
            // A server on this file sees the copy as another process's commit.
            try self.noteCommit(db, changed: .everything)
            let statement = try db.makeStatement(sql: sql)
            let geometries = table.columns.indices.filter { table.columns[$0].kind == .geometry }
            for row in rows {
                try statement.execute(arguments: StatementArguments(row.map(Self.databaseValue)))
                // SpatiaLite stores NULL for a geometry it cannot read, or of the wrong type for its column.
                for i in geometries {
                    guard case .geometry = row[i] else { continue }
                    let name = table.columns[i].name
                    let stored = try Bool.fetchOne(db, sql: "SELECT \(name) IS NOT NULL FROM \(table.name) WHERE \(table.key.name) = ?",
                                                   arguments: [Self.databaseValue(row[0])]) ?? false
                    guard stored else {
                        throw StoreError(.spatialite, "\(table.name) \(row[0]): SpatiaLite rejected the geometry of \(name)")
                    }
                }
            }
        }
    }

    public func clearTransferTables() async throws {
        try await write { db in
            for t in TransferTable.all.reversed() { try db.execute(sql: "DELETE FROM \(t.name)") }
            try self.noteCommit(db, changed: .everything)
        }
        invalidateLocator()
    }

    public func finishTransfer() async throws {
        // An INTEGER PRIMARY KEY continues after the largest id by itself; only the area layers are read again.
        invalidateLocator()
    }

    private static func databaseValue(_ value: TransferValue) -> DatabaseValue {
        switch value {
        case .null: return .null
        case .integer(let v): return v.databaseValue
        case .real(let v): return v.databaseValue
        case .text(let s): return s.databaseValue
        case .time(let d): return Timestamp.format(d).databaseValue
        case .geometry(let bytes): return Data(bytes).databaseValue
        }
    }

    private static func transferRow(_ row: Row, of table: TransferTable) throws -> TransferRow {
        try table.columns.enumerated().map { i, column in
            let value: DatabaseValue = row[i]
            func unusable() -> StoreError {
                StoreError(.corrupt, "\(table.name) \(row[0] as DatabaseValue): \(column.name) holds \(value), which is not a \(column.kind)")
            }
            switch (value.storage, column.kind) {
            case (.null, _): return .null
            case (.int64(let v), .integer), (.int64(let v), .boolean): return .integer(v)
            case (.double(let v), .real): return .real(v)
            case (.int64(let v), .real): return .real(Double(v))
            case (.string(let s), .text): return .text(s)
            case (.string(let s), .time):
                do { return .time(try Timestamp.parse(s, field: column.name)) } catch { throw unusable() }
            case (.blob(let d), .geometry): return .geometry(Array(d))
            default: throw unusable()
            }
        }
    }
}
