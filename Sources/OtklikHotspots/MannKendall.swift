/// The Mann-Kendall monotonic trend test (Mann 1945, Kendall 1975) with the tie-corrected variance, as
/// pymannkendall's `original_test` computes it.
public struct MannKendallResult: Sendable, Hashable {
    public enum Trend: String, Sendable, Hashable { case increasing, decreasing, none }
    /// S = Σ_{i<j} sign(x_j − x_i).
    public var s: Double
    /// Var(S) = [n(n−1)(2n+5) − Σ t(t−1)(2t+5)] / 18 over groups of t tied values.
    public var varS: Double
    /// (S − 1)/√Var(S) for S > 0, (S + 1)/√Var(S) for S < 0, 0 otherwise (continuity correction).
    public var z: Double
    /// Two-sided p-value of z.
    public var p: Double
    /// Kendall's tau = S / (n(n−1)/2).
    public var tau: Double
    /// Theil-Sen slope: the median of (x_j − x_i)/(j − i), i < j, per time step.
    public var slope: Double
    /// Increasing or decreasing when p < alpha.
    public var trend: Trend
}

public enum MannKendall {
    /// Nil for fewer than 2 values, or when every value is equal.
    public static func test(_ x: [Double], alpha: Double = 0.05) -> MannKendallResult? {
        let n = x.count
        guard n >= 2 else { return nil }
        var s = 0.0
        var slopes: [Double] = []
        slopes.reserveCapacity(n * (n - 1) / 2)
        for i in 0..<(n - 1) {
            for j in (i + 1)..<n {
                if x[j] > x[i] { s += 1 } else if x[j] < x[i] { s -= 1 }
                slopes.append((x[j] - x[i]) / Double(j - i))
            }
        }
        let sorted = x.sorted()
        var ties = 0.0
        var k = 0
        while k < n {
            var e = k
            while e + 1 < n && sorted[e + 1] == sorted[k] { e += 1 }
            let t = Double(e - k + 1)
            if t > 1 { ties += t * (t - 1) * (2 * t + 5) }
            k = e + 1
        }
        let N = Double(n)
        let varS = (N * (N - 1) * (2 * N + 5) - ties) / 18
        guard varS > 0 else { return nil }
        let z = s > 0 ? (s - 1) / varS.squareRoot() : s < 0 ? (s + 1) / varS.squareRoot() : 0
        let p = Normal.twoSided(z)
        slopes.sort()
        let m = slopes.count
        let slope = m % 2 == 1 ? slopes[m / 2] : (slopes[m / 2 - 1] + slopes[m / 2]) / 2
        let trend: MannKendallResult.Trend = p < alpha ? (z > 0 ? .increasing : .decreasing) : .none
        return MannKendallResult(s: s, varS: varS, z: z, p: p, tau: s / (0.5 * N * (N - 1)), slope: slope, trend: trend)
    }
}
