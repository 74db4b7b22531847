/// Expected counts, LLRs, Monte Carlo p-values and FDR q-values for every cluster of a run (`ScanStatistic`).
public enum Significance {
    /// What the statistic needs to know about one cluster.
    public struct Input: Sendable, Hashable {
        public var category: String
        /// O: the cluster's complaints.
        public var observed: Int
        /// N: the complaints of its category in the run.
        public var categoryTotal: Int
        /// The centroid in the caller's projected metres (the mean of the members', in id order).
        public var centroidX: Double
        public var centroidY: Double
        /// `ScanStatistic.footprintArea` of the members (m²).
        public var footprintArea: Double
        /// The cluster's largest episode, for the burst test; nil without an episode.
        public var burst: BurstWindow?

        public init(category: String, observed: Int, categoryTotal: Int, centroidX: Double, centroidY: Double,
                    footprintArea: Double, burst: BurstWindow? = nil) {
            self.category = category
            self.observed = observed
            self.categoryTotal = categoryTotal
            self.centroidX = centroidX
            self.centroidY = centroidY
            self.footprintArea = footprintArea
            self.burst = burst
        }
    }

    /// Significance of `inputs` against the background of `points` (every category), with the radius, replicas,
    /// seed and FDR level of `config`. One result per input, in input order. Each category's replicas draw from
    /// their own stream, seeded from `config.seed` and the category code, so a category's p-values do not depend
    /// on the other categories.
    public static func assess(_ inputs: [Input], points: [HotspotPoint], config: HotspotConfig) -> [ClusterSignificance] {
        guard !inputs.isEmpty else { return [] }
        let radius = config.backgroundRadius, minimum = config.backgroundMinimum, replicas = config.replicas
        let allCounter = DiscCounter(x: points.map(\.x), y: points.map(\.y), radius: radius)
        var xs: [String: [Double]] = [:], ys: [String: [Double]] = [:], times: [String: [Double]] = [:]
        for p in points {
            xs[p.category, default: []].append(p.x)
            ys[p.category, default: []].append(p.y)
            times[p.category, default: []].append(p.reportedAt.timeIntervalSince1970)
        }
        let ladder = ScanStatistic.backgroundRadii(radius)
        var expected = [Double](repeating: 0, count: inputs.count)
        var llr = [Double](repeating: 0, count: inputs.count)
        var background = [Int](repeating: 0, count: inputs.count)
        var disc = [Double](repeating: radius, count: inputs.count)
        var byCategory: [String: [Int]] = [:]
        var order: [String] = []
        for (i, c) in inputs.enumerated() {
            if byCategory[c.category] == nil { order.append(c.category) }
            byCategory[c.category, default: []].append(i)
        }
        for code in order {
            let own = xs[code].map { DiscCounter(x: $0, y: ys[code]!, radius: radius) }
            let total = xs[code]?.count ?? 0
            let others = points.count - total
            // With no other category in the run, the category is its own background (see `ScanStatistic`).
            let odds = others > 0 ? Double(total) / Double(others) : 1
            for i in byCategory[code]! {
                let c = inputs[i]
                for r in ladder {
                    let everything = allCounter.count(cx: c.centroidX, cy: c.centroidY, radius: r)
                    background[i] = others > 0 ? everything - (own?.count(cx: c.centroidX, cy: c.centroidY, radius: r) ?? 0)
                                               : everything
                    disc[i] = r
                    if background[i] >= minimum { break }
                }
                expected[i] = ScanStatistic.expected(background: background[i], rate: odds,
                                                     footprintArea: c.footprintArea, radius: disc[i])
                llr[i] = ScanStatistic.logLikelihoodRatio(observed: c.observed, expected: expected[i],
                                                          total: c.categoryTotal)
            }
        }
        var mc = [Double](repeating: 1, count: inputs.count)
        var gumbel = [Double?](repeating: nil, count: inputs.count)
        for code in order {
            let idx = byCategory[code]!
            let r = ScanStatistic.monteCarlo(expected: idx.map { expected[$0] }, llr: idx.map { llr[$0] },
                                             total: inputs[idx[0]].categoryTotal, replicas: replicas,
                                             seed: config.seed ^ fnv1a(code),
                                             minimumCount: config.conditionOnClusterSize ? config.minPoints : nil)
            for (k, i) in idx.enumerated() {
                mc[i] = r.monteCarloP[k]
                gumbel[i] = r.gumbelP[k]
            }
        }
        // Where at most `gumbelBelowHits` replicas reached the statistic, the Monte Carlo p is a count of a few
        // (relative error above 30 %) or only its floor; the Gumbel tail fitted to every replica stands in.
        let coarse = Double(ScanStatistic.gumbelBelowHits + 1) / Double(replicas + 1)
        func chosen(_ mc: Double, _ gumbel: Double?) -> Double { mc <= coarse ? gumbel ?? mc : mc }
        let placeP = (0..<inputs.count).map { chosen(mc[$0], gumbel[$0]) }
        let bursts = burstTests(inputs, times: times, byCategory: byCategory, order: order, config: config, pick: chosen)
        let q = FalseDiscoveryRate.qValues(inputs.indices.map { ClusterSignificance.combined(placeP: placeP[$0], burst: bursts[$0]) })
        return inputs.indices.map { i in
            ClusterSignificance(observed: inputs[i].observed, expected: expected[i],
                                ratio: Double(inputs[i].observed) / expected[i], logLikelihoodRatio: llr[i],
                                monteCarloP: mc[i], gumbelP: gumbel[i], placeP: placeP[i], burst: bursts[i], q: q[i],
                                significant: q[i] <= config.fdrLevel, background: background[i],
                                backgroundRadius: disc[i], footprintArea: inputs[i].footprintArea)
        }
    }

    /// The burst test of every input with an episode (`BurstStatistic`), per category with its own seed stream;
    /// `times` holds the report times (epoch seconds) of every point, per category.
    static func burstTests(_ inputs: [Input], times: [String: [Double]], byCategory: [String: [Int]], order: [String],
                           config: HotspotConfig, pick: (Double, Double?) -> Double) -> [BurstSignificance?] {
        var out = [BurstSignificance?](repeating: nil, count: inputs.count)
        for code in order where byCategory[code]!.contains(where: { inputs[$0].burst != nil }) {
            let t = (times[code] ?? []).sorted()
            let total = inputs[byCategory[code]![0]].categoryTotal
            var idx: [Int] = [], shares: [Double] = [], observed: [Int] = [], zone: [Int] = []
            for i in byCategory[code]! {
                guard let w = inputs[i].burst else { continue }
                let inWindow = count(t, below: w.end.timeIntervalSince1970, orEqual: true)
                    - count(t, below: w.start.timeIntervalSince1970, orEqual: false)
                // A window holding every complaint of the category says nothing about time: no burst test.
                guard inWindow < total else { continue }
                idx.append(i)
                shares.append(Double(inWindow) / Double(total))
                observed.append(w.observed)
                zone.append(inputs[i].observed)
            }
            guard !idx.isEmpty else { continue }
            let r = BurstStatistic.monteCarlo(observed: observed, zone: zone, share: shares, total: total,
                                              minimum: config.minEpisode, replicas: config.replicas,
                                              seed: config.seed ^ fnv1a("burst:" + code))
            for (k, i) in idx.enumerated() {
                let (e, llr) = BurstStatistic.assess(observed: observed[k], zone: zone[k], share: shares[k], total: total)
                out[i] = BurstSignificance(window: inputs[i].burst!, expected: e, logLikelihoodRatio: llr,
                                           monteCarloP: r.monteCarloP[k], p: pick(r.monteCarloP[k], r.gumbelP[k]))
            }
        }
        return out
    }

    /// How many of the sorted `values` are below `x` (or equal to it, with `orEqual`).
    static func count(_ values: [Double], below x: Double, orEqual: Bool) -> Int {
        var lo = 0, hi = values.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if values[mid] < x || (orEqual && values[mid] == x) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// FNV-1a 64 of the UTF-8 bytes: a stable per-category offset of the seed.
    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in s.utf8 { h ^= UInt64(b); h = h &* 0x100_0000_01B3 }
        return h
    }
}
