public import Foundation
public import OtklikCore
public import OtklikHotspots
import OtklikGeo

/// Feeds the hotspot engine from the store: loads the incidents a filter selects, projects them into the
/// UTM zone of the data, and runs the engine. Shared by `otklik hotspots` and the HTTP layer, so both give
/// the same list. Results are cached per filter for `ttl` seconds, since the OGC collection pages and the
/// report all ask for the same analysis. The cache is bounded (entries and approximate bytes, least recently
/// used first out), and a filter's time window is widened to whole UTC days before it is analysed, so that
/// requests that differ only in the instant of `since` share one analysis.
public final class HotspotService: @unchecked Sendable {
    public let store: any IncidentRepository
    public let taxonomy: Taxonomy
    public var config: HotspotConfig
    public var gridConfig: GridConfig
    public let ttl: TimeInterval
    private let lock = NSLock()
    private var projection: MetricProjection?
    /// An analysis that took 5 s or more answers (after 1 s) while it is made again after a write: each report after
    /// a write used to wait out the deadline for a large store's analysis and answer 503.
    private let cache = AnalysisCache<Analysis>(maxEntries: 16, maxBytes: 768 << 20, stale: .init(wait: .seconds(1), after: .seconds(5)),
                                                cost: Analysis.approximateBytes)
    private var work: any HeavyWork = InlineWork()

    /// One run: the points it saw and what the engine made of them.
    public struct Analysis: Sendable {
        public var points: [HotspotPoint]
        public var report: HotspotReport
        public var now: Date
        public var projectionCRS: String

        /// What an analysis keeps alive, roughly: measured at about 85 MB for 200,000 points.
        static func approximateBytes(_ a: Analysis) -> Int { 4_096 + a.points.count * 450 }
    }

    public init(store: any IncidentRepository, taxonomy: Taxonomy, config: HotspotConfig = HotspotConfig(),
                gridConfig: GridConfig = GridConfig(), ttl: TimeInterval = 60) {
        self.store = store
        self.taxonomy = taxonomy
        self.config = config
        self.gridConfig = gridConfig
        self.ttl = ttl
    }

    /// The projected CRS for the data: the UTM zone of the centre of all incidents (chosen once).
    func metricProjection() async throws -> MetricProjection {
        if let p = lock.withLock({ projection }) { return p }
        let extent = try await store.extent(IncidentQuery())
        let p = try MetricProjection(region: extent.bbox ?? BBox(minLon: 30.7, minLat: 53.3, maxLon: 35.4, maxLat: 56.1))
        lock.withLock { projection = p }
        return p
    }

    /// Makes every cached analysis out of date (after writes): the next request starts a new one, and a slow
    /// old one answers while the new one is made (see `setStalePolicy`).
    public func invalidate() { cache.invalidate() }

    /// How long a request waits for a new analysis when an earlier one of the same filter that took at least
    /// `after` can answer instead.
    public func setStalePolicy(wait: Duration, after: Duration) { cache.setStalePolicy(.init(wait: wait, after: after)) }

    /// Bounds the analysis cache: at most `entries` analyses and about `bytes` bytes.
    public func setCacheLimits(entries: Int, bytes: Int) { cache.setLimits(entries: entries, bytes: bytes) }

    /// Where cold analyses run (see `HeavyWork`); inline unless the server sets its own.
    public func setHeavyWork(_ work: any HeavyWork) { lock.withLock { self.work = work } }

    /// Analyses cached now, and their approximate bytes.
    public var cacheUsage: (entries: Int, bytes: Int) { (cache.count, cache.bytes) }

    /// The filter an analysis is made for: its window widened to whole UTC days (`since` down to the day's start,
    /// `until` up to the next day's start), the resolution at which the engine's day-based rules work anyway.
    public static func analysed(_ filter: IncidentFilter) -> IncidentFilter {
        var f = filter
        let day = 86_400.0
        if let s = f.window.start {
            f.window.start = Date(timeIntervalSince1970: (s.timeIntervalSince1970 / day).rounded(.down) * day)
        }
        if let e = f.window.end {
            f.window.end = Date(timeIntervalSince1970: (e.timeIntervalSince1970 / day).rounded(.up) * day)
        }
        return f
    }

    public func points(_ filter: IncidentFilter) async throws -> [HotspotPoint] {
        let projection = try await metricProjection()
        let query = IncidentQuery(filter)
        let collected = PointBox()
        try await store.scanForAnalysis(query, chunkSize: 50_000) { chunk in
            collected.append(chunk, projection: projection)
        }
        return collected.points
    }

    /// The engine's view of `incidents`, projected by `projection`. Names come from `names`, so that the points
    /// of a large analysis share one copy of each district, settlement, category and agency name instead of
    /// holding one each (about half of an analysis's memory at 10M rows).
    static func points(_ incidents: [Incident], projection: MetricProjection, names: inout NamePool) -> [HotspotPoint] {
        let xy = projection.project(incidents.map(\.location))
        var pts: [HotspotPoint] = []
        pts.reserveCapacity(incidents.count)
        for (i, inc) in incidents.enumerated() {
            var p = HotspotPoint(incident: inc, x: xy.xs[i], y: xy.ys[i])
            p.category = names.shared(p.category)
            p.agency = names.shared(p.agency)
            p.district = p.district.map { names.shared($0) }
            p.settlement = p.settlement.map { names.shared($0) }
            pts.append(p)
        }
        return pts
    }

    /// The analysis `analyse` makes of a store holding `incidents` and nothing else, without a store: the same
    /// projection (the UTM zone of their extent) and engine. For measuring the engine on generated regions.
    public static func analyse(incidents: [Incident], taxonomy: Taxonomy, config: HotspotConfig = HotspotConfig(),
                               now: Date) throws -> Analysis {
        var extent = BBox(minLon: 180, minLat: 90, maxLon: -180, maxLat: -90)
        for p in incidents.map(\.location) {
            extent = BBox(minLon: min(extent.minLon, p.lon), minLat: min(extent.minLat, p.lat),
                          maxLon: max(extent.maxLon, p.lon), maxLat: max(extent.maxLat, p.lat))
        }
        let projection = try MetricProjection(region: incidents.isEmpty ? BBox(minLon: 30.7, minLat: 53.3, maxLon: 35.4, maxLat: 56.1) : extent)
        var names = NamePool()
        let pts = points(incidents, projection: projection, names: &names)
        let report = try HotspotAnalysis.run(points: pts, taxonomy: taxonomy, config: config, now: now)
        return Analysis(points: pts, report: report, now: now, projectionCRS: projection.targetCRS)
    }

    /// The analysis of `filter`. A category filter does not narrow the run: every category's complaints stay the
    /// background of the expectations (and the FDR runs over every cluster), and the result keeps the categories
    /// asked for, so a hotspot has the same O, E, p, q and id with or without the filter.
    public func analyse(_ filter: IncidentFilter, now: Date = Date()) async throws -> Analysis {
        let filter = Self.analysed(filter)
        guard !filter.categories.isEmpty else { return try await run(filter, now: now) }
        var every = filter
        every.categories = []
        let whole = try await run(every, now: now)
        let codes = Set(filter.categories)
        let points = whole.points.filter { codes.contains($0.category) }
        return Analysis(points: points, report: whole.report.restricted(to: codes, points: points), now: whole.now,
                        projectionCRS: whole.projectionCRS)
    }

    private func run(_ filter: IncidentFilter, now: Date) async throws -> Analysis {
        let (work, taxonomy, config) = lock.withLock { (self.work, self.taxonomy, self.config) }
        return try await work.waitWithinDeadline(.analysis) { [cache, ttl] in
            try await cache.value(for: filter.key, ttl: ttl) {
                try await work.admit(.analysis) {
                    let pts = try await self.points(filter)
                    let report = try await work.offload {
                        try HotspotAnalysis.run(points: pts, taxonomy: taxonomy, config: config, now: now)
                    }
                    return Analysis(points: pts, report: report, now: now, projectionCRS: try await self.metricProjection().targetCRS)
                }
            }
        }
    }

    /// Gi* bins (and emerging classes when `gridConfig.slice` is set) with the inverse projection for output.
    public func grid(_ filter: IncidentFilter, cellSize: Double? = nil) async throws -> (GridResult, @Sendable (Double, Double) -> GeoPoint) {
        let pts = try await analyse(filter).points
        var cfg = gridConfig
        if let c = cellSize { cfg.cellSize = c }
        let result = try GridAnalysis.run(points: pts, config: cfg)
        let projection = try await metricProjection()
        return (result, { x, y in projection.unproject(x: x, y: y) })
    }
}

/// Collects chunks from the store's scan callback as points that share their names.
private final class PointBox: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [HotspotPoint] = []
    private var names = NamePool()
    func append(_ chunk: [Incident], projection: MetricProjection) {
        lock.withLock { list += HotspotService.points(chunk, projection: projection, names: &names) }
    }
    var points: [HotspotPoint] { lock.withLock { list } }
}

/// One copy of each distinct name: a string handed out again shares the first one's storage.
struct NamePool {
    private var seen: Set<String> = []

    mutating func shared(_ name: String) -> String {
        // Short ASCII names live inside the String itself; only longer ones own a buffer worth sharing.
        guard name.utf8.count > 15 else { return name }
        if let i = seen.firstIndex(of: name) { return seen[i] }
        seen.insert(name)
        return name
    }
}
