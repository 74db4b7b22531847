import Foundation
public import OtklikCore
public import OtklikTiles

/// The server's tile cache and the invalidations that keep it true, shared by the tile routes and the store
/// wrapper that sees every write. One per application.
public final class TileState: @unchecked Sendable {
    public let cache: TileCache
    private let lock = NSLock()
    /// Bumped by every invalidation (under `lock`), so that a tile produced from data read before a write is
    /// not stored after that write's invalidation.
    private var generation: UInt64 = 0
    private var polygonMemo: [String: [TilePolygonFeature]] = [:]
    /// Every incident point in memory, for cold incident tiles.
    let points = LiveTilePoints()

    public init(cache: TileCache = TileCache()) {
        self.cache = cache
    }

    var currentGeneration: UInt64 { lock.withLock { generation } }

    /// Whether cold incident tiles are already drawn from memory (the points are read in the background at start).
    public var pointsReady: Bool { points.isReady }

    /// Stores `data` unless an invalidation happened since `generation` was read; returns the servable tile.
    func store(_ key: TileCacheKey, data: Data, readAt generation: UInt64) throws -> CachedTile {
        try lock.withLock {
            guard self.generation == generation else { return try CachedTile(data: data) }
            return try cache.put(key, data: data)
        }
    }

    /// Polygon features per layer and filter, reused until the next write (districts' counts and hotspots
    /// depend on every incident).
    func polygons(_ key: String, readAt generation: UInt64, produce: () async throws -> [TilePolygonFeature]) async rethrows -> [TilePolygonFeature] {
        if let hit = lock.withLock({ polygonMemo[key] }) { return hit }
        let built = try await produce()
        lock.withLock { if self.generation == generation { polygonMemo[key] = built } }
        return built
    }

    /// An incident was written at `point`: its incident tiles go (every zoom, every filter), and so do the
    /// district and hotspot layers, whose figures count every incident.
    public func incidentWritten(at points: [GeoPoint]) {
        lock.withLock {
            generation += 1
            for p in points { cache.invalidate(point: p) }
            self.points.written(points)
            cache.invalidate(layer: TileLayers.districts)
            cache.invalidate(layer: TileLayers.hotspots)
            polygonMemo.removeAll()
        }
    }

    /// Something was written whose location is unknown here: every layer goes.
    public func everythingChanged() {
        lock.withLock {
            generation += 1
            cache.removeAll()
            polygonMemo.removeAll()
            points.reset()
        }
    }
}
