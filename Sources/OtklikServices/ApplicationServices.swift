public import Foundation
public import OtklikCore

/// The application core, wired once: the store as the server holds it, and every use case that the adapters
/// (the HTTP layer, the CLI) call. Each capability is a field of its own type, so an adapter is handed what
/// it uses and never has to find out at run time what a store or an analysis "really" is.
public struct ApplicationServices: Sendable {
    /// The backend behind the wrapper that turns each write into the invalidations it causes.
    public let store: ServingStore
    public let taxonomy: Taxonomy
    /// The hotspot engine with its cache; route candidates and the analysis share it.
    public let hotspots: HotspotService
    /// What the published hotspot layers and reports are made from (`NoAnalysis` serves them empty).
    public let analysis: any AnalysisProvider
    /// District and settlement figures, from counts that are reused for `rollupTTL` seconds.
    public let areas: AreaStatistics
    public let tiles: TileProducer

    /// - Parameters:
    ///   - store: the backend; writes through `self.store` drop exactly the cached tiles, counts and figures they touch.
    ///   - analysis: nil for the hotspot engine (the normal case); `NoAnalysis()` for empty hotspot layers.
    ///   - rollupTTL: how long area figures are reused; `countTTL`: how long an items count is (see `ServingStore`).
    public init(store: any IncidentStore, taxonomy: Taxonomy, analysis: (any AnalysisProvider)? = nil,
                rollupTTL: TimeInterval = 60, countTTL: TimeInterval = 30) {
        // The analyses and rollups read `store` itself: the wrapper adds nothing to the reads they make (scans,
        // extents, areas), and it must know them to drop them after every change.
        self.taxonomy = taxonomy
        let hotspots = HotspotService(store: store, taxonomy: taxonomy)
        self.hotspots = hotspots
        let analysis = analysis ?? EngineAnalysis(service: hotspots)
        self.analysis = analysis
        let areas = AreaStatistics(store: store, taxonomy: taxonomy, analysis: analysis, ttl: rollupTTL)
        self.areas = areas
        let serving = ServingStore(store, countTTL: countTTL) {
            hotspots.invalidate()
            areas.invalidate()
        }
        self.store = serving
        self.tiles = TileProducer(store: serving, analysis: analysis, areas: areas)
    }

    /// The state of the tile cache and of the in-memory tile points.
    public var tileState: TileState { store.tiles }

    /// Drops exactly what `change` made stale (see `ServingStore.apply`). Writes through `store` apply their own
    /// change; this is for the changes other writers commit.
    public func apply(_ change: StoreChange) async {
        await store.apply(change)
    }

    /// Applies every change that other writers commit to the store, as its feed reports them, until the calling
    /// task is cancelled. `otklik serve` runs it beside the server.
    public func followStoreChanges() async {
        for await change in store.base.changes() {
            await apply(change)
        }
    }

    /// Route candidates for links under `baseURL` (scheme and authority).
    public func routeCandidates(baseURL: String) -> RouteCandidates {
        RouteCandidates(store: store, taxonomy: taxonomy, hotspots: hotspots, baseURL: baseURL)
    }
}
