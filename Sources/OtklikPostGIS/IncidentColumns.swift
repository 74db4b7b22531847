import OtklikCore
import Foundation
import PostgresNIO

/// The incident columns every read selects, and their decoding.
enum IncidentColumns {
    static let all = """
        i.id, i.source, i.external_id, i.category, i.description, i.address, i.lon, i.lat, i.reported_at, \
        i.status, i.resolved_at, i.updated_at, i.district, i.settlement, i.agency, i.approximate, i.attributes
        """

    static func decode(_ row: PostgresRow) throws -> Incident {
        let r = row.makeRandomAccess()
        var attributes: [String: String] = [:]
        if let json = try r[16].decode(String?.self), let data = json.data(using: .utf8),
           let object = try? JSONDecoder().decode([String: String].self, from: data) {
            attributes = object
        }
        return Incident(
            id: try r[0].decode(Int64.self), source: IncidentSource(rawValue: try r[1].decode(String.self)) ?? .import,
            externalID: try r[2].decode(String.self), category: try r[3].decode(String.self),
            description: try r[4].decode(String.self), address: try r[5].decode(String.self),
            location: GeoPoint(lon: try r[6].decode(Double.self), lat: try r[7].decode(Double.self)),
            reportedAt: try r[8].decode(Date.self), status: IncidentStatus(rawValue: try r[9].decode(String.self)) ?? .new,
            resolvedAt: try r[10].decode(Date?.self), district: try r[12].decode(String?.self),
            settlement: try r[13].decode(String?.self), agency: try r[14].decode(String.self),
            approximateLocation: try r[15].decode(Bool.self), attributes: attributes, updatedAt: try r[11].decode(Date?.self))
    }

    /// What the hotspot engine reads (see `IncidentRepository.scanForAnalysis`).
    static let lean = "i.id, i.category, i.lon, i.lat, i.reported_at, i.status, i.resolved_at, i.district, i.settlement, i.agency"

    static func decodeLean(_ row: PostgresRow) throws -> Incident {
        let r = row.makeRandomAccess()
        return Incident(id: try r[0].decode(Int64.self), source: .import, externalID: "", category: try r[1].decode(String.self),
                        location: GeoPoint(lon: try r[2].decode(Double.self), lat: try r[3].decode(Double.self)),
                        reportedAt: try r[4].decode(Date.self),
                        status: IncidentStatus(rawValue: try r[5].decode(String.self)) ?? .new,
                        resolvedAt: try r[6].decode(Date?.self), district: try r[7].decode(String?.self),
                        settlement: try r[8].decode(String?.self), agency: try r[9].decode(String.self))
    }

    /// Attributes as stored: JSON with sorted keys, or NULL when there are none.
    static func attributesJSON(_ a: [String: String]) -> String? {
        guard !a.isEmpty else { return nil }
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? e.encode(a)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Whole seconds, as the SpatiaLite store keeps its times: both backends give back the same instants.
    static func stamp(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }
}

/// The district and settlement of a point, in SQL: the district whose polygon covers it (the first by id on an
/// overlap), the settlement whose polygon covers it, else the nearest settlement point within the radius (KNN candidates on
/// geography, then metres on the WGS84 ellipsoid; the first by id on a tie). The same rules as Core's `AreaLocator`.
enum Placement {
    static func district(_ point: String) -> String {
        "(SELECT pd.name FROM districts pd WHERE ST_Covers(pd.geom, \(point)) ORDER BY pd.id LIMIT 1)"
    }

    static func settlement(_ point: String, radius: String) -> String {
        let g = "(\(point))::geography"
        return """
            coalesce((SELECT ps.name FROM settlements ps WHERE ps.area IS NOT NULL AND ST_Covers(ps.area, \(point)) ORDER BY ps.id LIMIT 1),
              (SELECT k.name FROM (SELECT ps.id, ps.name, ps.geog FROM settlements ps ORDER BY ps.geog <-> \(g) LIMIT \(knnCandidates)) k
               WHERE ST_DWithin(k.geog, \(g), \(radius), true) ORDER BY ST_Distance(k.geog, \(g), true), k.id LIMIT 1))
            """
    }

    /// KNN orders by distance on a sphere; the nearest on the ellipsoid (the metric of the SpatiaLite store and of
    /// the radius) is among these few nearest on the sphere, whose distances differ by less than 0.6 %.
    static let knnCandidates = 8

    static func point(lon: String, lat: String) -> String { "ST_SetSRID(ST_MakePoint(\(lon), \(lat)), 4326)" }
}

/// Turns an `IncidentQuery` into a WHERE clause with bound values.
enum Filter {
    static func whereSQL(_ q: IncidentQuery, paging: Bool, into sql: inout SQL) -> String {
        var clauses: [String] = []
        if let b = q.bbox {
            let box = "ST_MakeEnvelope(\(sql.bind(b.minLon)), \(sql.bind(b.minLat)), \(sql.bind(b.maxLon)), \(sql.bind(b.maxLat)), 4326)"
            // The index finds candidates; the stored numbers decide, as in the SpatiaLite store.
            clauses.append("i.geom && \(box)")
            clauses.append("i.lon BETWEEN \(sql.bind(b.minLon)) AND \(sql.bind(b.maxLon)) AND i.lat BETWEEN \(sql.bind(b.minLat)) AND \(sql.bind(b.maxLat))")
        }
        if let s = q.window.start { clauses.append("i.reported_at >= \(sql.bind(IncidentColumns.stamp(s)))") }
        if let e = q.window.end { clauses.append("i.reported_at <= \(sql.bind(IncidentColumns.stamp(e)))") }
        if !q.categories.isEmpty { clauses.append("i.category = ANY(\(sql.bind(q.categories)))") }
        if !q.statuses.isEmpty { clauses.append("i.status = ANY(\(sql.bind(q.statuses.map(\.rawValue))))") }
        if let d = q.district { clauses.append("i.district = \(sql.bind(d))") }
        if let s = q.settlement { clauses.append("i.settlement = \(sql.bind(s))") }
        if let ids = q.ids { clauses.append(ids.isEmpty ? "false" : "i.id = ANY(\(sql.bind(ids)))") }
        if paging, let after = q.afterID { clauses.append("i.id > \(sql.bind(after))") }
        return clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
    }
}
