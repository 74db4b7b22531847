/// The Benjamini-Hochberg step-up procedure, in one place for every test family of the module (Gi* bins, hotspot
/// clusters).
public enum FalseDiscoveryRate {
    /// BH-adjusted p-values (q-values) over the defined p-values (`nil` stays `nil` and does not count in m):
    ///
    ///     q(k) = min over j >= k of  p(j) · m / j        (p sorted ascending, k = 1 … m), capped at 1
    ///
    /// Rejecting every hypothesis with q <= α is the BH procedure at level α: it rejects exactly the p-values up
    /// to p(k*), k* = max{k : p(k) <= k α / m}. Tied p-values get the same q.
    public static func qValues(_ p: [Double?]) -> [Double?] {
        let defined = p.indices.filter { p[$0] != nil }.sorted { (p[$0]!, $0) < (p[$1]!, $1) }
        let m = Double(defined.count)
        var q = [Double?](repeating: nil, count: p.count)
        var running = 1.0
        for rank in stride(from: defined.count, to: 0, by: -1) {
            let i = defined[rank - 1]
            running = min(running, p[i]! * m / Double(rank))
            q[i] = running
        }
        return q
    }

    /// `qValues` for a list without gaps.
    public static func qValues(_ p: [Double]) -> [Double] {
        qValues(p.map { Optional($0) }).map { $0! }
    }
}
