public import OtklikCore
public import OtklikTiles
import Foundation

/// The server's tiles: from the cache when it holds them, else made now (cold incident tiles from the points
/// in memory when they can answer, else from the store) and cached unless a write came in between.
public struct TileServing: Sendable {
    public let state: TileState
    public let producer: TileProducer

    public init(state: TileState, producer: TileProducer) {
        self.state = state
        self.producer = producer
    }

    /// Starts a rebuild of the in-memory points when one is due (see `LiveTilePoints.refreshIfDue`). The
    /// server calls it at start, so that the first tiles are cold only in the cache's sense.
    public func refreshPoints() {
        state.points.refreshIfDue { [producer] in try await producer.allPoints() }
    }

    /// The tile, and whether it had to be made (false: a cache hit).
    public func tile(layer: String, id: TileID, filter: IncidentFilter) async throws -> (tile: CachedTile, produced: Bool) {
        let key = TileCacheKey(layer: layer, tile: id, filter: filter.key)
        if let hit = state.cache.get(key) { return (hit, false) }
        let generation = state.currentGeneration
        let data: Data
        if layer == TileLayers.incidents {
            let box = TileLayers.queryBounds(of: id, options: producer.options)
            if let points = state.points.points(in: box, filter: filter) {
                data = producer.encodeIncidents(points, tile: id)
            } else {
                refreshPoints()
                data = try await producer.tile(layer: layer, tile: id, filter: filter)
            }
        } else {
            let features = try await state.polygons("\(layer)?\(filter.key)", readAt: generation) {
                try await producer.polygonFeatures(layer: layer, filter: filter)
            }
            data = try producer.encodePolygons(features, layer: layer, tile: id)
        }
        return (try state.store(key, data: data, readAt: generation), true)
    }
}
