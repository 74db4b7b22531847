public import Foundation
public import OtklikCore
public import OtklikTiles

/// Makes the tiles of every published layer from the store and the analysis. The server asks it tile by tile
/// (one bounding-box query per incident tile); `otklik tiles build` takes a `TileSnapshot` once and encodes
/// thousands of tiles from memory. Both end in the same encoder (`IncidentTileEncoder` for incidents,
/// `TileLayers` and `MVTEncoder` for polygons), so a tile has the same bytes whichever way it was made.
///
/// Empty tiles are zero bytes (the server answers them with 204 No Content; MBTiles leaves them out).
public struct TileProducer: Sendable {
    public let store: any IncidentRepository & AreaRepository
    public let analysis: any AnalysisProvider
    public let areas: AreaStatistics
    public let options: TileOptions

    public init(store: any IncidentRepository & AreaRepository, analysis: any AnalysisProvider, areas: AreaStatistics,
                options: TileOptions = .standard) {
        self.store = store
        self.analysis = analysis
        self.areas = areas
        self.options = options
    }

    /// One tile, read from the store now.
    public func tile(layer: String, tile: TileID, filter: IncidentFilter) async throws -> Data {
        switch layer {
        case TileLayers.incidents:
            let box = TileLayers.queryBounds(of: tile, options: options)
            let points = try await store.incidents(IncidentQuery(filter.with(bbox: box))).map(Self.point)
            return encodeIncidents(TilePointSelection(points), tile: tile)
        case TileLayers.hotspots, TileLayers.districts:
            let near = TileLayers.queryBounds(of: tile, options: options)
            return try encodePolygons(try await polygonFeatures(layer: layer, filter: filter, near: near), layer: layer, tile: tile)
        default:
            throw TilesError.unknownLayer(layer)
        }
    }

    /// Everything a layer needs, read once, for encoding many tiles without the store.
    public func snapshot(layer: String, filter: IncidentFilter) async throws -> TileSnapshot {
        switch layer {
        case TileLayers.incidents:
            return TileSnapshot(layer: layer, producer: self, points: TilePointIndex(try await allPoints(filter: filter)), polygons: [])
        case TileLayers.hotspots, TileLayers.districts:
            return TileSnapshot(layer: layer, producer: self, points: TilePointIndex(TilePointTable()),
                                polygons: try await polygonFeatures(layer: layer, filter: filter))
        default:
            throw TilesError.unknownLayer(layer)
        }
    }

    /// Every incident that passes `filter`, as packed tile points, read with the store's lean scan.
    public func allPoints(filter: IncidentFilter = .all) async throws -> TilePointTable {
        let collected = PointCollector()
        try await store.scanForAnalysis(IncidentQuery(filter), chunkSize: 20_000) { chunk in
            collected.append(chunk.map(Self.point))
        }
        return collected.table
    }

    /// An incident as tiles show it: public fields only, never the reporter.
    public static func point(_ inc: Incident) -> TilePoint {
        TilePoint(id: inc.id ?? 0, location: inc.location, category: inc.category, status: inc.status.rawValue,
                  date: Timestamp.formatDay(inc.reportedAt), settlement: inc.settlement, district: inc.district)
    }

    public func encodeIncidents(_ points: TilePointSelection, tile: TileID) -> Data {
        IncidentTileEncoder.encode(points, tile: tile, options: options)
    }

    public func encodePolygons(_ features: [TilePolygonFeature], layer name: String, tile: TileID) throws -> Data {
        let layer = TileLayers.polygons(features, name: name, tile: tile, options: options)
        return layer.features.isEmpty ? Data() : MVTEncoder.encode([layer])
    }

    /// The outlines of a polygon layer with their figures. Districts count the incidents that pass the filter
    /// (per 1,000 residents; a district without its own population counts its settlements' people); hotspots
    /// come from the analysis for the filter's category and period (status does not apply to them).
    /// `near`: only the things whose box meets it (one tile's bounds), so that a tile does not turn every
    /// hotspot of the region into tile properties.
    public func polygonFeatures(layer: String, filter: IncidentFilter, near: BBox? = nil) async throws -> [TilePolygonFeature] {
        func meets(_ g: Geometry) -> Bool { near.map { box in g.bbox.map(box.intersects) ?? false } ?? true }
        switch layer {
        case TileLayers.districts:
            // The district figures of the OGC collection and the report, for the tile's filter.
            return try await areas.districts(filter: filter, withHotspots: false).filter { meets($0.geometry) }.map(PublishedMVT.feature)
        case TileLayers.hotspots:
            let found = try await analysis.hotspots(IncidentFilter(window: filter.window, categories: filter.categories))
            return found.filter { meets($0.geometry) }.map(PublishedMVT.feature)
        default:
            throw TilesError.unknownLayer(layer)
        }
    }
}

/// A layer's data in memory: encodes any tile synchronously (for `TileSetBuilder`).
public struct TileSnapshot: Sendable {
    public let layer: String
    let producer: TileProducer
    let points: TilePointIndex
    let polygons: [TilePolygonFeature]

    public var pointCount: Int { points.count }
    public var polygonCount: Int { polygons.count }

    /// The tile's bytes, empty when it has no features.
    public func encode(_ tile: TileID) throws -> Data {
        if layer == TileLayers.incidents {
            return producer.encodeIncidents(points.select(TileLayers.queryBounds(of: tile, options: producer.options)), tile: tile)
        }
        return try producer.encodePolygons(polygons, layer: layer, tile: tile)
    }
}

/// Gathers scanned chunks; the scan calls its body one chunk at a time.
private final class PointCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var storage = TilePointTable()
    func append(_ points: [TilePoint]) {
        lock.withLock { for p in points { storage.append(p) } }
    }
    var table: TilePointTable { lock.withLock { storage } }
}
