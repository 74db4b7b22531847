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
    struct Entry: Sendable {
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

    /// The packed tree of a set of entries, computed without the database.
    struct Plan {
        /// Levels from the leaves up. A level's cells are in node order: node `i` holds
        /// `cells[starts[i]..<starts[i + 1]]`, each cell an entry (leaves) or a child node's index and bounds.
        var levels: [(cells: [Entry], starts: [Int])]
        /// (entry id, index of its leaf node), by id.
        var leafOf: [(id: Int64, leaf: Int32)]
        /// Cells per node.
        var capacity: Int
    }

    /// Entries per node, from the size of the root node SQLite created with the table.
    func nodeCapacity(db: OpaquePointer) throws -> Int {
        let sizeStmt = try RawStatement(db: db, sql: "SELECT length(data) FROM \"\(table)_node\" WHERE nodeno = 1")
        guard let nodeSize = try sizeStmt.int64(), nodeSize >= 4 + 24 * 3 else {
            throw StoreError(.corrupt, "R*Tree \(table) has no root node")
        }
        return Int((nodeSize - 4) / 24)
    }

    /// Packs `entries` into nodes of `capacity` cells, level by level up to a single root. The entries are
    /// sorted where they lie: a million of them are 24 MB, and a bulk load's memory budget has no room for
    /// copies.
    static func plan(_ entries: consuming [Entry], capacity: Int) -> Plan {
        var levels: [(cells: [Entry], starts: [Int])] = []
        var cells = consume entries
        while true {
            let starts = pack(&cells, capacity: capacity)
            let nodes = starts.count - 1
            levels.append((cells, starts))
            if nodes <= 1 { break }
            cells = (0..<nodes).map { i in
                var e = Entry(id: Int64(i), minX: .infinity, maxX: -.infinity, minY: .infinity, maxY: -.infinity)
                for c in levels[levels.count - 1].cells[starts[i]..<starts[i + 1]] {
                    e.minX = min(e.minX, c.minX); e.maxX = max(e.maxX, c.maxX)
                    e.minY = min(e.minY, c.minY); e.maxY = max(e.maxY, c.maxY)
                }
                return e
            }
        }
        // Written after the nodes in id order, so that `_rowid` grows by appending instead of by a random
        // insert per entry, which cost more than the rest of the load.
        let leaves = levels[0]
        var leafOf: [(id: Int64, leaf: Int32)] = []
        leafOf.reserveCapacity(leaves.cells.count)
        for node in 0..<(leaves.starts.count - 1) {
            for c in leaves.cells[leaves.starts[node]..<leaves.starts[node + 1]] { leafOf.append((c.id, Int32(node))) }
        }
        leafOf.sort { $0.id < $1.id }
        return Plan(levels: levels, leafOf: leafOf, capacity: capacity)
    }

    /// Replaces the whole content of the R*Tree `table` with a planned tree, packed for the table's
    /// `nodeCapacity`. Runs inside the caller's transaction.
    func write(_ plan: consuming Plan, db: OpaquePointer) throws {
        let levels = plan.levels
        let capacity = try nodeCapacity(db: db)
        guard plan.capacity == capacity else {
            throw StoreError(.corrupt, "R*Tree \(table) holds \(capacity) cells per node, the plan \(plan.capacity)")
        }
        let nodeSize = 4 + 24 * capacity

        // Node numbers top-down: the root is 1, then each level's nodes in order.
        var firstNumber = [Int64](repeating: 0, count: levels.count)
        var next: Int64 = 1
        for level in stride(from: levels.count - 1, through: 0, by: -1) {
            firstNumber[level] = next
            next += Int64(levels[level].starts.count - 1)
        }

        try RawStatement.exec(db, "DELETE FROM \"\(table)_node\"; DELETE FROM \"\(table)_parent\"; DELETE FROM \"\(table)_rowid\";")
        let insNode = try RawStatement(db: db, sql: "INSERT INTO \"\(table)_node\"(nodeno, data) VALUES (?, ?)")
        let insParent = try RawStatement(db: db, sql: "INSERT INTO \"\(table)_parent\"(nodeno, parentnode) VALUES (?, ?)")
        let insRowid = try RawStatement(db: db, sql: "INSERT INTO \"\(table)_rowid\"(rowid, nodeno) VALUES (?, ?)")
        let depth = levels.count - 1
        var blob = [UInt8](repeating: 0, count: nodeSize)
        for (level, (cells, starts)) in levels.enumerated() {
            // An empty tree still has its root node, with no cells.
            for node in 0..<max(1, starts.count - 1) {
                let nodeno = firstNumber[level] + Int64(node)
                let range = starts.count > 1 ? starts[node]..<starts[node + 1] : 0..<0
                for k in 0..<blob.count { blob[k] = 0 }
                if level == depth { Self.put16(&blob, 0, UInt16(depth)) }
                Self.put16(&blob, 2, UInt16(range.count))
                var o = 4
                for c in cells[range] {
                    let ref = level == 0 ? c.id : firstNumber[level - 1] + c.id
                    Self.put64(&blob, o, UInt64(bitPattern: ref))
                    Self.put32(&blob, o + 8, c.minX.bitPattern)
                    Self.put32(&blob, o + 12, c.maxX.bitPattern)
                    Self.put32(&blob, o + 16, c.minY.bitPattern)
                    Self.put32(&blob, o + 20, c.maxY.bitPattern)
                    o += 24
                    if level > 0 {
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
        let firstLeaf = firstNumber[0]
        for (id, leaf) in plan.leafOf {
            insRowid.bind(1, id)
            insRowid.bind(2, firstLeaf + Int64(leaf))
            try insRowid.run()
        }
    }

    /// Sort-Tile-Recursive, in place: sort by x, cut into vertical slices, sort each slice by y, fill nodes
    /// of `capacity` cells within each slice. Returns where each node starts, then the end.
    static func pack(_ entries: inout [Entry], capacity: Int) -> [Int] {
        guard !entries.isEmpty else { return [0] }
        let leafCount = (entries.count + capacity - 1) / capacity
        let slices = Int(ceil(sqrt(Double(leafCount))))
        let perSlice = slices * capacity
        entries.sort { ($0.minX + $0.maxX, $0.id) < ($1.minX + $1.maxX, $1.id) }
        var starts: [Int] = []
        starts.reserveCapacity(leafCount + 1)
        var start = 0
        while start < entries.count {
            let end = min(entries.count, start + perSlice)
            entries[start..<end].sort { ($0.minY + $0.maxY, $0.id) < ($1.minY + $1.maxY, $1.id) }
            for k in stride(from: start, to: end, by: capacity) { starts.append(k) }
            start = end
        }
        starts.append(entries.count)
        return starts
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
