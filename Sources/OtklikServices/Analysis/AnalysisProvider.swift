public import OtklikCore

/// Statistics of one area (district or settlement) for choropleths and the district report.
public struct AreaCounts: Sendable, Hashable {
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
    /// Hotspots (the `hotspots` collection and tiles), best first, ranked from 1.
    func hotspots(_ filter: IncidentFilter) async throws -> [HotspotFeature]
    /// Gi* bins with their classes (the `hotspot-grid` collection).
    func hotspotGrid(_ filter: IncidentFilter) async throws -> [GridCell]
    /// The governor's ranked hotspot list, at most `limit` rows: the significant hotspots only, or with `all` every
    /// cluster (the non-significant ones after them, marked by their `significant` property).
    func hotspotReport(_ filter: IncidentFilter, limit: Int, all: Bool) async throws -> HotspotReportList
    /// Recurring hotspots per district name; the HTTP layer merges it into its own roll-ups.
    func recurringHotspotsByDistrict(_ filter: IncidentFilter) async throws -> [String: Int]
    /// Repeat-after-fix rates per agency.
    func agencyRepeatRates(_ filter: IncidentFilter) async throws -> [AgencyRepeatRate]
}

/// Used until the hotspot engine is wired: empty collections and reports rather than errors, so that the
/// OGC catalogue stays complete and clients do not fail.
public struct NoAnalysis: AnalysisProvider {
    public init() {}
    public func hotspots(_ filter: IncidentFilter) async throws -> [HotspotFeature] { [] }
    public func hotspotGrid(_ filter: IncidentFilter) async throws -> [GridCell] { [] }
    public func hotspotReport(_ filter: IncidentFilter, limit: Int, all: Bool) async throws -> HotspotReportList {
        HotspotReportList(rows: [], matched: 0)
    }
    public func recurringHotspotsByDistrict(_ filter: IncidentFilter) async throws -> [String: Int] { [:] }
    public func agencyRepeatRates(_ filter: IncidentFilter) async throws -> [AgencyRepeatRate] { [] }
}
