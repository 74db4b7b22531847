/// How hard the tour solver works. The default budget is a number of perturbation rounds scaled by the number of
/// points, so the same input and seed give the same tour on any machine; the wall-clock cap is for benchmarks.
public struct SolverOptions: Sendable, Hashable {
    /// Seed of the perturbation PRNG.
    public var seed: UInt64
    /// Candidate neighbours per point for 2-opt and Or-opt.
    public var neighbours: Int
    /// Iterated-local-search rounds: `kicksPerPoint × n`, at least `minimumKicks`.
    public var kicksPerPoint: Double
    public var minimumKicks: Int
    /// Optional cap on the iterated search; when it fires, the result depends on the machine's speed.
    public var wallClockLimit: Duration?
    /// When the whole plan must be done: past it, the planner stops improving and returns the tour it has
    /// (the iterated search ends, intermediate re-optimisations are skipped). Machine-dependent, like the limit.
    public var deadline: ContinuousClock.Instant?

    public init(seed: UInt64 = 20_260_601, neighbours: Int = 10, kicksPerPoint: Double = 20,
                minimumKicks: Int = 2_000, wallClockLimit: Duration? = nil, deadline: ContinuousClock.Instant? = nil) {
        self.seed = seed
        self.neighbours = neighbours
        self.kicksPerPoint = kicksPerPoint
        self.minimumKicks = minimumKicks
        self.wallClockLimit = wallClockLimit
        self.deadline = deadline
    }

    func kicks(for n: Int) -> Int { max(minimumKicks, Int(kicksPerPoint * Double(n))) }

    /// The iterated search's time: the wall-clock limit, cut to what is left before the deadline.
    var searchLimit: Duration? {
        guard let deadline else { return wallClockLimit }
        let left = max(.zero, deadline - ContinuousClock.now)
        return wallClockLimit.map { min($0, left) } ?? left
    }

    var pastDeadline: Bool { deadline.map { ContinuousClock.now >= $0 } ?? false }
}
