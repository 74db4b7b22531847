/// Array-based tour with 2-opt and Or-opt moves on neighbour lists, and the iterated local search around them.
/// Every move is expressed as a sequence of 2-opt exchanges on edges, so a reversal may flip either side of the
/// cycle (the shorter one) without the caller caring about orientation. The hot arrays are raw buffers owned by
/// this object: the search reads and writes them tens of millions of times and Array's uniqueness and bounds
/// checks would double its run time.
final class LocalSearch {
    let n: Int
    private let cost: UnsafeMutablePointer<Double>
    /// Neighbour lists flattened: the candidates of v are neighbourList[neighbourStart[v] ..< neighbourStart[v + 1]].
    private let neighbourList: UnsafeMutablePointer<Int>
    private let neighbourStart: UnsafeMutablePointer<Int>
    private let tourBuffer: UnsafeMutablePointer<Int>
    private let pos: UnsafeMutablePointer<Int>
    private let queued: UnsafeMutablePointer<Bool>
    private(set) var length: Double
    private var queue: [Int] = []
    private var queueHead = 0
    private var scratch: [Int] = []
    private let eps = 1e-7

    init(matrix: DistanceMatrix, neighbours: [[Int]], tour: [Int]) {
        n = matrix.count
        let table = UnsafeMutablePointer<Double>.allocate(capacity: n * n)
        matrix.storage.withUnsafeBufferPointer { table.initialize(from: $0.baseAddress!, count: $0.count) }
        cost = table
        let total = neighbours.reduce(0) { $0 + $1.count }
        neighbourList = .allocate(capacity: max(1, total))
        neighbourStart = .allocate(capacity: n + 1)
        var k = 0
        for v in 0..<n {
            neighbourStart[v] = k
            for c in neighbours[v] { neighbourList[k] = c; k += 1 }
        }
        neighbourStart[n] = k
        tourBuffer = .allocate(capacity: n)
        pos = .allocate(capacity: n)
        queued = .allocate(capacity: n)
        queued.initialize(repeating: false, count: n)
        for (i, v) in tour.enumerated() { tourBuffer[i] = v; pos[v] = i }
        length = matrix.length(of: tour, closed: true)
    }

    deinit {
        cost.deallocate()
        neighbourList.deallocate()
        neighbourStart.deallocate()
        tourBuffer.deallocate()
        pos.deallocate()
        queued.deallocate()
    }

    var tour: [Int] { Array(UnsafeBufferPointer(start: tourBuffer, count: n)) }

    @inline(__always) func d(_ a: Int, _ b: Int) -> Double { cost[a &* n &+ b] }
    @inline(__always) func succ(_ a: Int) -> Int { let p = pos[a] + 1; return tourBuffer[p == n ? 0 : p] }
    @inline(__always) func pred(_ a: Int) -> Int { let p = pos[a]; return tourBuffer[p == 0 ? n - 1 : p - 1] }

    func tourStarting(at node: Int) -> [Int] {
        let p = pos[node]
        return (0..<n).map { tourBuffer[(p + $0) % n] }
    }

    private func restore(_ saved: UnsafeMutablePointer<Int>) {
        tourBuffer.update(from: saved, count: n)
        for i in 0..<n { pos[tourBuffer[i]] = i }
    }

    // MARK: moves

    /// Reverses the path that runs forward from `a` to `b`, or the complementary path when that one is shorter
    /// (the same cycle either way).
    private func reversePath(_ a: Int, _ b: Int) {
        var i = pos[a], j = pos[b]
        var inner = j - i
        if inner < 0 { inner += n }
        inner += 1
        if inner * 2 > n {
            i = j + 1 == n ? 0 : j + 1
            j = pos[a] == 0 ? n - 1 : pos[a] - 1
            inner = n - inner
        }
        var swaps = inner / 2
        while swaps > 0 {
            let u = tourBuffer[i], v = tourBuffer[j]
            tourBuffer[i] = v; pos[v] = i
            tourBuffer[j] = u; pos[u] = j
            i += 1; if i == n { i = 0 }
            j -= 1; if j < 0 { j = n - 1 }
            swaps -= 1
        }
    }

    /// Replaces edges (a,b) and (c,d) by (a,c) and (b,d); b and d are both successors or both predecessors.
    private func twoOpt(_ a: Int, _ b: Int, _ c: Int, _ d: Int) {
        if succ(a) == b { reversePath(b, c) } else { reversePath(a, d) }
    }

    private func push(_ v: Int) {
        if !queued[v] { queued[v] = true; queue.append(v) }
    }

    // MARK: local search

    /// Local search from every point.
    func optimiseAll() {
        for i in 0..<n { push(tourBuffer[i]) }
        drainQueue()
    }

    private func drainQueue() {
        while queueHead < queue.count {
            let a = queue[queueHead]
            queueHead += 1
            queued[a] = false
            if improve(a) { push(a) }
            if queueHead > 4096, queueHead * 2 > queue.count {
                queue.removeFirst(queueHead)
                queueHead = 0
            }
        }
        queue.removeAll(keepingCapacity: true)
        queueHead = 0
    }

    /// Tries the first improving 2-opt or Or-opt move around `a`; applies it and queues the touched points.
    private func improve(_ a: Int) -> Bool {
        if twoOptMove(a, forward: true) || twoOptMove(a, forward: false) { return true }
        for segment in 1...3 where segment + 3 <= n {
            if orOptMove(a, segment: segment, forward: true) || orOptMove(a, segment: segment, forward: false) {
                return true
            }
        }
        return false
    }

    private func twoOptMove(_ a: Int, forward: Bool) -> Bool {
        let b = forward ? succ(a) : pred(a)
        let dab = d(a, b)
        for k in neighbourStart[a]..<neighbourStart[a + 1] {
            let c = neighbourList[k]
            let g1 = dab - d(a, c)
            if g1 <= eps { break }
            let e = forward ? succ(c) : pred(c)
            if c == b || e == a { continue }
            let gain = g1 + d(c, e) - d(b, e)
            if gain > eps {
                twoOpt(a, b, c, e)
                length -= gain
                push(b); push(c); push(e)
                return true
            }
        }
        return false
    }

    /// Moves the segment of `segment` points that starts at `a` (running forward or backward) between two
    /// adjacent points near one of its ends, in whichever orientation is cheaper.
    private func orOptMove(_ a: Int, segment: Int, forward: Bool) -> Bool {
        // Normalise to the forward segment f…l with P before it and N after it.
        var other = a
        for _ in 1..<segment { other = forward ? succ(other) : pred(other) }
        let f = forward ? a : other
        let l = forward ? other : a
        let P = pred(f), N = succ(l)
        if N == P { return false }
        let removeGain = d(P, f) + d(l, N) - d(P, N)
        if removeGain <= eps { return false }
        @inline(__always) func inSegment(_ v: Int) -> Bool {
            var p = pos[v] - pos[f]
            if p < 0 { p += n }
            return p < segment
        }
        // End `end` of the segment is joined to candidate c; the other end to c's neighbour e on the tour.
        for side in 0..<2 {
            let end = side == 0 ? f : l
            let far = side == 0 ? l : f
            for k in neighbourStart[end]..<neighbourStart[end + 1] {
                let c = neighbourList[k]
                let g1 = removeGain - d(c, end)
                if g1 <= eps { break }
                if inSegment(c) { continue }
                let sc = succ(c), pc = pred(c)
                for which in 0..<2 {
                    let e = which == 0 ? sc : pc
                    if inSegment(e) { continue }
                    // (c,e) must not be the edge the segment sits in, now closed as (P,N).
                    if (c == P && e == N) || (c == N && e == P) { continue }
                    let gain = g1 + d(c, e) - d(far, e)
                    if gain > eps {
                        // x → y is the insertion edge in forward direction.
                        let forwardEdge = which == 0
                        let x = forwardEdge ? c : e
                        let y = forwardEdge ? e : c
                        let xGetsF = forwardEdge ? end == f : end == l
                        insertSegment(f: f, l: l, P: P, N: N, x: x, y: y, forwardOrientation: xGetsF)
                        length -= gain
                        push(P); push(N); push(f); push(l); push(x); push(y)
                        return true
                    }
                }
            }
        }
        return false
    }

    /// Moves f…l (forward, between P and N) between x and y = succ(x): result x f…l y when
    /// `forwardOrientation`, else x l…f y. Three 2-opt exchanges at most.
    private func insertSegment(f: Int, l: Int, P: Int, N: Int, x: Int, y: Int, forwardOrientation: Bool) {
        // P f…l N…x y  →  P x…N l…f y
        twoOpt(P, f, x, y)
        // P x…N l…f y  →  P N…x l…f y
        if x != N { twoOpt(P, x, N, l) }
        // x l…f y  →  x f…l y
        if forwardOrientation && f != l { twoOpt(x, l, f, y) }
    }

    // MARK: iterated local search

    /// Local double-bridge kicks followed by local search from the touched points; a kick that makes the tour
    /// longer is undone by restoring the best tour (an O(n) copy, cheap next to the search for n ≤ a few 1,000).
    func iterate(kicks: Int, seed: UInt64, limit: Duration?) {
        guard n >= 8 else { return }
        var rng = SeededGenerator(seed: seed)
        let bestTour = UnsafeMutablePointer<Int>.allocate(capacity: n)
        defer { bestTour.deallocate() }
        bestTour.update(from: tourBuffer, count: n)
        var bestLength = length
        let clock = ContinuousClock()
        let deadline = limit.map { clock.now.advanced(by: $0) }
        let maxSegment = max(1, min(50, (n - 2) / 3))
        for k in 0..<kicks {
            if let deadline, k & 63 == 0, clock.now >= deadline { break }
            // Mostly local kicks; one in ten spans up to a third of the tour each way, to move whole clusters.
            let span = k % 10 == 9 ? max(1, (n - 2) / 3) : maxSegment
            let l1 = 1 + rng.below(span)
            let l2 = 1 + rng.below(span)
            let p0 = rng.below(n)
            doubleBridge(at: p0, l1, l2)
            drainQueue()

            if length > bestLength + eps {
                restore(bestTour)
                length = bestLength
            } else {
                // Better, or as good: sideways moves let the search drift across plateaus.
                bestLength = min(length, bestLength)
                bestTour.update(from: tourBuffer, count: n)
            }
        }
        if length > bestLength {
            restore(bestTour)
            length = bestLength
        }
    }

    /// A B C D → A C B D where B starts after position p0 and has l1 points, C has l2 points.
    private func doubleBridge(at p0: Int, _ l1: Int, _ l2: Int) {
        @inline(__always) func at(_ k: Int) -> Int { tourBuffer[(p0 + k) % n] }
        let a1 = at(0), b0 = at(1), b1 = at(l1), c0 = at(l1 + 1), c1 = at(l1 + l2), d0 = at(l1 + l2 + 1)
        let delta = d(a1, c0) + d(c1, b0) + d(b1, d0) - d(a1, b0) - d(b1, c0) - d(c1, d0)
        scratch.removeAll(keepingCapacity: true)
        for k in (l1 + 1)...(l1 + l2) { scratch.append(at(k)) }
        for k in 1...l1 { scratch.append(at(k)) }
        for k in 0..<scratch.count {
            let v = scratch[k]
            let p = (p0 + 1 + k) % n
            tourBuffer[p] = v
            pos[v] = p
        }
        length += delta
        push(a1); push(b0); push(b1); push(c0); push(c1); push(d0)
    }
}
