public import OtklikCore
public import OtklikHotspots

/// A Gi* hexagon with its class: `otklik hotspots --grid` and the OGC `hotspot-grid` collection.
public struct GridCell: PublishedFeature {
    public var bin: GridBin
    public var geometry: Geometry

    public init(bin: GridBin, geometry: Geometry) {
        self.bin = bin
        self.geometry = geometry
    }

    /// Every bin of a result as a hexagon in lon/lat; `toLonLat` inverts the projection the points were in.
    public static func cells(_ result: GridResult, toLonLat: (Double, Double) -> GeoPoint) -> [GridCell] {
        result.bins.map { b in
            var ring = result.grid.corners(b.cell).map { toLonLat($0.x, $0.y) }
            ring.append(ring[0])
            return GridCell(bin: b, geometry: .polygon([ring]))
        }
    }

    /// The axial coordinates "q,r".
    public var id: String { "\(bin.cell.q),\(bin.cell.r)" }

    /// The axial coordinates interleaved as zig-zag numbers (q in the high 32 bits, r in the low), so that the
    /// same cell has the same number in every run with the same cell size.
    public var numericID: UInt64 { Self.zigzag(bin.cell.q) << 32 | Self.zigzag(bin.cell.r) }

    static func zigzag(_ v: Int) -> UInt64 {
        let n = Int64(truncatingIfNeeded: v)
        return UInt64(bitPattern: (n << 1) ^ (n >> 63)) & 0xFFFF_FFFF
    }

    public static let fields: [PublishedField<GridCell>] = [
        .int("q") { $0.bin.cell.q },
        .int("r") { $0.bin.cell.r },
        .int("complaints") { $0.bin.count },
        .optionalDouble("z", digits: 6) { $0.bin.gi.z },
        .optionalDouble("p", digits: nil) { $0.bin.gi.p },
        .int("gi_class") { $0.bin.gi.bin },
        .int("neighbours") { $0.bin.gi.neighbours },
        .optionalString("emerging") { $0.bin.emerging?.pattern.rawValue },
        .optionalDouble("trend_z", digits: 6) { $0.bin.emerging?.trend?.z },
        .optionalDouble("trend_p", digits: nil) { $0.bin.emerging?.trend?.p },
        .list("bins_per_slice") { $0.bin.emerging?.binsPerSlice.map { .int(Int64($0)) } ?? [] },
    ]
}
