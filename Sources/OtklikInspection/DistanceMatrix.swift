public import OtklikCore

/// A symmetric table of pairwise costs, row-major, computed once so that local search reads costs in O(1).
public struct DistanceMatrix: Sendable {
    public let count: Int
    @usableFromInline var storage: [Double]

    /// The planner holds up to three n² tables of doubles while it works: 2,500 points are 150 MB at the peak,
    /// past that a request should be narrowed (district, category) or split.
    public static let maximumCount = 2_500

    /// Fills the table from a symmetric cost function, evaluating each unordered pair once.
    public init(count: Int, _ cost: (Int, Int) -> Double) {
        self.count = count
        var s = [Double](repeating: 0, count: count * count)
        for i in 0..<count {
            for j in (i + 1)..<max(i + 1, count) {
                let c = cost(i, j)
                s[i * count + j] = c
                s[j * count + i] = c
            }
        }
        storage = s
    }

    @inlinable
    public subscript(i: Int, j: Int) -> Double { storage[i * count + j] }

    /// Length of the visiting order; `closed` adds the edge from the last back to the first.
    public func length(of order: [Int], closed: Bool) -> Double {
        guard order.count > 1 else { return 0 }
        var total = 0.0
        for k in 1..<order.count { total += self[order[k - 1], order[k]] }
        if closed { total += self[order[order.count - 1], order[0]] }
        return total
    }
}

extension Geodesic {
    /// The full table of geodesic distances; reduced latitudes are computed once per point, not once per pair.
    public static func distanceMatrix(_ points: [GeoPoint]) -> DistanceMatrix {
        let reduced = points.map(Reduced.init)
        return DistanceMatrix(count: points.count) { inverse(reduced[$0], reduced[$1]).distance }
    }
}
