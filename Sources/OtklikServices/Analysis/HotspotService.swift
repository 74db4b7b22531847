public import Foundation
public import OtklikCore
public import OtklikHotspots
import OtklikGeo

/// Feeds the hotspot engine from the store: loads the incidents a filter selects, projects them into the
/// UTM zone of the data, and runs the engine. Shared by `otklik hotspots` and the HTTP layer, so both give
/// the same list. Results are cached per filter for `ttl` seconds, since the OGC collection pages and the
/// report all ask for the same analysis.
public final class HotspotService: @unchecked Sendable {
    public let store: any IncidentRepository
    public let taxonomy: Taxonomy
    public var config: HotspotConfig
    public var gridConfig: GridConfig
    public let ttl: TimeInterval
    private let lock = NSLock()
    private var projection: MetricProjection?
    private var cache: [String: (at: Date, value: Analysis)] = [:]

    /// One run: the points it saw and what the engine made of them.
    public struct Analysis: Sendable {
        public var points: [HotspotPoint]
        public var report: HotspotReport
        public var now: Date
        public var projectionCRS: String
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

    /// Drops cached analyses (after writes, when freshness matters more than speed).
    public func invalidate() { lock.withLock { cache.removeAll() } }

    public func points(_ filter: IncidentFilter) async throws -> [HotspotPoint] {
        let projection = try await metricProjection()
        let query = IncidentQuery(filter)
        let collected = PointBox()
        try await store.scanForAnalysis(query, chunkSize: 50_000) { chunk in
            let xy = projection.project(chunk.map(\.location))
            var pts: [HotspotPoint] = []
            pts.reserveCapacity(chunk.count)
            for (i, inc) in chunk.enumerated() { pts.append(HotspotPoint(incident: inc, x: xy.xs[i], y: xy.ys[i])) }
            collected.append(pts)
        }
        return collected.points
    }

    public func analyse(_ filter: IncidentFilter, now: Date = Date()) async throws -> Analysis {
        let key = filter.key
        if let hit = lock.withLock({ cache[key] }), Date().timeIntervalSince(hit.at) < ttl { return hit.value }
        let pts = try await points(filter)
        let report = try HotspotAnalysis.run(points: pts, taxonomy: taxonomy, config: config, now: now)
        let analysis = Analysis(points: pts, report: report, now: now, projectionCRS: try await metricProjection().targetCRS)
        lock.withLock { cache[key] = (Date(), analysis) }
        return analysis
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

/// Collects chunks from the store's scan callback.
private final class PointBox: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [HotspotPoint] = []
    func append(_ p: [HotspotPoint]) { lock.withLock { list += p } }
    var points: [HotspotPoint] { lock.withLock { list } }
}
