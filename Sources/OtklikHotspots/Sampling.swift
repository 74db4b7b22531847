import OtklikCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// xoshiro256++ (Blackman & Vigna), seeded through SplitMix64: fast, small state, and the same stream on every
/// platform, so Monte Carlo p-values are reproducible from a seed.
struct Xoshiro256: RandomNumberGenerator {
    private var s0, s1, s2, s3: UInt64

    init(seed: UInt64) {
        (s0, s1, s2, s3) = SplitMix64.state(seed: seed)
    }

    @inline(__always) mutating func next() -> UInt64 {
        let result = (s0 &+ s3).rotatedLeft(23) &+ s0
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3.rotatedLeft(45)
        return result
    }

    /// Uniform on [0, 1) with 53 random bits.
    @inline(__always) mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }
}

extension UInt64 {
    @inline(__always) func rotatedLeft(_ k: UInt64) -> UInt64 { (self << k) | (self >> (64 - k)) }
}

/// Exact binomial variates in O(1) expected time for any n: inversion for small means, Hörmann's BTRS
/// (transformed rejection with squeeze, "The generation of binomial random variates", 1993) otherwise.
enum Binomial {
    /// Below this mean, inversion walks at most a few steps on average and needs no setup.
    static let inversionMean = 10.0

    static func sample(n: Int, p: Double, using rng: inout Xoshiro256) -> Int {
        BinomialSampler(n: n, p: p).sample(using: &rng)
    }
}

/// One binomial distribution with its sampling constants computed once, for drawing it many times.
struct BinomialSampler {
    private enum Method { case constant(Int), inversion, btrs }
    private let method: Method
    private let n: Int
    /// min(p, 1 − p); the draw is mirrored (n − k) when p > 1/2.
    private let p: Double
    private let mirrored: Bool
    // Inversion: f(0) and p/q.
    private var f0 = 0.0, ratio = 0.0
    // BTRS constants.
    private var b = 0.0, a = 0.0, c = 0.0, vr = 0.0, alpha = 0.0, lpq = 0.0, m = 0.0, h = 0.0

    init(n: Int, p: Double) {
        self.n = n
        mirrored = p > 0.5
        self.p = mirrored ? 1 - p : p
        guard n > 0, p > 0, p < 1 else {
            method = .constant(n > 0 && p >= 1 ? n : 0)
            return
        }
        let p = self.p, nd = Double(n), q = 1 - p
        if nd * p < Binomial.inversionMean {
            method = .inversion
            f0 = exp(nd * log1p(-p))
            ratio = p / q
        } else {
            method = .btrs
            let spq = (nd * p * q).squareRoot()
            b = 1.15 + 2.53 * spq
            a = -0.0873 + 0.0248 * b + 0.01 * p
            c = nd * p + 0.5
            vr = 0.92 - 4.2 / b
            alpha = (2.83 + 5.1 / b) * spq
            lpq = log(p / q)
            m = (Double(n + 1) * p).rounded(.down)
            h = Self.logFactorial(m) + Self.logFactorial(nd - m)
        }
    }

    func sample(using rng: inout Xoshiro256) -> Int {
        let k: Int
        switch method {
        case .constant(let v): return v
        case .inversion: k = inversion(using: &rng)
        case .btrs: k = btrs(using: &rng)
        }
        return mirrored ? n - k : k
    }

    /// Sequential search from 0 with the pmf recurrence f(k+1) = f(k) · (n − k)/(k + 1) · p/q.
    private func inversion(using rng: inout Xoshiro256) -> Int {
        var f = f0
        var u = rng.uniform()
        var k = 0
        while u > f {
            u -= f
            f *= ratio * Double(n - k) / Double(k + 1)
            k += 1
            // Rounding can leave u a hair above the remaining mass; restart rather than run past n.
            if k > n || f == 0 {
                u = rng.uniform(); k = 0; f = f0
            }
        }
        return k
    }

    /// BTRS for n p >= 10, p <= 1/2: a table-free rejection sampler whose acceptance test compares against the
    /// exact log pmf ratio (via lgamma), so the variates are exactly binomial.
    private func btrs(using rng: inout Xoshiro256) -> Int {
        let nd = Double(n)
        while true {
            let u = rng.uniform() - 0.5
            let v = rng.uniform()
            let us = 0.5 - abs(u)
            let kd = ((2 * a / us + b) * u + c).rounded(.down)
            if kd < 0 || kd > nd { continue }
            if us >= 0.07 && v <= vr { return Int(kd) }
            let lhs = log(v * alpha / (a / (us * us) + b))
            if lhs <= h - Self.logFactorial(kd) - Self.logFactorial(nd - kd) + (kd - m) * lpq { return Int(kd) }
        }
    }

    @inline(__always) static func logFactorial(_ k: Double) -> Double { lgamma(k + 1) }
}

/// Walker's alias method (Vose's construction): draws an index with probability proportional to its weight in
/// O(1) from one 64-bit random number.
struct AliasTable {
    private var probability: [Double]
    private var alias: [Int32]

    init(weights: [Double]) {
        let k = weights.count
        probability = [Double](repeating: 1, count: k)
        alias = [Int32](0..<Int32(k))
        let total = weights.reduce(0, +)
        guard k > 0, total > 0 else { return }
        var scaled = weights.map { $0 * Double(k) / total }
        var small: [Int] = [], large: [Int] = []
        for i in 0..<k { if scaled[i] < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.popLast() {
            guard let l = large.last else { small.append(s); break }
            probability[s] = scaled[s]
            alias[s] = Int32(l)
            scaled[l] -= 1 - scaled[s]
            if scaled[l] < 1 { large.removeLast(); small.append(l) }
        }
        // Leftovers are 1 up to rounding.
        for i in small { probability[i] = 1 }
        for i in large { probability[i] = 1 }
    }

    var count: Int { probability.count }

    @inline(__always) func draw(using rng: inout Xoshiro256) -> Int {
        let r = rng.next()
        // The high 32 bits pick the column (multiply-shift; the bias is below k / 2^32), the low 32 bits toss the
        // coin: disjoint bits, so the two are independent.
        let column = Int(((r >> 32) &* UInt64(probability.count)) >> 32)
        let coin = Double(UInt32(truncatingIfNeeded: r)) * 0x1p-32
        return coin < probability[column] ? column : Int(alias[column])
    }
}
