public import OtklikCore
public import Foundation
import GRDB

/// The personal-data audit (`contact_reads`) and the last use of each API key (`api_key_use`).
extension SpatiaLiteStore: AccessAudit {
    public func recordContactReads(_ reads: [ContactRead]) async throws {
        guard !reads.isEmpty else { return }
        try await write { db in
            let statement = try db.makeStatement(sql: "INSERT INTO contact_reads (at, key_name, incident_id, route) VALUES (?, ?, ?, ?)")
            for r in reads {
                try statement.execute(arguments: [Timestamp.format(r.at), r.keyName, r.incidentID, r.route])
            }
        }
    }

    public func contactReads(since: Date?, keyName: String?) async throws -> [ContactRead] {
        var sql = "SELECT at, key_name, incident_id, route FROM contact_reads WHERE at >= ?"
        var args: StatementArguments = [since.map(Timestamp.format) ?? ""]
        if let keyName {
            sql += " AND key_name = ?"
            args += [keyName]
        }
        sql += " ORDER BY at, id"
        return try await pool.read { [sql, args] db in
            try Row.fetchAll(db, sql: sql, arguments: args).map { r in
                ContactRead(at: try Timestamp.parse(r[0], field: "at"), keyName: r[1], incidentID: r[2], route: r[3])
            }
        }
    }

    public func recordKeyUse(name: String, at: Date) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO api_key_use (name, last_used_at) VALUES (?, ?)
                ON CONFLICT (name) DO UPDATE SET last_used_at = max(last_used_at, excluded.last_used_at)
                """, arguments: [name, Timestamp.format(at)])
        }
    }

    public func keyLastUse() async throws -> [String: Date] {
        try await pool.read { db in
            var out: [String: Date] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT name, last_used_at FROM api_key_use") {
                out[r[0]] = try Timestamp.parse(r[1], field: "last_used_at")
            }
            return out
        }
    }
}
