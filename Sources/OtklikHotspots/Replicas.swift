#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Gumbel distribution fitted to replica maxima by the method of moments.
struct GumbelFit {
    let location: Double, scale: Double

    init?(_ values: [Double]) {
        guard values.count >= 2 else { return nil }
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        guard variance > 0 else { return nil }
        scale = variance.squareRoot() * 6.0.squareRoot() / Double.pi
        location = mean - 0.577_215_664_901_532_9 * scale
    }

    /// P(X >= x) = 1 − exp(−exp(−(x − location)/scale)), without cancellation in the tail; never below the
    /// smallest normal double, so a reported p is never exactly 0.
    func survival(_ x: Double) -> Double { max(Double.leastNormalMagnitude, -expm1(-exp(-(x - location) / scale))) }
}

/// Draws one multinomial replica of a category's cases over its clusters and returns the largest LLR.
struct ReplicaSampler {
    let total: Int
    let expected: [Double]
    /// Clusters with E below `smallMean` share one binomial and an alias table.
    static let smallMean = 4.0
    private let small: [Int32]
    private let smallMass: Double
    private let alias: AliasTable
    /// The other clusters with their probability conditional on the earlier draws.
    private let large: [Int32]
    private let largeConditional: [Double]
    private var scratch: [Int32]
    private var touched: [Int32] = []

    init(expected: [Double], total: Int) {
        self.total = total
        self.expected = expected
        let sum = expected.reduce(0, +)
        let denominator = max(Double(total), sum)
        var small: [Int32] = [], large: [Int32] = []
        for (i, e) in expected.enumerated() { if e < Self.smallMean { small.append(Int32(i)) } else { large.append(Int32(i)) } }
        self.small = small
        self.large = large
        let smallSum = small.reduce(0) { $0 + expected[Int($1)] }
        smallMass = min(1, smallSum / denominator)
        alias = AliasTable(weights: small.map { expected[Int($0)] })
        var left = 1 - smallMass
        var conditional: [Double] = []
        for i in large {
            let p = expected[Int(i)] / denominator
            conditional.append(left > 0 ? min(1, p / left) : 1)
            left -= p
        }
        largeConditional = conditional
        scratch = [Int32](repeating: 0, count: small.count)
    }

    mutating func maxLLR(using rng: inout Xoshiro256) -> Double {
        var best = 0.0
        let m = Binomial.sample(n: total, p: smallMass, using: &rng)
        var remaining = total - m
        for j in large.indices where remaining > 0 {
            let c = Int(large[j])
            let n = Binomial.sample(n: remaining, p: largeConditional[j], using: &rng)
            remaining -= n
            if Double(n) > expected[c] {
                best = max(best, ScanStatistic.logLikelihoodRatio(observed: n, expected: expected[c], total: total))
            }
        }
        if m > 0 {
            for _ in 0..<m {
                let s = alias.draw(using: &rng)
                if scratch[s] == 0 { touched.append(Int32(s)) }
                scratch[s] += 1
            }
            for s in touched {
                let n = Int(scratch[Int(s)])
                scratch[Int(s)] = 0
                let e = expected[Int(small[Int(s)])]
                if Double(n) > e { best = max(best, ScanStatistic.logLikelihoodRatio(observed: n, expected: e, total: total)) }
            }
            touched.removeAll(keepingCapacity: true)
        }
        return best
    }
}


/// Draws replicas in which every cluster keeps at least `minimum` cases: cluster k's count is Bin(N, π_k)
/// conditioned on >= minimum, independently of the others (the multinomial coupling through N is negligible
/// while the clusters hold a small part of the category, and conditioning it exactly would need rejection of
/// almost every draw). Returns the largest statistic of a replica, LLR(count) − LLR(minimum) per cluster
/// (`ScanStatistic`, **Selection**).
///
/// A cluster whose mean is below minimum + 1 is drawn by inversion from `minimum` up, with the pmf normalised to
/// its value at `minimum` (no underflow however small E is). Most such clusters stay at `minimum` in almost every
/// replica, where their statistic is 0 (the floor of every maximum); so the clusters that rarely
/// exceed it are grouped by that probability q (within a factor of 2) and a replica visits only the few that do:
/// geometric skips at the group's largest q, each candidate kept with probability q / q_max (exact thinning).
/// Larger means draw the plain binomial until it reaches `minimum` (at least half the draws do).
struct ConditionalReplicaSampler {
    let total: Int
    let minimum: Int
    let expected: [Double]
    /// Per inversion cluster ("slot"): its index, Σ_{j > minimum} f(j)/f(minimum), p/q for the pmf recurrence and
    /// the probability of exceeding `minimum`.
    private let cluster: [Int32]
    private let extra: [Double]
    private let odds: [Double]
    private let exceed: [Double]
    /// Slots drawn one by one (likely to exceed `minimum`).
    private let eachTime: [Int32]
    /// Slots grouped by exceed probability: group g holds `groupSlots[groupStart[g] ..< groupStart[g + 1]]`.
    private let groupStart: [Int]
    private let groupSlots: [Int32]
    private let groupMax: [Double]
    private let groupLogStay: [Double]
    /// Per cluster: its LLR at exactly `minimum`, which the statistic subtracts (`ScanStatistic.excessOverMinimum`).
    private let base: [Double]
    /// LLR of slot s at counts minimum … minimum + tableWidth − 1, so that the common draws cost no logarithm.
    private let llrTable: [Double]
    static let tableWidth = 16
    /// Above this exceed probability a slot is drawn every replica.
    static let eachTimeFrom = 0.25
    private let direct: [Int32]
    private let directSamplers: [BinomialSampler]

    init(expected: [Double], total: Int, minimum: Int) {
        self.total = total
        self.minimum = max(0, min(minimum, total))
        self.expected = expected
        let denominator = max(Double(total), expected.reduce(0, +))
        var cluster: [Int32] = [], direct: [Int32] = [], extra: [Double] = [], odds: [Double] = []
        let m = self.minimum
        for (k, e) in expected.enumerated() {
            let p = min(1, e / denominator)
            // E > 0 always (`ScanStatistic.expected`); a zero would never reach `minimum`.
            guard p > 0 else { continue }
            if Double(total) * p >= Double(m + 1) || p >= 1 {
                direct.append(Int32(k))
                continue
            }
            let r = p / (1 - p)
            // Σ_{j > m} f(j)/f(m), summed until the terms stop mattering.
            var term = 1.0, sum = 0.0, j = m
            while j < total {
                term *= r * Double(total - j) / Double(j + 1)
                j += 1
                sum += term
                if term <= (1 + sum) * 1e-17 { break }
            }
            cluster.append(Int32(k))
            extra.append(sum)
            odds.append(r)
        }
        let exceed = extra.map { $0 / (1 + $0) }
        var eachTime: [Int32] = []
        var groups: [Int: [Int32]] = [:]
        for s in exceed.indices {
            if exceed[s] >= Self.eachTimeFrom {
                eachTime.append(Int32(s))
            } else if exceed[s] > 0 {
                // q in [2^-(g+1), 2^-g): the group's bound 2^-g keeps at least half its candidates.
                groups[Int((-log2(exceed[s])).rounded(.down)), default: []].append(Int32(s))
            }
        }
        var groupStart = [0], groupSlots: [Int32] = [], groupMax: [Double] = [], groupLogStay: [Double] = []
        for g in groups.keys.sorted() {
            groupSlots += groups[g]!
            groupStart.append(groupSlots.count)
            let bound = pow(2, -Double(g))
            groupMax.append(bound)
            groupLogStay.append(log1p(-bound))
        }
        var table: [Double] = []
        table.reserveCapacity(cluster.count * Self.tableWidth)
        let base = expected.map { ScanStatistic.logLikelihoodRatio(observed: m, expected: $0, total: total) }
        for c in cluster {
            for j in m..<(m + Self.tableWidth) {
                table.append(j <= total ? ScanStatistic.logLikelihoodRatio(observed: j, expected: expected[Int(c)], total: total) - base[Int(c)] : 0)
            }
        }
        self.base = base
        self.cluster = cluster
        self.extra = extra
        self.odds = odds
        self.exceed = exceed
        self.eachTime = eachTime
        self.groupStart = groupStart
        self.groupSlots = groupSlots
        self.groupMax = groupMax
        self.groupLogStay = groupLogStay
        llrTable = table
        self.direct = direct
        directSamplers = direct.map { BinomialSampler(n: total, p: min(1, expected[Int($0)] / denominator)) }
    }

    /// The count of slot s given that it exceeds `minimum`: inversion of the pmf above it.
    @inline(__always)
    private func countAbove(_ s: Int, using rng: inout Xoshiro256) -> Int {
        var u = rng.uniform() * extra[s]
        let r = odds[s], n = total
        var term = 1.0, j = minimum
        while j < n {
            term *= r * Double(n - j) / Double(j + 1)
            j += 1
            if u < term || term < 1e-300 { break }
            u -= term
        }
        return j
    }

    @inline(__always)
    private func llr(_ s: Int, _ j: Int) -> Double {
        let w = Self.tableWidth
        if j - minimum < w { return llrTable[s * w + j - minimum] }
        let k = Int(cluster[s])
        return ScanStatistic.logLikelihoodRatio(observed: j, expected: expected[k], total: total) - base[k]
    }

    /// The largest statistic of a replica: LLR(count) − LLR(`minimum`) over the clusters, 0 when every count is
    /// at its minimum.
    func maxLLR(using rng: inout Xoshiro256) -> Double {
        var best = 0.0
        for s32 in eachTime {
            let s = Int(s32)
            if rng.uniform() >= exceed[s] { continue }
            best = max(best, llr(s, countAbove(s, using: &rng)))
        }
        for g in groupMax.indices {
            let lo = groupStart[g], hi = groupStart[g + 1]
            var next = lo
            while true {
                // Failures before the next candidate: Geometric(groupMax), from a uniform in (0, 1].
                let skip = log(1 - rng.uniform()) / groupLogStay[g]
                guard skip < Double(hi - next) else { break }
                let s = Int(groupSlots[next + Int(skip)])
                next += Int(skip) + 1
                if rng.uniform() * groupMax[g] < exceed[s] { best = max(best, llr(s, countAbove(s, using: &rng))) }
                if next >= hi { break }
            }
        }
        for (slot, c) in direct.enumerated() {
            let k = Int(c)
            var draw = directSamplers[slot].sample(using: &rng)
            while draw < minimum { draw = directSamplers[slot].sample(using: &rng) }
            if Double(draw) > expected[k] {
                best = max(best, ScanStatistic.logLikelihoodRatio(observed: draw, expected: expected[k], total: total) - base[k])
            }
        }
        return best
    }
}
