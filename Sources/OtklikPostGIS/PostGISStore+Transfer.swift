public import OtklikCore
public import Logging
import Foundation
import PostgresNIO

/// Whole-database copies (`otklik migrate`): rows as stored, ids included, written with `COPY … FROM STDIN`.
/// Geometries travel as well-known binary; the incidents' point and the settlements' geography are generated
/// columns and follow from the copied values.
extension PostGISStore: StoreTransfer {
    public func transferRows(_ table: TransferTable, after: TransferValue?, limit: Int) async throws -> [TransferRow] {
        var sql = SQL()
        let select = table.columns.map { $0.kind == .geometry ? "ST_AsBinary(\($0.name))" : $0.name }.joined(separator: ", ")
        // Text keys in byte order, as SQLite orders them, whatever the database's collation.
        let key = table.key.kind == .text ? "\(table.key.name) COLLATE \"C\"" : table.key.name
        var condition = ""
        switch after {
        case nil, .null?: break
        case .integer(let v)?: condition = " WHERE \(key) > \(sql.bind(v))"
        case .text(let s)?: condition = " WHERE \(key) > \(sql.bind(s))"
        case let other?: throw PostGISError(.query, "\(table.name): \(other) cannot be a key")
        }
        sql.text = "SELECT \(select) FROM \(table.name)\(condition) ORDER BY \(key) LIMIT \(sql.bind(limit))"
        return try await rows(sql).map { row in
            let r = row.makeRandomAccess()
            return try table.columns.indices.map { i -> TransferValue in
                let cell = r[i]
                switch table.columns[i].kind {
                case .integer: return try cell.decode(Int64?.self).map(TransferValue.integer) ?? .null
                case .boolean: return try cell.decode(Bool?.self).map { .integer($0 ? 1 : 0) } ?? .null
                case .real: return try cell.decode(Double?.self).map(TransferValue.real) ?? .null
                case .text: return try cell.decode(String?.self).map(TransferValue.text) ?? .null
                case .time: return try cell.decode(Date?.self).map(TransferValue.time) ?? .null
                case .geometry: return try cell.decode(Data?.self).map { .geometry(Array($0)) } ?? .null
                }
            }
        }
    }

    public func transferCount(_ table: TransferTable) async throws -> Int {
        try await rows(SQL("SELECT count(*) FROM \(table.name)")).first.map { try $0.decode(Int.self) } ?? 0
    }

    public func writeTransferRows(_ table: TransferTable, _ rows: [TransferRow]) async throws {
        guard !rows.isEmpty else { return }
        var text = CopyText(capacity: rows.count * 64 * table.columns.count)
        for row in rows {
            for (i, column) in table.columns.enumerated() {
                text.field(try Self.copyField(row[i], column, table), last: i == table.columns.count - 1)
            }
        }
        let bytes = text.bytes
        try await transaction("copy \(table.name)") { conn in
            try await conn.copyFrom(table: table.name, columns: table.columns.map(\.name), logger: self.logger) { writer in
                var buffer = ByteBuffer()
                buffer.writeBytes(bytes)
                try await writer.write(buffer)
            }
        }
    }

    public func clearTransferTables() async throws {
        let names = TransferTable.all.map(\.name).joined(separator: ", ")
        try await transaction("empty the database") { conn in
            try await conn.query(PostgresQuery(unsafeSQL: "TRUNCATE \(names) RESTART IDENTITY"), logger: self.logger)
            try await StoreChangeNote.everything.send(on: conn, from: self.origin, logger: self.logger)
        }
    }

    public func finishTransfer() async throws {
        try await transaction("finish the copy") { conn in
            for t in TransferTable.all where t.hasIdentity {
                let id = t.key.name
                try await conn.query(PostgresQuery(unsafeSQL: """
                    SELECT setval(pg_get_serial_sequence('\(t.name)', '\(id)'), coalesce((SELECT max(\(id)) FROM \(t.name)), 0) + 1, false)
                    """), logger: self.logger)
            }
            // Servers on this database read everything again.
            try await StoreChangeNote.everything.send(on: conn, from: self.origin, logger: self.logger)
        }
        // Plans for the copied tables from their real sizes rather than from an empty table's.
        for t in TransferTable.all { _ = try await rows(SQL("ANALYZE \(t.name)")) }
        try await refreshSize()
    }

    /// A value as `COPY` text reads it into the column.
    private static func copyField(_ value: TransferValue, _ column: TransferColumn, _ table: TransferTable) throws -> String? {
        switch (value, column.kind) {
        case (.null, _): return nil
        case (.integer(let v), .boolean): return v == 0 ? "f" : "t"
        case (.integer(let v), .integer): return String(v)
        case (.real(let v), .real): return String(v)
        case (.integer(let v), .real): return String(v)
        case (.text(let s), .text): return s
        case (.time(let d), .time): return timestampText(d)
        case (.geometry(let wkb), .geometry): return try ewkbHex(wkb)
        default: throw PostGISError(.load, "\(table.name).\(column.name): \(value) is not a \(column.kind)")
        }
    }

    /// ISO 8601 in UTC with microseconds when there are any.
    static func timestampText(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        let micros = Int(((date.timeIntervalSince1970 - seconds) * 1_000_000).rounded())
        let whole = Timestamp.format(Date(timeIntervalSince1970: seconds))
        guard micros > 0 else { return whole }
        let fraction = String(micros + 1_000_000).dropFirst()
        return whole.dropLast() + "." + fraction + "Z"
    }

    /// Well-known binary with SRID 4326 added (PostGIS's extended form), in hexadecimal as geometry input reads it.
    static func ewkbHex(_ wkb: [UInt8]) throws -> String {
        guard wkb.count >= 5, wkb[0] <= 1 else { throw PostGISError(.load, "a geometry is not well-known binary") }
        let little = wkb[0] == 1
        func uint32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
            bytes.enumerated().reduce(0) { v, e in v | UInt32(e.element) << (8 * UInt32(little ? e.offset : 3 - e.offset)) }
        }
        func bytes(_ v: UInt32) -> [UInt8] {
            (0..<4).map { i in UInt8(truncatingIfNeeded: v >> (8 * UInt32(little ? i : 3 - i))) }
        }
        var type = uint32(wkb[1..<5])
        var out = [wkb[0]]
        if type & 0x2000_0000 != 0 {
            out += wkb[1...]
        } else {
            type |= 0x2000_0000
            out += bytes(type) + bytes(4326) + wkb[5...]
        }
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(out.count * 2)
        for b in out {
            hex.append(digits[Int(b >> 4)])
            hex.append(digits[Int(b & 0xF)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}

extension PostGISStore {
    /// Connects once and disconnects: a command that is about to copy a database fails at once, in one line, when
    /// the server is not there, instead of waiting for the pool's retries.
    public static func checkReachable(_ location: PostGISLocation, logger: Logger) async throws {
        let config = PostgresConnection.Configuration(host: location.host, port: location.port, username: location.user,
                                                      password: location.password, database: location.database, tls: .disable)
        do {
            let connection = try await PostgresConnection.connect(configuration: config, id: 0, logger: logger)
            try? await connection.close()
        } catch let e as PSQLError {
            let reason = e.serverInfo?[.message] ?? e.underlying.map { "\($0)" } ?? "\(e.code)"
            throw PostGISError(.connect, "cannot connect to \(location): \(reason)")
        }
    }
}
