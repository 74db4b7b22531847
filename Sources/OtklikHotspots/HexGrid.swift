#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
/// A hexagonal cell in axial coordinates (pointy-top hexagons).
public struct HexCell: Sendable, Hashable, Comparable {
    public var q: Int
    public var r: Int

    public init(q: Int, r: Int) {
        self.q = q
        self.r = r
    }

    public static func < (a: HexCell, b: HexCell) -> Bool { (a.r, a.q) < (b.r, b.q) }
}

/// A tessellation of the projected plane into pointy-top hexagons anchored at the CRS origin, so that the same
/// cell size always yields the same bins, whatever data a query returns.
///
/// `cellSize` is the distance between the centres of two adjacent hexagons (the width across flats); the
/// circumradius is cellSize/√3 and a cell's area is (√3/2)·cellSize².
public struct HexGrid: Sendable, Hashable {
    public let cellSize: Double

    public init(cellSize: Double) throws(HotspotsError) {
        guard cellSize > 0, cellSize.isFinite else {
            throw .invalidParameter(name: "cellSize", value: cellSize, reason: "must be a positive finite number of metres")
        }
        self.cellSize = cellSize
    }

    public var circumradius: Double { cellSize / 3.0.squareRoot() }

    /// The cell holding (x, y). A point on an edge or a vertex goes to exactly one cell: the cube-rounding below is
    /// a pure function of the coordinates.
    public func cell(x: Double, y: Double) -> HexCell {
        let rf = y / (cellSize * 3.0.squareRoot() / 2)
        let qf = x / cellSize - rf / 2
        let sf = -qf - rf
        var q = qf.rounded(), r = rf.rounded(), s = sf.rounded()
        let dq = abs(q - qf), dr = abs(r - rf), ds = abs(s - sf)
        if dq > dr && dq > ds { q = -r - s } else if dr > ds { r = -q - s } else { s = -q - r }
        _ = s
        return HexCell(q: Int(q), r: Int(r))
    }

    public func center(_ c: HexCell) -> (x: Double, y: Double) {
        (cellSize * (Double(c.q) + Double(c.r) / 2), cellSize * 3.0.squareRoot() / 2 * Double(c.r))
    }

    /// The six corners, counter-clockwise from the east-north-east one; close the ring yourself for GeoJSON.
    public func corners(_ c: HexCell) -> [(x: Double, y: Double)] {
        let (cx, cy) = center(c)
        let radius = circumradius
        return (0..<6).map { k in
            let a = Double.pi / 180 * (30 + 60 * Double(k))
            return (cx + radius * cos(a), cy + radius * sin(a))
        }
    }

    /// Centre-to-centre distance of two cells in units of cellSize is √(dq² + dq·dr + dr²).
    public static func ringDistance(_ a: HexCell, _ b: HexCell) -> Int {
        let dq = a.q - b.q, dr = a.r - b.r
        return (abs(dq) + abs(dr) + abs(dq + dr)) / 2
    }
}

