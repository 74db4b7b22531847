import Foundation
import OtklikCore

/// The validated query of an items request.
struct ItemsRequest: Sendable {
    var bbox: BBox?
    var window: TimeWindow?
    var limit: Int
    var offset: Int
    var categories: [String] = []
    var statuses: [IncidentStatus] = []
    var district: String?
    var settlement: String?
    /// The parameters as given, for building next/prev links.
    var passThrough: [(String, String)]

    static let maxOffset = 1_000_000_000

    init(_ q: QueryParameters, collection: OGCCollectionID, config: AppConfiguration, taxonomy: Taxonomy) throws(Problem) {
        try q.onlyAllow(collection.itemParameters)
        _ = try q.oneOf("f", ["json", "geojson"], default: "geojson")
        bbox = try q.bbox()
        window = try q.datetime()
        limit = try q.int("limit", default: config.defaultItemsLimit, range: 1...config.maxItemsLimit, clampAbove: true)
        offset = try q.int("offset", default: 0, range: 0...Self.maxOffset)
        if let c = q["category"] {
            for code in c.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
                guard taxonomy[code] != nil else {
                    throw .badParameter("category: unknown category '\(QueryParameters.shorten(code))'; known: \(taxonomy.codes.joined(separator: ", "))")
                }
                categories.append(code)
            }
        }
        if let s = q["status"] {
            for text in s.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
                do { statuses.append(try IncidentStatus.parse(text)) } catch { throw .badParameter(error.description) }
            }
        }
        for name in ["district", "settlement"] {
            if let v = q[name] {
                guard !v.isEmpty, v.count <= 200 else { throw .badParameter("\(name): expected a name of 1 to 200 characters") }
            }
        }
        district = q["district"]
        settlement = q["settlement"]
        passThrough = ["bbox", "datetime", "category", "status", "district", "settlement", "f"].compactMap { k in q[k].map { (k, $0) } }
    }

    var incidentQuery: IncidentQuery {
        IncidentQuery(bbox: bbox, window: window ?? .all, categories: categories, statuses: statuses,
                      district: district, settlement: settlement, order: .idAscending)
    }

    func link(base: String, path: String, offset: Int) -> String {
        var parts = passThrough.map { "\($0.0)=\(percentEncode($0.1))" }
        parts.append("limit=\(limit)")
        parts.append("offset=\(offset)")
        return base + path + "?" + parts.joined(separator: "&")
    }
}
