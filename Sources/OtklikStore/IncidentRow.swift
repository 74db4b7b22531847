import OtklikCore
import Foundation
import GRDB

/// Column list and row decoding shared by every incident read.
enum IncidentRow {
    static let columns = """
        i.id, i.source, i.external_id, i.category, i.description, i.address, i.lon, i.lat, i.reported_at, \
        i.status, i.resolved_at, i.updated_at, i.district, i.settlement, i.agency, i.approximate, i.attributes
        """

    /// A stored timestamp; one that does not parse means the file was written by something else.
    static func storedDate(_ text: String?, _ field: String, _ row: Row) throws -> Date? {
        guard let text else { return nil }
        do { return try Timestamp.parse(text, field: field) } catch {
            throw StoreError(.corrupt, "incident \(row[0] as Int64? ?? -1): stored \(error)")
        }
    }

    static func decode(_ row: Row) throws -> Incident {
        func date(_ text: String?, _ field: String) throws -> Date? { try storedDate(text, field, row) }
        var attributes: [String: String] = [:]
        if let json: String = row[16], let data = json.data(using: .utf8),
           let obj = try? JSONDecoder().decode([String: String].self, from: data) {
            attributes = obj
        }
        return Incident(
            id: row[0], source: IncidentSource(rawValue: row[1]) ?? .import, externalID: row[2], category: row[3],
            description: row[4], address: row[5], location: GeoPoint(lon: row[6], lat: row[7]),
            reportedAt: try date(row[8], "reported_at")!, status: IncidentStatus(rawValue: row[9]) ?? .new,
            resolvedAt: try date(row[10], "resolved_at"), district: row[12], settlement: row[13], agency: row[14],
            approximateLocation: row[15], attributes: attributes, updatedAt: try date(row[11], "updated_at"))
    }

    /// The columns of `IncidentTextPage`: id, lon, lat, approximate, then its fields in `Field` order.
    static let textColumns = """
        i.id, i.lon, i.lat, i.approximate, i.source, i.external_id, i.category, i.status, i.reported_at, i.resolved_at, \
        i.description, i.address, i.district, i.settlement, i.agency
        """

    static let leanColumns = "i.id, i.category, i.lon, i.lat, i.reported_at, i.status, i.resolved_at, i.district, i.settlement, i.agency"

    static func decodeLean(_ row: Row) throws -> Incident {
        func date(_ text: String?, _ field: String) throws -> Date? { try storedDate(text, field, row) }
        return Incident(id: row[0], source: .import, externalID: "", category: row[1], location: GeoPoint(lon: row[2], lat: row[3]),
                        reportedAt: try date(row[4], "reported_at")!, status: IncidentStatus(rawValue: row[5]) ?? .new,
                        resolvedAt: try date(row[6], "resolved_at"), district: row[7], settlement: row[8], agency: row[9])
    }

    static func attributesJSON(_ a: [String: String]) -> String? {
        guard !a.isEmpty, let data = try? JSONEncoder.sorted.encode(a) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}

/// Turns an `IncidentQuery` into a WHERE clause with bound arguments. Values are never spliced into SQL.
struct QueryBuilder {
    var clauses: [String] = []
    var arguments: [(any DatabaseValueConvertible)?] = []

    /// `useRTree: false` tests the box on the REAL columns only, which is cheaper when the box holds a large
    /// share of the table (the R*Tree would hand back tens of thousands of ids to intersect).
    init(_ q: IncidentQuery, includePaging: Bool, useRTree: Bool = true) {
        if let b = q.bbox, !useRTree {
            clauses.append("i.lon BETWEEN ? AND ? AND i.lat BETWEEN ? AND ?")
            arguments += [b.minLon, b.maxLon, b.minLat, b.maxLat]
        } else if let b = q.bbox {
            // R*Tree candidates (float32 bounds, rounded outward), then the exact test on the REAL columns.
            clauses.append("""
                i.id IN (SELECT pkid FROM idx_incidents_geom WHERE xmin <= ? AND xmax >= ? AND ymin <= ? AND ymax >= ?)
                """)
            arguments += [b.maxLon, b.minLon, b.maxLat, b.minLat]
            clauses.append("i.lon BETWEEN ? AND ? AND i.lat BETWEEN ? AND ?")
            arguments += [b.minLon, b.maxLon, b.minLat, b.maxLat]
        }
        if let s = q.window.start {
            clauses.append("i.reported_at >= ?")
            arguments.append(Timestamp.format(s))
        }
        if let e = q.window.end {
            clauses.append("i.reported_at <= ?")
            arguments.append(Timestamp.format(e))
        }
        if !q.categories.isEmpty {
            clauses.append("i.category IN (\(Array(repeating: "?", count: q.categories.count).joined(separator: ",")))")
            arguments += q.categories.map { $0 }
        }
        if !q.statuses.isEmpty {
            clauses.append("i.status IN (\(Array(repeating: "?", count: q.statuses.count).joined(separator: ",")))")
            arguments += q.statuses.map { $0.rawValue }
        }
        if let d = q.district {
            clauses.append("i.district = ?")
            arguments.append(d)
        }
        if let s = q.settlement {
            clauses.append("i.settlement = ?")
            arguments.append(s)
        }
        if let ids = q.ids {
            if ids.isEmpty {
                clauses.append("0")
            } else {
                clauses.append("i.id IN (\(Array(repeating: "?", count: ids.count).joined(separator: ",")))")
                arguments += ids.map { $0 }
            }
        }
        if includePaging, let after = q.afterID {
            clauses.append("i.id > ?")
            arguments.append(after)
        }
    }

    /// True when a query filters by nothing but a box (count can then run on the R*Tree alone).
    static func onlyBBox(_ q: IncidentQuery) -> Bool {
        q.bbox != nil && q.window.start == nil && q.window.end == nil && q.categories.isEmpty && q.statuses.isEmpty
            && q.district == nil && q.settlement == nil && q.ids == nil && q.afterID == nil
    }

    var whereSQL: String { clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ") }
    var statementArguments: StatementArguments { StatementArguments(arguments.map { $0?.databaseValue ?? .null }) }
}
