/// A symmetric table of pairwise costs, row-major, computed once so that local search reads costs in O(1).
public struct DistanceMatrix: Sendable {
    public let count: Int
    @usableFromInline var storage: [Double]

    /// The planner holds n² doubles: 4,000 points are 128 MB, past that a request should be split.
    public static let maximumCount = 4_000

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
