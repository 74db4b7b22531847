import CSpatiaLite
#if canImport(Glibc)
import Glibc
#endif

/// Builds a SQLite R*Tree (SpatiaLite's spatial index) in one pass with Sort-Tile-Recursive packing and
/// writes its shadow tables directly.
///
/// Why: inserting into a live R*Tree runs at 10–40k rows/s (PITFALLS.md), which would dominate a
/// million-row import. STR packing of n points costs two sorts and gives fuller, less overlapping nodes
/// than one-by-one insertion. The node format is SQLite's documented R*Tree layout: a 2-byte depth
/// (root only), a 2-byte cell count, then cells of an 8-byte id and four 4-byte floats, all big-endian;
/// `<name>_rowid` maps each entry to its leaf and `<name>_parent` each node to its parent; the root is
/// node 1. `rtreecheck()` verifies the result in the tests.
struct RTreeBulkLoader {
    struct Entry {
        var id: Int64
        var minX: Float, maxX: Float, minY: Float, maxY: Float
    }

    let table: String

    /// Lower and upper float32 bounds of a double, rounded outward as the R*Tree module does.
    static func down(_ d: Double) -> Float {
        var f = Float(d)
        if Double(f) > d { f = f.nextDown }
        return f
    }

    static func up(_ d: Double) -> Float {
        var f = Float(d)
        if Double(f) < d { f = f.nextUp }
        return f
    }

    /// Replaces the whole content of the R*Tree `table` with `entries`. Runs inside the caller's transaction.
    func load(db: OpaquePointer, entries inputEntries: [Entry]) throws {
        let sizeStmt = try RawStatement(db: db, sql: "SELECT length(data) FROM \"\(table)_node\" WHERE nodeno = 1")
        guard let nodeSize = try sizeStmt.int64(), nodeSize >= 4 + 24 * 3 else {
            throw StoreError(.corrupt, "R*Tree \(table) has no root node")
        }
        let capacity = Int((nodeSize - 4) / 24)

        // Levels from the leaves up; each node is its list of (id-or-child, bounds).
        var levels: [[[Entry]]] = []
        var current = inputEntries
        repeat {
            let nodes = Self.pack(current, capacity: capacity)
            levels.append(nodes)
            if nodes.count <= 1 { break }
            current = nodes.enumerated().map { i, cells in
                var e = Entry(id: Int64(i), minX: .infinity, maxX: -.infinity, minY: .infinity, maxY: -.infinity)
                for c in cells {
                    e.minX = min(e.minX, c.minX); e.maxX = max(e.maxX, c.maxX)
                    e.minY = min(e.minY, c.minY); e.maxY = max(e.maxY, c.maxY)
                }
                return e
            }
        } while true
        if levels.last?.isEmpty ?? true { levels = [[[]]] }

        // Node numbers top-down: root is 1.
        var numbers: [[Int64]] = Array(repeating: [], count: levels.count)
        var next: Int64 = 1
        for level in stride(from: levels.count - 1, through: 0, by: -1) {
            numbers[level] = (0..<levels[level].count).map { _ in defer { next += 1 }; return next }
        }

        try RawStatement.exec(db, "DELETE FROM \"\(table)_node\"; DELETE FROM \"\(table)_parent\"; DELETE FROM \"\(table)_rowid\";")
        let insNode = try RawStatement(db: db, sql: "INSERT INTO \"\(table)_node\"(nodeno, data) VALUES (?, ?)")
        let insParent = try RawStatement(db: db, sql: "INSERT INTO \"\(table)_parent\"(nodeno, parentnode) VALUES (?, ?)")
        let insRowid = try RawStatement(db: db, sql: "INSERT INTO \"\(table)_rowid\"(rowid, nodeno) VALUES (?, ?)")
        let depth = levels.count - 1
        var blob = [UInt8](repeating: 0, count: Int(nodeSize))
        // (entry id, leaf node): written after the nodes in id order, so that `_rowid` grows by appending
        // instead of by a random insert per entry, which cost more than the rest of the load.
        var leafOf: [(Int64, Int64)] = []
        leafOf.reserveCapacity(inputEntries.count)
        for level in 0..<levels.count {
            for (i, cells) in levels[level].enumerated() {
                let nodeno = numbers[level][i]
                for k in 0..<blob.count { blob[k] = 0 }
                if level == depth { Self.put16(&blob, 0, UInt16(depth)) }
                Self.put16(&blob, 2, UInt16(cells.count))
                var o = 4
                for c in cells {
                    let ref = level == 0 ? c.id : numbers[level - 1][Int(c.id)]
                    Self.put64(&blob, o, UInt64(bitPattern: ref))
                    Self.put32(&blob, o + 8, c.minX.bitPattern)
                    Self.put32(&blob, o + 12, c.maxX.bitPattern)
                    Self.put32(&blob, o + 16, c.minY.bitPattern)
                    Self.put32(&blob, o + 20, c.maxY.bitPattern)
                    o += 24
                    if level == 0 {
                        leafOf.append((c.id, nodeno))
                    } else {
                        insParent.bind(1, ref)
                        insParent.bind(2, nodeno)
                        try insParent.run()
                    }
                }
                insNode.bind(1, nodeno)
                insNode.bind(2, blob: blob)
                try insNode.run()
            }
        }
        leafOf.sort { $0.0 < $1.0 }
        for (id, nodeno) in leafOf {
            insRowid.bind(1, id)
            insRowid.bind(2, nodeno)
            try insRowid.run()
        }
    }

    /// Sort-Tile-Recursive: sort by x, cut into vertical slices, sort each slice by y, fill nodes.
    static func pack(_ entries: [Entry], capacity: Int) -> [[Entry]] {
        guard !entries.isEmpty else { return [] }
        let leafCount = (entries.count + capacity - 1) / capacity
        let slices = Int(ceil(sqrt(Double(leafCount))))
        let perSlice = slices * capacity
        let byX = entries.sorted { ($0.minX + $0.maxX, $0.id) < ($1.minX + $1.maxX, $1.id) }
        var nodes: [[Entry]] = []
        nodes.reserveCapacity(leafCount)
        var start = 0
        while start < byX.count {
            let end = min(byX.count, start + perSlice)
            let slice = byX[start..<end].sorted { ($0.minY + $0.maxY, $0.id) < ($1.minY + $1.maxY, $1.id) }
            var k = 0
            while k < slice.count {
                nodes.append(Array(slice[k..<min(slice.count, k + capacity)]))
                k += capacity
            }
            start = end
        }
        return nodes
    }

    private static func put16(_ b: inout [UInt8], _ o: Int, _ v: UInt16) {
        b[o] = UInt8(v >> 8); b[o + 1] = UInt8(v & 0xFF)
    }

    private static func put32(_ b: inout [UInt8], _ o: Int, _ v: UInt32) {
        for k in 0..<4 { b[o + k] = UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32(k))) }
    }

    private static func put64(_ b: inout [UInt8], _ o: Int, _ v: UInt64) {
        for k in 0..<8 { b[o + k] = UInt8(truncatingIfNeeded: v >> (56 - 8 * UInt64(k))) }
    }
}
