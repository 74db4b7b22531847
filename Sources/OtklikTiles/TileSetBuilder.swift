public import OtklikCore
public import struct Foundation.Data

/// How far a tile set build has got, for a progress bar.
public struct TileBuildProgress: Sendable, Hashable {
    public var done: Int
    public var total: Int
    public var written: Int
    public var tile: TileID
}

public struct TileBuildSummary: Sendable, Hashable {
    public var tilesVisited: Int
    public var tilesWritten: Int
    public var bytesWritten: Int
}

/// Walks every tile covering a box over a zoom range; the caller produces and stores each tile.
public enum TileSetBuilder {
    /// - Parameters:
    ///   - produce: the tile's bytes, or nil / empty to skip it (empty tiles are not written).
    ///   - write: stores one tile (e.g. `MBTilesWriter.write(z:x:y:data:)` after gzip).
    ///   - progress: called after every tile; cheap callers may throttle themselves.
    public static func build(bbox: BBox, minZoom: Int, maxZoom: Int,
                             produce: (TileID) throws -> Data?,
                             write: (TileID, Data) throws -> Void,
                             progress: (TileBuildProgress) -> Void = { _ in }) throws -> TileBuildSummary {
        guard minZoom >= 0, minZoom <= maxZoom, maxZoom <= 24 else { throw TilesError.invalidZoomRange(min: minZoom, max: maxZoom) }
        let total = WebMercator.tileCount(covering: bbox, zooms: minZoom...maxZoom)
        var done = 0, written = 0, bytes = 0
        for z in minZoom...maxZoom {
            let r = WebMercator.tileRange(covering: bbox, z: z)
            for y in r.minY...r.maxY {
                for x in r.minX...r.maxX {
                    let t = TileID(z: z, x: x, y: y)
                    if let data = try produce(t), !data.isEmpty {
                        try write(t, data)
                        written += 1
                        bytes += data.count
                    }
                    done += 1
                    progress(TileBuildProgress(done: done, total: total, written: written, tile: t))
                }
            }
        }
        return TileBuildSummary(tilesVisited: done, tilesWritten: written, bytesWritten: bytes)
    }
}
