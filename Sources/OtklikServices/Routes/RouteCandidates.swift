public import Foundation
public import OtklikCore
public import OtklikInspection
import OtklikHotspots

/// What an inspector visits: the places where complaints cluster, or the single open complaints.
public enum RouteTargets: String, Sendable, Hashable, CaseIterable {
    case hotspots, incidents
}

/// Where the candidates come from. At most one area is chosen; none means the whole region.
public enum RouteArea: Sendable, Hashable {
    case region
    case district(String)
    case settlement(String)
    case bbox(BBox)
    /// A point list the caller brings (`--points FILE`), already turned into stops.
    case points([RouteStop])

    /// Picks the one area the caller named; naming two is refused, since "which one wins" would be a guess.
    /// `names` are the option names as the interface spells them (CLI `--district`, HTTP `district`).
    public static func choose(district: String?, settlement: String?, bbox: BBox?, points: [RouteStop]?,
                              names: (district: String, settlement: String, bbox: String, points: String))
        throws(RouteCandidatesError) -> RouteArea {
        var given: [String] = []
        if district != nil { given.append(names.district) }
        if settlement != nil { given.append(names.settlement) }
        if bbox != nil { given.append(names.bbox) }
        if points != nil { given.append(names.points) }
        guard given.count <= 1 else { throw .conflictingAreas(given) }
        if let district { return .district(district) }
        if let settlement { return .settlement(settlement) }
        if let bbox { return .bbox(bbox) }
        if let points { return .points(points) }
        return .region
    }

    /// The same area with a district or settlement name replaced by the stored one it means; an unknown name
    /// throws `UnknownPlace` instead of planning over nothing.
    public func resolved(by places: PlaceResolver, names: (district: String, settlement: String)) async throws -> RouteArea {
        switch self {
        case .district(let d): return .district(try await places.resolve(d, kind: .district, field: names.district))
        case .settlement(let s): return .settlement(try await places.resolve(s, kind: .settlement, field: names.settlement))
        default: return self
        }
    }

    /// A readable name for titles and file names: "Руднянский район", "bbox", "region".
    public var label: String {
        switch self {
        case .region: return "region"
        case .district(let n), .settlement(let n): return n
        case .bbox: return "bbox"
        case .points: return "points"
        }
    }
}

/// A refused candidate request, with the offending value.
public enum RouteCandidatesError: Error, Sendable, Equatable, CustomStringConvertible {
    case conflictingAreas([String])
    case unknownCategory(String, known: [String])
    case invalidPoint(field: String, value: String, reason: String)
    case invalidPoints(String)
    /// Categories or targets select among stored complaints; a point file already is the selection.
    case notWithPoints(String)

    public var description: String {
        switch self {
        case .conflictingAreas(let names):
            return "give at most one of \(names.joined(separator: ", ")) (they all choose the area)"
        case .unknownCategory(let c, let known):
            return "unknown category '\(c)'; known: \(known.joined(separator: ", "))"
        case .invalidPoint(let field, let value, let reason):
            return "\(field): '\(value.count > 60 ? String(value.prefix(60)) + "…" : value)' \(reason)"
        case .invalidPoints(let reason):
            return "points: \(reason)"
        case .notWithPoints(let what):
            return "\(what) does not apply to a point file: the file already is the selection"
        }
    }
}

/// Turns "what to visit" (area, categories, targets) into route stops. Shared by `otklik route` and
/// `GET /api/v1/routes`, so that both plan over the same candidates.
///
/// - Hotspots: only those with open complaints; priority is the hotspot score, overdue the hotspot's overdue
///   complaints; name "<category> — <settlement>".
/// - Incidents: open ones (new, in progress); priority 1, plus 1 when overdue (the planner adds its overdue weight
///   on top, so an overdue complaint is worth three times a fresh one by default); name the address, else the
///   category.
public struct RouteCandidates: Sendable {
    public let store: any IncidentRepository & AreaRepository
    public let taxonomy: Taxonomy
    public let hotspots: HotspotService
    /// Scheme and authority for links back to the hotspot or incident ("http://host:port"), without a slash.
    public let baseURL: String

    public init(store: any IncidentRepository & AreaRepository, taxonomy: Taxonomy, hotspots: HotspotService? = nil,
                baseURL: String) {
        self.store = store
        self.taxonomy = taxonomy
        self.hotspots = hotspots ?? HotspotService(store: store, taxonomy: taxonomy)
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }

    /// Refuses unknown category codes before any work.
    public func checkCategories(_ categories: [String]) throws(RouteCandidatesError) {
        for c in categories where taxonomy[c] == nil { throw .unknownCategory(c, known: taxonomy.codes) }
    }

    public func stops(area: RouteArea, categories: [String], targets: RouteTargets, now: Date = Date()) async throws -> [RouteStop] {
        try checkCategories(categories)
        switch area {
        case .points(let list): return list
        default: break
        }
        switch targets {
        case .hotspots: return try await hotspotStops(area: area, categories: categories, now: now)
        case .incidents: return try await incidentStops(area: area, categories: categories, now: now)
        }
    }

    private func hotspotStops(area: RouteArea, categories: [String], now: Date) async throws -> [RouteStop] {
        var filter = IncidentFilter(categories: categories)
        var box: BBox?
        switch area {
        case .district(let d): filter.district = d
        case .settlement(let s): filter.settlement = s
        case .bbox(let b): box = b
        case .region, .points: break
        }
        let report = try await hotspots.analyse(filter, now: now).report
        return report.hotspots.filter { h in h.openCount > 0 && (box.map { Self.contains($0, h.centroid) } ?? true) }
            .map { h in
                let category = taxonomy[h.category]?.nameRu ?? h.category
                let place = h.settlement ?? h.district
                return RouteStop(id: h.id, name: place.map { "\(category) — \($0)" } ?? category, location: h.centroid,
                                 priority: max(0, h.score.isFinite ? h.score : 0), overdueCount: h.overdueCount,
                                 category: category, complaints: h.count, settlement: h.settlement, district: h.district,
                                 url: "\(baseURL)/ogc/collections/hotspots/items/\(h.id)")
            }
    }

    private func incidentStops(area: RouteArea, categories: [String], now: Date) async throws -> [RouteStop] {
        var query = IncidentQuery(categories: categories, statuses: [.new, .inProgress])
        switch area {
        case .district(let d): query.district = d
        case .settlement(let s): query.settlement = s
        case .bbox(let b): query.bbox = b
        case .region, .points: break
        }
        let incidents = try await store.incidents(query)
        return incidents.compactMap { inc -> RouteStop? in
            guard let id = inc.id else { return nil }
            let overdue = inc.isOverdue(at: now, taxonomy: taxonomy)
            let category = taxonomy[inc.category]?.nameRu ?? inc.category
            let address = inc.address.trimmingCharacters(in: .whitespacesAndNewlines)
            return RouteStop(id: String(id), name: address.isEmpty ? category : address, location: inc.location,
                             priority: overdue ? 2 : 1, overdueCount: overdue ? 1 : 0, category: category, complaints: 1,
                             settlement: inc.settlement, district: inc.district, url: "\(baseURL)/api/v1/incidents/\(id)")
        }
    }

    static func contains(_ b: BBox, _ p: GeoPoint) -> Bool {
        p.lat >= b.minLat && p.lat <= b.maxLat
            && (b.minLon <= b.maxLon ? (p.lon >= b.minLon && p.lon <= b.maxLon) : (p.lon >= b.minLon || p.lon <= b.maxLon))
    }

    // MARK: parsing shared by the CLI and HTTP

    /// "lon,lat" in WGS84 degrees.
    public static func point(_ text: String, field: String) throws(RouteCandidatesError) -> GeoPoint {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let lon = Double(parts[0]), let lat = Double(parts[1]) else {
            throw .invalidPoint(field: field, value: text, reason: "is not lon,lat (e.g. 32.04,54.78)")
        }
        do { return try GeoPoint.validated(lon: lon, lat: lat) } catch {
            throw .invalidPoint(field: field, value: text, reason: "is not a WGS84 position: \(error.description)")
        }
    }

    /// A GeoJSON FeatureCollection (or one Feature) of Points. Each feature's `id` (else properties.id, else its
    /// 1-based position) and properties.name become the stop's id and name; properties.priority, category,
    /// complaints, overdue, settlement, district and url are used when present.
    public static func points(fromGeoJSON bytes: [UInt8]) throws(RouteCandidatesError) -> [RouteStop] {
        let doc: JSONValue
        do { doc = try JSONParser.parse(bytes) } catch { throw .invalidPoints(error.description) }
        let features: [JSONValue]
        switch doc["type"] {
        case .string("FeatureCollection")?:
            guard case .array(let list)? = doc["features"] else { throw .invalidPoints("'features' must be an array") }
            features = list
        case .string("Feature")?: features = [doc]
        default: throw .invalidPoints("expected a GeoJSON FeatureCollection of Points")
        }
        var stops: [RouteStop] = []
        var seen: Set<String> = []
        for (i, f) in features.enumerated() {
            let at = "features[\(i)]"
            guard case .object = f, f["type"].flatMap(Self.string) == "Feature" else {
                throw .invalidPoints("\(at): not a Feature")
            }
            guard let g = f["geometry"], g["type"].flatMap(Self.string) == "Point",
                  case .array(let c)? = g["coordinates"], c.count >= 2,
                  case .number(let lon) = c[0], case .number(let lat) = c[1] else {
                throw .invalidPoints("\(at): geometry must be a Point with [lon, lat]")
            }
            let location: GeoPoint
            do { location = try GeoPoint.validated(lon: lon, lat: lat) } catch {
                throw .invalidPoints("\(at): \(error.description)")
            }
            let props = f["properties"] ?? .null
            func text(_ k: String) -> String? { props[k].flatMap(Self.string) }
            func number(_ k: String) -> Double? { if case .number(let d)? = props[k] { return d } else { return nil } }
            let id = f["id"].flatMap(Self.string) ?? props["id"].flatMap(Self.string) ?? String(i + 1)
            guard seen.insert(id).inserted else { throw .invalidPoints("\(at): id '\(id)' is used twice") }
            let priority = number("priority") ?? 1
            guard priority.isFinite, priority >= 0 else { throw .invalidPoints("\(at): priority must be zero or positive") }
            stops.append(RouteStop(id: id, name: text("name") ?? id, location: location, priority: priority,
                                   overdueCount: max(0, Int(number("overdue") ?? 0)),
                                   category: text("category") ?? "", complaints: max(0, Int(number("complaints") ?? 1)),
                                   settlement: text("settlement"), district: text("district"), url: text("url")))
        }
        return stops
    }

    /// Strings as strings, numbers (feature ids may be numbers) without a trailing ".0".
    private static func string(_ v: JSONValue) -> String? {
        switch v {
        case .string(let s): return s
        case .number(let d) where d.rounded() == d && abs(d) < 1e15: return String(Int64(d))
        case .number(let d): return String(d)
        default: return nil
        }
    }
}
