/// Counts the points inside discs of radius up to `radius`, for many disc centres over a large point set.
///
/// The points are bucketed on a uniform grid (cell side ≈ radius / 8) in row-major CSR order, so the cells of a
/// row form one contiguous run of the point array and a run of whole cells is counted with two lookups. A disc
/// is swept row by row: the cells wholly inside it are counted from the CSR offsets, and only the points of the
/// few cells its edge crosses are tested (`dx*dx + dy*dy <= r*r`, the same test a brute-force count makes). A
/// cell counts as wholly inside only with a margin far above rounding error, so the result equals the brute
/// force count exactly. Cost: O(points + cells) to build, O(rows + edge points) per disc.
struct DiscCounter {
    let radius: Double
    private let minX: Double, minY: Double, side: Double
    private let columns: Int, rows: Int
    /// `cellStart[c] ..< cellStart[c + 1]` are the points of cell c (row-major), all cells included.
    private let cellStart: [Int32]
    private let xs: [Double], ys: [Double]

    /// At most this many cells: 4 M cells are 16 MB of offsets; coarser cells only cost more point tests.
    static let maxCells = 4_000_000

    init(x: [Double], y: [Double], radius: Double) {
        precondition(radius > 0 && radius.isFinite)
        self.radius = radius
        let n = x.count
        var x0 = Double.infinity, y0 = Double.infinity, x1 = -Double.infinity, y1 = -Double.infinity
        for i in 0..<n {
            x0 = Swift.min(x0, x[i]); x1 = Swift.max(x1, x[i])
            y0 = Swift.min(y0, y[i]); y1 = Swift.max(y1, y[i])
        }
        if n == 0 { x0 = 0; y0 = 0; x1 = 0; y1 = 0 }
        let width = x1 - x0, height = y1 - y0
        var side = radius / 8
        if (width / side + 1) * (height / side + 1) > Double(Self.maxCells) {
            side = Swift.max(side, ((width + side) * (height + side) / Double(Self.maxCells)).squareRoot() * 1.01)
        }
        self.minX = x0
        self.minY = y0
        self.side = side
        let columns = Int((width / side).rounded(.down)) + 1
        let rows = Int((height / side).rounded(.down)) + 1
        self.columns = columns
        self.rows = rows
        var cellOf = [Int32](repeating: 0, count: n)
        var start = [Int32](repeating: 0, count: columns * rows + 1)
        for i in 0..<n {
            let cx = Swift.min(columns - 1, Int(((x[i] - x0) / side).rounded(.down)))
            let cy = Swift.min(rows - 1, Int(((y[i] - y0) / side).rounded(.down)))
            let c = cy * columns + cx
            cellOf[i] = Int32(c)
            start[c + 1] += 1
        }
        for c in 0..<(columns * rows) { start[c + 1] += start[c] }
        var fill = start
        var sx = [Double](repeating: 0, count: n), sy = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let c = Int(cellOf[i])
            let k = Int(fill[c])
            sx[k] = x[i]; sy[k] = y[i]
            fill[c] += 1
        }
        self.cellStart = start
        self.xs = sx
        self.ys = sy
    }

    /// Points with (x − cx)² + (y − cy)² <= r² (r defaults to the radius the grid was built for; a smaller one
    /// costs less, a larger one more).
    func count(cx: Double, cy: Double, radius r: Double? = nil) -> Int {
        guard !xs.isEmpty else { return 0 }
        let r = r ?? radius, r2 = r * r
        // Far above the rounding of cell assignment and of the distance test, far below any real distance.
        let margin = 1e-7 * Swift.max(r, side) + 1e-6
        let rowLo = Swift.max(0, Int(((cy - r - margin - minY) / side).rounded(.down)))
        let rowHi = Swift.min(rows - 1, Int(((cy + r + margin - minY) / side).rounded(.down)))
        guard rowLo <= rowHi else { return 0 }
        var total = 0
        cellStart.withUnsafeBufferPointer { start in
        xs.withUnsafeBufferPointer { px in
        ys.withUnsafeBufferPointer { py in
            @inline(__always) func exact(_ from: Int, _ to: Int) {
                guard from <= to else { return }
                for k in Int(start[from])..<Int(start[to + 1]) {
                    let dx = px[k] - cx, dy = py[k] - cy
                    if dx * dx + dy * dy <= r2 { total += 1 }
                }
            }
            for row in rowLo...rowHi {
                let lo = minY + Double(row) * side, hi = lo + side
                let near = cy < lo ? lo - cy : (cy > hi ? cy - hi : 0)
                let nearDy = Swift.max(0, near - margin)
                guard nearDy < r else { continue }
                let reach = (r2 - nearDy * nearDy).squareRoot() + margin
                let c0 = Swift.max(0, Int(((cx - reach - minX) / side).rounded(.down)))
                let c1 = Swift.min(columns - 1, Int(((cx + reach - minX) / side).rounded(.down)))
                guard c0 <= c1 else { continue }
                let base = row * columns
                // Cells whose whole extent lies within the chord at the row's farther edge.
                let far = Swift.max(abs(cy - lo), abs(cy - hi)) + margin
                var i0 = c1 + 1, i1 = c1
                if far < r {
                    let inner = (r2 - far * far).squareRoot() - margin
                    i0 = Swift.max(c0, Int(((cx - inner - minX) / side).rounded(.up)))
                    i1 = Swift.min(c1, Int(((cx + inner - minX) / side).rounded(.down)) - 1)
                }
                if i0 <= i1 {
                    total += Int(start[base + i1 + 1] - start[base + i0])
                    exact(base + c0, base + i0 - 1)
                    exact(base + i1 + 1, base + c1)
                } else {
                    exact(base + c0, base + c1)
                }
            }
        }}}
        return total
    }
}
