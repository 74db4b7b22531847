/// Symmetric TSP on a cost table: greedy-edge construction, then 2-opt + Or-opt local search on neighbour lists
/// with don't-look bits, then iterated local search with local double-bridge kicks (Applegate et al.'s
/// "segment" variant: three cut points close together in the tour so that the repair stays local).
public enum TourSolver {
    /// A closed tour over all `matrix.count` points, rotated to start at point 0.
    /// `coordinates` (x, y per point, e.g. lon/lat), when given, add the nearest points of each quadrant to the
    /// candidate lists: on grids and lines the plain k nearest all lie on one side and 2-opt cannot see across.
    public static func solve(_ matrix: DistanceMatrix, coordinates: [(x: Double, y: Double)]? = nil,
                             options: SolverOptions = SolverOptions()) -> [Int] {
        let n = matrix.count
        if n <= 3 { return Array(0..<n) }
        if n <= 8 { return bruteForce(matrix) }
        var neighbours = nearestNeighbours(matrix, k: min(options.neighbours, n - 1))
        if let coordinates, coordinates.count == n {
            neighbours = addingQuadrantNeighbours(neighbours, matrix: matrix, coordinates: coordinates, perQuadrant: 2)
        }
        let start = greedyEdgeTour(matrix, neighbours: neighbours)
        let search = LocalSearch(matrix: matrix, neighbours: neighbours, tour: start)
        search.optimiseAll()
        search.iterate(kicks: options.kicks(for: n), seed: options.seed, limit: options.searchLimit)
        return search.tourStarting(at: 0)
    }

    /// Exact answer for tiny inputs: all orders with point 0 first and the mirror images skipped.
    static func bruteForce(_ m: DistanceMatrix) -> [Int] {
        let n = m.count
        var best = Array(0..<n)
        var bestLength = m.length(of: best, closed: true)
        var rest = Array(1..<n)
        func permute(_ k: Int) {
            if k == rest.count {
                guard rest[0] < rest[rest.count - 1] else { return }
                let order = [0] + rest
                let len = m.length(of: order, closed: true)
                if len < bestLength - 1e-9 { bestLength = len; best = order }
                return
            }
            for i in k..<rest.count {
                rest.swapAt(k, i)
                permute(k + 1)
                rest.swapAt(k, i)
            }
        }
        permute(0)
        return best
    }

    /// The k cheapest other points of each point, nearest first.
    static func nearestNeighbours(_ m: DistanceMatrix, k: Int) -> [[Int]] {
        let n = m.count
        var result = [[Int]](repeating: [], count: n)
        var heap: [(Double, Int)] = []
        heap.reserveCapacity(k + 1)
        for i in 0..<n {
            // A sorted insertion buffer is fastest for k ≈ 10.
            heap.removeAll(keepingCapacity: true)
            for j in 0..<n where j != i {
                let c = m[i, j]
                if heap.count == k, c >= heap[k - 1].0 { continue }
                var p = heap.count
                if heap.count < k { heap.append((c, j)) } else { p = k - 1; heap[p] = (c, j) }
                while p > 0, heap[p - 1].0 > c { heap.swapAt(p - 1, p); p -= 1 }
            }
            result[i] = heap.map(\.1)
        }
        return result
    }

    /// Each list plus the `perQuadrant` nearest points in each of the four quadrants around the point, nearest first.
    static func addingQuadrantNeighbours(_ lists: [[Int]], matrix m: DistanceMatrix,
                                         coordinates c: [(x: Double, y: Double)], perQuadrant: Int) -> [[Int]] {
        let n = m.count
        var result = lists
        var best = [[(Double, Int)]](repeating: [], count: 4)
        for i in 0..<n {
            for q in 0..<4 { best[q].removeAll(keepingCapacity: true) }
            for j in 0..<n where j != i {
                let q = (c[j].x >= c[i].x ? 0 : 1) + (c[j].y >= c[i].y ? 0 : 2)
                let d = m[i, j]
                if best[q].count == perQuadrant, d >= best[q][perQuadrant - 1].0 { continue }
                if best[q].count < perQuadrant { best[q].append((d, j)) } else { best[q][perQuadrant - 1] = (d, j) }
                var p = best[q].count - 1
                while p > 0, best[q][p - 1].0 > d { best[q].swapAt(p - 1, p); p -= 1 }
            }
            var merged = Set(result[i])
            var extra: [Int] = []
            for q in 0..<4 { for (_, j) in best[q] where !merged.contains(j) { merged.insert(j); extra.append(j) } }
            if !extra.isEmpty {
                result[i] = (result[i] + extra).sorted { m[i, $0] < m[i, $1] || (m[i, $0] == m[i, $1] && $0 < $1) }
            }
        }
        return result
    }

    /// Greedy matching on the candidate edges (cheapest first, no degree above 2, no early cycle), then the
    /// fragments chained by nearest free endpoint.
    static func greedyEdgeTour(_ m: DistanceMatrix, neighbours: [[Int]]) -> [Int] {
        let n = m.count
        var edges: [(Double, Int, Int)] = []
        for i in 0..<n { for j in neighbours[i] where i < j || !neighbours[j].contains(i) { edges.append((m[i, j], i, j)) } }
        edges.sort { $0.0 < $1.0 || ($0.0 == $1.0 && ($0.1, $0.2) < ($1.1, $1.2)) }
        var parent = Array(0..<n)
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
            return x
        }
        var adj = [[Int]](repeating: [], count: n)
        for (_, i, j) in edges where adj[i].count < 2 && adj[j].count < 2 {
            let ri = find(i), rj = find(j)
            if ri == rj { continue }
            parent[ri] = rj
            adj[i].append(j)
            adj[j].append(i)
        }
        var visited = [Bool](repeating: false, count: n)
        var tour: [Int] = []
        tour.reserveCapacity(n)
        var endpoints = (0..<n).filter { adj[$0].count < 2 }
        var current = endpoints.first ?? 0
        while true {
            // Walk the fragment that begins at `current`.
            var prev = -1
            var node = current
            while true {
                visited[node] = true
                tour.append(node)
                guard let next = adj[node].first(where: { $0 != prev && !visited[$0] }) else { break }
                prev = node
                node = next
            }
            endpoints.removeAll { visited[$0] }
            guard !endpoints.isEmpty else { break }
            var best = endpoints[0]
            for e in endpoints where m[node, e] < m[node, best] { best = e }
            current = best
        }
        return tour
    }
}
