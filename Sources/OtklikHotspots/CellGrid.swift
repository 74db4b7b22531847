/// A uniform grid over planar points: every point's cell, the points of each cell (CSR layout, ascending point
/// index inside a cell) and, per cell, the non-empty cells of a square stencil around it.
///
/// Cells are numbered by a row-major key (padded so a stencil never wraps into the next row). Points are
/// ordered by key with a stable LSD radix sort, so cells come out sorted by key; the stencil's cells in each row
/// are then found by a merge-like sweep with one monotone cursor per row offset. Everything is linear in the
/// number of points: no hashing, no comparison sort.
struct CellGrid {
    let side: Double
    let cellOfPoint: [Int32]
    let cellStart: [Int32]
    let members: [Int32]
    /// Non-empty cells within `reach` cells in x and y (the cell itself included), CSR layout.
    let neighbourStart: [Int32]
    let neighbours: [Int32]

    var cellCount: Int { cellStart.count - 1 }

    /// Whether the extent of the points spans few enough cells per axis (<= 1e9) for keys to fit in 64 bits.
    static func fits(x: [Double], y: [Double], side: Double) -> Bool {
        guard let x0 = x.min(), let x1 = x.max(), let y0 = y.min(), let y1 = y.max() else { return true }
        return max(x1 - x0, y1 - y0) / side <= 1e9
    }

    init(x: [Double], y: [Double], side: Double, reach: Int) {
        let n = x.count
        self.side = side
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        for i in 0..<n {
            minX = Swift.min(minX, x[i]); maxX = Swift.max(maxX, x[i])
            minY = Swift.min(minY, y[i]); maxY = Swift.max(maxY, y[i])
        }
        guard n > 0 else {
            self.cellOfPoint = []; self.cellStart = [0]; self.members = []; self.neighbourStart = [0]; self.neighbours = []
            return
        }
        let pad = UInt64(reach)
        let columns = UInt64(((maxX - minX) / side).rounded(.down)) + 1 + 2 * pad
        var keys = [UInt64](repeating: 0, count: n)
        var maxKey: UInt64 = 0
        for i in 0..<n {
            let cx = UInt64(((x[i] - minX) / side).rounded(.down)) + pad
            let cy = UInt64(((y[i] - minY) / side).rounded(.down)) + pad
            let k = cy &* columns &+ cx
            keys[i] = k
            maxKey = Swift.max(maxKey, k)
        }
        let order = Self.radixSortedIndices(keys, maxKey: maxKey)
        var members = [Int32](repeating: 0, count: n)
        var cellOfPoint = [Int32](repeating: 0, count: n)
        var cellStart: [Int32] = [0]
        var cellKey: [UInt64] = []
        for (pos, i) in order.enumerated() {
            let k = keys[Int(i)]
            if cellKey.last != k {
                if !cellKey.isEmpty { cellStart.append(Int32(pos)) }
                cellKey.append(k)
            }
            members[pos] = i
            cellOfPoint[Int(i)] = Int32(cellKey.count - 1)
        }
        cellStart.append(Int32(n))
        let cells = cellKey.count
        var nbStart = [Int32](repeating: 0, count: cells + 1)
        var nbs: [Int32] = []
        nbs.reserveCapacity(cells * 9)
        var cursor = [Int](repeating: 0, count: 2 * reach + 1)
        let r = UInt64(reach)
        for c in 0..<cells {
            let k = cellKey[c]
            for dy in 0...(2 * reach) {
                // Row offset dy − reach; columns cx − reach … cx + reach. Padding keeps both ends in the row.
                let base = k &+ UInt64(dy) &* columns &- r &* columns
                let lo = base &- r, hi = base &+ r
                var j = cursor[dy]
                while j < cells && cellKey[j] < lo { j += 1 }
                cursor[dy] = j
                while j < cells && cellKey[j] <= hi {
                    nbs.append(Int32(j))
                    j += 1
                }
            }
            nbStart[c + 1] = Int32(nbs.count)
        }
        self.cellOfPoint = cellOfPoint
        self.cellStart = cellStart
        self.members = members
        self.neighbourStart = nbStart
        self.neighbours = nbs
    }

    /// Stable LSD radix sort of 0..<n by key, 11 bits per pass, only as many passes as the largest key needs.
    static func radixSortedIndices(_ keys: [UInt64], maxKey: UInt64) -> [Int32] {
        let n = keys.count
        var idx = [Int32](0..<Int32(n))
        var tmp = [Int32](repeating: 0, count: n)
        let bits = 64 - maxKey.leadingZeroBitCount
        var shift = 0
        var count = [Int](repeating: 0, count: 2049)
        while shift < bits {
            for b in 0..<count.count { count[b] = 0 }
            for i in 0..<n { count[Int((keys[i] >> UInt64(shift)) & 2047) + 1] += 1 }
            for b in 1..<count.count { count[b] += count[b - 1] }
            for j in 0..<n {
                let i = Int(idx[j])
                let d = Int((keys[i] >> UInt64(shift)) & 2047)
                tmp[count[d]] = Int32(i)
                count[d] += 1
            }
            swap(&idx, &tmp)
            shift += 11
        }
        return idx
    }
}
