public import OtklikCore
public import Foundation
import PostgresNIO

extension PostGISStore: AreaRepository {
    public func replaceAreas(_ areas: [Area], level: AreaLevel) async throws -> Int {
        try await transaction("replace \(level.rawValue) areas") { conn in
            switch level {
            case .district:
                try await conn.query("DELETE FROM districts", logger: self.logger)
                for a in areas {
                    var sql = SQL()
                    sql.text = """
                        INSERT INTO districts (name, kind, population, approximate, properties, geom)
                        VALUES (\(sql.bind(a.name)), \(sql.bind(a.kind)), \(sql.bind(a.population)), \(sql.bind(a.approximate)),
                          \(sql.bind(IncidentColumns.attributesJSON(a.properties))), ST_Multi(ST_GeomFromText(\(sql.bind(a.geometry.wkt)), 4326)))
                        """
                    try await conn.rows(sql, logger: self.logger)
                }
            case .settlement:
                try await conn.query("DELETE FROM settlements", logger: self.logger)
                for a in areas {
                    guard let anchor = a.anchor else { continue }
                    let polygon: String? = a.geometry.polygons.isEmpty ? nil : a.geometry.wkt
                    var sql = SQL()
                    sql.text = """
                        INSERT INTO settlements (name, district, kind, population, approximate, properties, geom, area)
                        VALUES (\(sql.bind(a.name)), \(sql.bind(a.parent)), \(sql.bind(a.kind)), \(sql.bind(a.population)),
                          \(sql.bind(a.approximate)), \(sql.bind(IncidentColumns.attributesJSON(a.properties))),
                          \(Placement.point(lon: sql.bind(anchor.lon), lat: sql.bind(anchor.lat))),
                          ST_Multi(ST_GeomFromText(\(sql.bind(polygon)), 4326)))
                        """
                    try await conn.rows(sql, logger: self.logger)
                }
            }
            // Every incident placed again, in one statement.
            var sql = SQL()
            let p = "i.geom", r = sql.bind(self.settlementRadius)
            sql.text = "UPDATE incidents i SET district = \(Placement.district(p)), settlement = \(Placement.settlement(p, radius: r))"
            try await conn.rows(sql, logger: self.logger)
            try await StoreChangeNote.everything.send(on: conn, from: self.origin, logger: self.logger)
            return areas.count
        }
    }

    public func areas(level: AreaLevel) async throws -> [Area] {
        let sql = SQL(level == .district
            ? "SELECT id, name, NULL::text, kind, population, approximate, properties, ST_AsGeoJSON(geom, 15), NULL::text FROM districts ORDER BY id"
            : "SELECT id, name, district, kind, population, approximate, properties, ST_AsGeoJSON(geom, 15), ST_AsGeoJSON(area, 15) FROM settlements ORDER BY id")
        return try await readRows(sql).map { row in
            let (id, name, parent, kind, population, approximate, properties, main, area) =
                try row.decode((Int64, String, String?, String?, Int64?, Bool, String?, String?, String?).self)
            func geometry(_ text: String?) throws -> Geometry? {
                guard let text else { return nil }
                return try Geometry.fromGeoJSON(try JSONSerialization.jsonObject(with: Data(text.utf8)))
            }
            let props = properties.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
            var shape = try geometry(main) ?? .polygon([])
            var point: GeoPoint?
            if level == .settlement {
                if case .point(let p) = shape { point = p }
                shape = try geometry(area) ?? shape
            }
            return Area(id: id, level: level, name: name, parent: parent, kind: kind, population: population.map { Int($0) },
                        geometry: shape, point: point, approximate: approximate, properties: props)
        }
    }
}

extension PostGISStore: AccessAudit {
    public func recordContactReads(_ reads: [ContactRead]) async throws {
        guard !reads.isEmpty else { return }
        var sql = SQL()
        sql.text = """
            INSERT INTO contact_reads (at, key_name, incident_id, route)
            SELECT * FROM unnest(\(sql.bind(reads.map { IncidentColumns.stamp($0.at) }))::timestamptz[], \(sql.bind(reads.map(\.keyName)))::text[],
              \(sql.bind(reads.map(\.incidentID)))::int8[], \(sql.bind(reads.map(\.route)))::text[])
            """
        try await rows(sql)
    }

    public func contactReads(since: Date?, keyName: String?) async throws -> [ContactRead] {
        var sql = SQL()
        var clauses = ["true"]
        if let since { clauses.append("at >= \(sql.bind(IncidentColumns.stamp(since)))") }
        if let keyName { clauses.append("key_name = \(sql.bind(keyName))") }
        sql.text = "SELECT at, key_name, incident_id, route FROM contact_reads WHERE \(clauses.joined(separator: " AND ")) ORDER BY at, id"
        return try await rows(sql).map { row in
            let (at, key, incident, route) = try row.decode((Date, String, Int64, String).self)
            return ContactRead(at: at, keyName: key, incidentID: incident, route: route)
        }
    }

    public func recordKeyUse(name: String, at: Date) async throws {
        var sql = SQL()
        sql.text = """
            INSERT INTO api_key_use (name, last_used_at) VALUES (\(sql.bind(name)), \(sql.bind(IncidentColumns.stamp(at))))
            ON CONFLICT (name) DO UPDATE SET last_used_at = greatest(api_key_use.last_used_at, excluded.last_used_at)
            """
        try await rows(sql)
    }

    public func keyLastUse() async throws -> [String: Date] {
        var out: [String: Date] = [:]
        for row in try await rows(SQL("SELECT name, last_used_at FROM api_key_use")) {
            let (name, at) = try row.decode((String, Date).self)
            out[name] = at
        }
        return out
    }
}
