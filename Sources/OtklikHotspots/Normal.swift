#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The standard normal distribution through the C library's `erfc`, accurate to a few ulps in both tails
/// (`1 - cdf` would lose every digit past |z| ≈ 8).
public enum Normal {
    /// P(Z > z).
    public static func sf(_ z: Double) -> Double { 0.5 * erfc(z / 2.0.squareRoot()) }

    /// P(Z <= z).
    public static func cdf(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

    /// Two-sided p-value of a z-score: P(|Z| >= |z|).
    public static func twoSided(_ z: Double) -> Double { erfc(abs(z) / 2.0.squareRoot()) }
}
