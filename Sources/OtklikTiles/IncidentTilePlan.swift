/// What an `incidents` tile holds, worked out from the points' positions and ids alone: raw points or grid
/// clusters, where each feature goes, and which point's properties it carries. `TileLayers.incidents` turns a
/// plan into an `MVTLayer`; `IncidentTileEncoder` writes the same plan straight to bytes.
struct IncidentTilePlan {
    struct Feature {
        var id: UInt64
        var pixel: TilePixel
        /// 0 for a raw point; the number of points for a cluster.
        var count: Int32
        /// The input index whose properties the feature carries (a raw point, or a cluster of one), else -1.
        var point: Int32
    }

    var features: [Feature] = []

    /// - Parameters:
    ///   - units: each point's `WebMercator.unit` position.
    ///   - ids: each point's id, in the same order.
    init(units: [(x: Double, y: Double)], ids: [Int64], tile: TileID, options: TileOptions) {
        // The point's own tile is floor(unit * 2^z), clamped to the world, exactly as `WebMercator.tile(containing:)`
        // decides it (a point beyond Web Mercator's latitude limit projects a hair outside [0, 1]).
        var own: [(index: Int, x: Double, y: Double)] = []
        own.reserveCapacity(units.count)
        let n = Double(1 << tile.z), e = Double(options.extent)
        let x0 = Double(tile.x), y0 = Double(tile.y)
        let lastX = tile.x == (1 << tile.z) - 1, lastY = tile.y == (1 << tile.z) - 1
        for (i, u) in units.enumerated() {
            let fx = min(max(u.x, 0), 1) * n, fy = min(max(u.y, 0), 1) * n
            guard fx >= x0, fx < x0 + 1 || (lastX && fx <= n), fy >= y0, fy < y0 + 1 || (lastY && fy <= n) else { continue }
            own.append((i, min((fx - x0) * e, e), min((fy - y0) * e, e)))
        }
        if TileLayers.showsRawPoints(z: tile.z, pointsInTile: own.count, options: options) {
            rawPoints(units: units, ids: ids, tile: tile, options: options)
        } else {
            let grid = tile.z >= options.clusterBelowZoom ? options.clusterGrid * 4 : options.clusterGrid
            clusters(own, ids: ids, grid: grid, options: options)
        }
    }

    /// Every point within the tile plus its buffer (so that symbols do not break at seams), by id, so that the
    /// same set gives the same bytes whatever order the points came in.
    private mutating func rawPoints(units: [(x: Double, y: Double)], ids: [Int64], tile: TileID, options: TileOptions) {
        let order = ids.withUnsafeBufferPointer { buf in buf.indices.sorted { buf[$0] < buf[$1] } }
        features.reserveCapacity(order.count)
        for i in order {
            guard let px = TileGeometry.point(unit: units[i], in: tile, extent: options.extent, buffer: options.buffer) else { continue }
            features.append(Feature(id: UInt64(max(ids[i], 0)), pixel: px, count: 0, point: Int32(i)))
        }
    }

    /// Grid cells of the points whose own position is in the tile, each at the mean position of its points.
    private mutating func clusters(_ own: [(index: Int, x: Double, y: Double)], ids: [Int64], grid: Int, options: TileOptions) {
        let cellSize = Double(options.extent) / Double(grid)
        // Flat arrays over the grid's cells: no hashing in the hot loop.
        var count = [Int32](repeating: 0, count: grid * grid)
        var sx = [Double](repeating: 0, count: grid * grid)
        var sy = [Double](repeating: 0, count: grid * grid)
        var first = [Int](repeating: -1, count: grid * grid)
        for (i, x, y) in own {
            let key = min(Int(y / cellSize), grid - 1) * grid + min(Int(x / cellSize), grid - 1)
            count[key] += 1
            sx[key] += x
            sy[key] += y
            if first[key] < 0 || ids[i] < ids[first[key]] { first[key] = i }
        }
        for key in 0..<(grid * grid) where count[key] > 0 {
            let c = Double(count[key])
            // The mean position of the cell's points lies in the cell, so clusters never leave their tile.
            let px = TilePixel(x: Int32((sx[key] / c).rounded()), y: Int32((sy[key] / c).rounded()))
            features.append(Feature(id: UInt64(key + 1), pixel: px, count: count[key], point: count[key] == 1 ? Int32(first[key]) : -1))
        }
    }
}
