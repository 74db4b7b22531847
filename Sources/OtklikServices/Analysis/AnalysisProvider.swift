public import Foundation
public import OtklikCore

/// One feature an analysis publishes as an OGC collection item (a hotspot, a Gi* bin).
/// Properties must not carry personal data: they are published as they are.
public struct AnalysisFeature: Sendable {
    public var id: String
    public var geometry: Geometry
    public var properties: [(String, JSONValue)]
    /// The span of the complaints behind the feature, matched against OGC `datetime`.
    public var first: Date?
    public var last: Date?

    public init(id: String, geometry: Geometry, properties: [(String, JSONValue)], first: Date? = nil, last: Date? = nil) {
        self.id = id
        self.geometry = geometry
        self.properties = properties
        self.first = first
        self.last = last
    }
}

/// One row of the governor's ranked hotspot list.
public struct HotspotReportRow: Sendable {
    public var rank: Int
    public var id: String
    public var category: String
    public var district: String?
    public var settlement: String?
    public var location: GeoPoint
    public var score: Double
    /// The score's components in display order, e.g. ("recurrence", 0.4), ("severity", 0.2).
    public var components: [(String, Double)]
    public var complaints: Int
    public var open: Int
    public var episodes: Int
    public var repeatAfterFix: Int
    public var overdue: Int
    public var firstReported: Date?
    public var lastReported: Date?
    /// Complaints per month, oldest first, starting at `seriesStart` (for the sparkline).
    public var monthly: [Int]
    public var seriesStart: Date?

    public init(rank: Int, id: String, category: String, district: String?, settlement: String?, location: GeoPoint,
                score: Double, components: [(String, Double)], complaints: Int, open: Int, episodes: Int,
                repeatAfterFix: Int, overdue: Int, firstReported: Date?, lastReported: Date?, monthly: [Int],
                seriesStart: Date?) {
        self.rank = rank
        self.id = id
        self.category = category
        self.district = district
        self.settlement = settlement
        self.location = location
        self.score = score
        self.components = components
        self.complaints = complaints
        self.open = open
        self.episodes = episodes
        self.repeatAfterFix = repeatAfterFix
        self.overdue = overdue
        self.firstReported = firstReported
        self.lastReported = lastReported
        self.monthly = monthly
        self.seriesStart = seriesStart
    }
}

/// Statistics of one area (district or settlement) for choropleths and the district report.
public struct AreaRollup: Sendable, Hashable {
    public var name: String
    public var complaints: Int
    public var open: Int
    public var overdue: Int
    public var population: Int?
    /// Complaints per 1,000 inhabitants; nil without a population.
    public var per1000: Double?
    /// Hotspots with complaints after a "resolved" event; nil until the hotspot engine provides it.
    public var recurringHotspots: Int?

    public init(name: String, complaints: Int, open: Int, overdue: Int, population: Int?, per1000: Double?,
                recurringHotspots: Int? = nil) {
        self.name = name
        self.complaints = complaints
        self.open = open
        self.overdue = overdue
        self.population = population
        self.per1000 = per1000
        self.recurringHotspots = recurringHotspots
    }
}

/// Repeat-after-fix rate of one agency: of the places it resolved, how many were complained about again.
public struct AgencyRepeatRate: Sendable, Hashable {
    public var agency: String
    public var resolved: Int
    public var repeatAfterFix: Int
    public var rate: Double { resolved == 0 ? 0 : Double(repeatAfterFix) / Double(resolved) }

    public init(agency: String, resolved: Int, repeatAfterFix: Int) {
        self.agency = agency
        self.resolved = resolved
        self.repeatAfterFix = repeatAfterFix
    }
}

/// The seam where the hotspot engine plugs into the HTTP layer. The HTTP layer owns paging, filtering by
/// bbox/datetime, formats and media types; the provider owns the analysis and its caching.
public protocol AnalysisProvider: Sendable {
    /// Hotspot features (the `hotspots` collection), best first.
    func hotspots(_ filter: IncidentFilter) async throws -> [AnalysisFeature]
    /// Gi* bins with their classes (the `hotspot-grid` collection).
    func hotspotGrid(_ filter: IncidentFilter) async throws -> [AnalysisFeature]
    /// The ranked hotspot list for the report, at most `limit` rows.
    func hotspotReport(_ filter: IncidentFilter, limit: Int) async throws -> [HotspotReportRow]
    /// Recurring hotspots per district name; the HTTP layer merges it into its own roll-ups.
    func recurringHotspotsByDistrict(_ filter: IncidentFilter) async throws -> [String: Int]
    /// Repeat-after-fix rates per agency.
    func agencyRepeatRates(_ filter: IncidentFilter) async throws -> [AgencyRepeatRate]
}

/// Used until the hotspot engine is wired: empty collections and reports rather than errors, so that the
/// OGC catalogue stays complete and clients do not fail.
public struct NoAnalysis: AnalysisProvider {
    public init() {}
    public func hotspots(_ filter: IncidentFilter) async throws -> [AnalysisFeature] { [] }
    public func hotspotGrid(_ filter: IncidentFilter) async throws -> [AnalysisFeature] { [] }
    public func hotspotReport(_ filter: IncidentFilter, limit: Int) async throws -> [HotspotReportRow] { [] }
    public func recurringHotspotsByDistrict(_ filter: IncidentFilter) async throws -> [String: Int] { [:] }
    public func agencyRepeatRates(_ filter: IncidentFilter) async throws -> [AgencyRepeatRate] { [] }
}
