import Foundation
import OtklikCore
import OtklikServices

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
    /// Incidents: the last id of the previous page, which `next` links carry beside `offset`. The page then
    /// starts after that id instead of skipping `offset` matches, so reading a whole layer page by page costs
    /// the same per page at the end as at the start. `offset` still numbers the page for `prev` links.
    var after: Int64?
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
        if q["after"] != nil {
            after = Int64(try q.int("after", default: 0, range: 0...Int.max))
        }
        district = q["district"]
        settlement = q["settlement"]
        passThrough = ["bbox", "datetime", "category", "status", "district", "settlement", "f"].compactMap { k in q[k].map { (k, $0) } }
    }

    /// Replaces the district and settlement filters by the stored names they mean; an unknown name is a 404
    /// (`UnknownPlace`), since filtering on it would answer an empty page as if the place were quiet.
    mutating func resolvePlaces(_ places: PlaceResolver) async throws {
        (district, settlement) = try await places.resolve(district: district, settlement: settlement,
                                                          fields: ("district", "settlement"))
    }

    var incidentQuery: IncidentQuery {
        IncidentQuery(bbox: bbox, window: window ?? .all, categories: categories, statuses: statuses,
                      district: district, settlement: settlement, order: .idAscending)
    }

    func link(base: String, path: String, offset: Int, after: Int64? = nil) -> String {
        var parts = passThrough.map { "\($0.0)=\(percentEncode($0.1))" }
        parts.append("limit=\(limit)")
        parts.append("offset=\(offset)")
        if let after { parts.append("after=\(after)") }
        return base + path + "?" + parts.joined(separator: "&")
    }
}
