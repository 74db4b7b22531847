public import OtklikCore
import Foundation
import GRDB

extension SpatiaLiteStore {
    public func replaceAreas(_ areas: [Area], level: AreaLevel) async throws -> Int {
        let n = try await write { db in
            switch level {
            case .district:
                try db.execute(sql: "DELETE FROM districts")
                let st = try db.makeStatement(sql: """
                    INSERT INTO districts (name, kind, population, approximate, properties, geom)
                    VALUES (?, ?, ?, ?, ?, CastToMultiPolygon(GeomFromText(?, 4326)))
                    """)
                for a in areas {
                    try st.execute(arguments: [a.name, a.kind, a.population, a.approximate,
                                               IncidentRow.attributesJSON(a.properties), a.geometry.wkt])
                }
            case .settlement:
                try db.execute(sql: "DELETE FROM settlements")
                let st = try db.makeStatement(sql: """
                    INSERT INTO settlements (name, district, kind, population, approximate, properties, geom, area)
                    VALUES (?, ?, ?, ?, ?, ?, MakePoint(?, ?, 4326), CastToMultiPolygon(GeomFromText(?, 4326)))
                    """)
                for a in areas {
                    guard let anchor = a.anchor else { continue }
                    let polygon: String? = a.geometry.polygons.isEmpty ? nil : a.geometry.wkt
                    try st.execute(arguments: [a.name, a.parent, a.kind, a.population, a.approximate,
                                               IncidentRow.attributesJSON(a.properties), anchor.lon, anchor.lat, polygon])
                }
            }
            let bad = try Int.fetchOne(db, sql: level == .district
                ? "SELECT count(*) FROM districts WHERE geom IS NULL"
                : "SELECT count(*) FROM settlements WHERE geom IS NULL") ?? 0
            guard bad == 0 else { throw StoreError(.spatialite, "\(bad) \(level.rawValue) geometries were rejected by SpatiaLite") }
            try self.noteCommit(db, changed: .everything)
            return areas.count
        }
        invalidateLocator()
        try await reassignAreas()
        return n
    }

    public func areas(level: AreaLevel) async throws -> [Area] {
        try await pool.read { db in try Self.readAreas(db, level: level) }
    }

    static func readAreas(_ db: Database, level: AreaLevel) throws -> [Area] {
        let sql = level == .district
            ? "SELECT id, name, NULL, kind, population, approximate, properties, AsGeoJSON(geom), NULL FROM districts ORDER BY id"
            : "SELECT id, name, district, kind, population, approximate, properties, AsGeoJSON(geom), AsGeoJSON(area) FROM settlements ORDER BY id"
        return try Row.fetchAll(db, sql: sql).map { r in
            func geometry(_ text: String?) throws -> Geometry? {
                guard let text, let data = text.data(using: .utf8) else { return nil }
                return try Geometry.fromGeoJSON(try JSONSerialization.jsonObject(with: data))
            }
            var props: [String: String] = [:]
            if let json: String = r[6], let d = json.data(using: .utf8) { props = (try? JSONDecoder().decode([String: String].self, from: d)) ?? [:] }
            let main = try geometry(r[7])
            var point: GeoPoint?
            var geom = main ?? .polygon([])
            if level == .settlement {
                if case .point(let p)? = main { point = p }
                if let poly = try geometry(r[8]) { geom = poly }
            }
            return Area(id: r[0], level: level, name: r[1], parent: r[2], kind: r[3], population: r[4], geometry: geom,
                        point: point, approximate: r[5], properties: props)
        }
    }

    /// Re-derives district and settlement of every incident from the current area layers.
    func reassignAreas() async throws {
        let loc = try await locator()
        try await write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT id, lon, lat FROM incidents")
            let up = try db.makeStatement(sql: "UPDATE incidents SET district = ?, settlement = ? WHERE id = ?")
            for r in rows {
                let a = loc.assign(GeoPoint(lon: r[1], lat: r[2]), measuringDistance: false)
                try up.execute(arguments: [a.district, a.settlement, r[0] as Int64])
            }
            try self.noteCommit(db, changed: .everything)
        }
    }
}

