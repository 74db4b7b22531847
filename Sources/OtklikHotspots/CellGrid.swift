/// A uniform grid over planar points: every point's cell, the points of each cell (CSR layout, ascending point
/// index inside a cell) and, per cell, the non-empty cells of a square stencil around it.
///
/// Cells are found through an open-addressing table keyed by integer cell coordinates, so the cost is linear in
/// the number of points whatever the extent; no comparison sort is needed (a counting sort by first-seen cell).
struct CellGrid {
    let side: Double
    let cellOfPoint: [Int32]
    let cellStart: [Int32]
    let members: [Int32]
    let cellX: [Int64]
    let cellY: [Int64]
    /// Non-empty cells within `reach` cells in x and y (the cell itself included), CSR layout.
    let neighbourStart: [Int32]
    let neighbours: [Int32]

    var cellCount: Int { cellX.count }

    init(x: [Double], y: [Double], side: Double, reach: Int) {
        let n = x.count
        self.side = side
        var minX = Double.infinity, minY = Double.infinity
        for i in 0..<n {
            minX = Swift.min(minX, x[i])
            minY = Swift.min(minY, y[i])
        }
        var table = CellTable(expected: Swift.max(16, n))
        var cellOfPoint = [Int32](repeating: 0, count: n)
        var counts: [Int32] = []
        for i in 0..<n {
            let cx = Int64(((x[i] - minX) / side).rounded(.down))
            let cy = Int64(((y[i] - minY) / side).rounded(.down))
            let c = table.findOrInsert(cx, cy)
            if Int(c) == counts.count { counts.append(0) }
            counts[Int(c)] += 1
            cellOfPoint[i] = c
        }
        let cells = counts.count
        var start = [Int32](repeating: 0, count: cells + 1)
        for c in 0..<cells { start[c + 1] = start[c] + counts[c] }
        var fill = Array(start.dropLast())
        var members = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            let c = Int(cellOfPoint[i])
            members[Int(fill[c])] = Int32(i)
            fill[c] += 1
        }
        var nbStart = [Int32](repeating: 0, count: cells + 1)
        var nbs: [Int32] = []
        nbs.reserveCapacity(cells * 9)
        for c in 0..<cells {
            let cx = table.xs[c], cy = table.ys[c]
            for dy in -reach...reach {
                for dx in -reach...reach {
                    let b = table.find(cx + Int64(dx), cy + Int64(dy))
                    if b >= 0 { nbs.append(b) }
                }
            }
            nbStart[c + 1] = Int32(nbs.count)
        }
        self.cellOfPoint = cellOfPoint
        self.cellStart = start
        self.members = members
        self.cellX = table.xs
        self.cellY = table.ys
        self.neighbourStart = nbStart
        self.neighbours = nbs
    }
}

/// Open addressing with linear probing; (x, y) integer cell coordinates to a dense cell id.
struct CellTable {
    private var slots: [Int32]
    private let mask: Int
    private(set) var xs: [Int64] = []
    private(set) var ys: [Int64] = []

    init(expected: Int) {
        var cap = 16
        while cap < expected * 2 { cap <<= 1 }
        slots = [Int32](repeating: -1, count: cap)
        mask = cap - 1
    }

    @inline(__always)
    private func hash(_ x: Int64, _ y: Int64) -> Int {
        var h = UInt64(bitPattern: x) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(bitPattern: y) &* 0xC2B2_AE3D_27D4_EB4F
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return Int(truncatingIfNeeded: h) & mask
    }

    func find(_ x: Int64, _ y: Int64) -> Int32 {
        var s = hash(x, y)
        while true {
            let v = slots[s]
            if v < 0 { return -1 }
            if xs[Int(v)] == x && ys[Int(v)] == y { return v }
            s = (s + 1) & mask
        }
    }

    mutating func findOrInsert(_ x: Int64, _ y: Int64) -> Int32 {
        var s = hash(x, y)
        while true {
            let v = slots[s]
            if v < 0 {
                let id = Int32(xs.count)
                slots[s] = id
                xs.append(x)
                ys.append(y)
                return id
            }
            if xs[Int(v)] == x && ys[Int(v)] == y { return v }
            s = (s + 1) & mask
        }
    }
}
