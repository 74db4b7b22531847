import Foundation

/// When a cached value is made again (after an invalidation or its TTL), whether the last one answers meanwhile:
/// when the last took at least `after` to make, a caller waits for the new one until `wait` after it began, then
/// gets the last one. On a large store, where making one takes longer than writes come in, callers then see values
/// that trail by one computation instead of each waiting for a new one (or past its deadline). Quicker ones are
/// waited for, so that a write shows at once.
struct StalePolicy: Sendable {
    var wait: Duration
    var after: Duration
}

/// A bounded least-recently-used cache of values that are expensive to make, with one computation per key at a
/// time: callers asking for a key that is being computed wait for that computation instead of starting their
/// own. Bounded by entries and by approximate bytes (`cost` of each value); the least recently used entries go
/// first, but the newest is kept whatever its size. Entries older than `ttl`, or made before an `invalidate`, are
/// made again; until then they stay as the key's `fallback`, the last value finished, which answers meanwhile when
/// the `StalePolicy` says so.
final class AnalysisCache<Value: Sendable>: @unchecked Sendable {
    private struct Entry {
        var value: Value
        var at: Date
        var bytes: Int
        var used: UInt64
        /// The `generation` its computation started in: a value of an earlier one is only a fallback.
        var generation: Int
        /// How long it took to make.
        var took: Duration
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    /// A computation under way and when it began.
    private typealias Making = (task: Task<Value, any Error>, since: ContinuousClock.Instant)
    private var running: [String: Making] = [:]
    private var tick: UInt64 = 0
    /// Bumped by `invalidate`, so that a computation started before an invalidation is not served as current.
    private var generation = 0
    private(set) var maxEntries: Int
    private(set) var maxBytes: Int
    private var stale: StalePolicy?
    private let cost: @Sendable (Value) -> Int

    init(maxEntries: Int, maxBytes: Int, stale: StalePolicy? = nil, cost: @escaping @Sendable (Value) -> Int) {
        self.maxEntries = max(1, maxEntries)
        self.maxBytes = max(1, maxBytes)
        self.stale = stale
        self.cost = cost
    }

    func setStalePolicy(_ policy: StalePolicy?) { lock.withLock { stale = policy } }

    func setLimits(entries: Int, bytes: Int) {
        lock.withLock {
            maxEntries = max(1, entries)
            maxBytes = max(1, bytes)
            evict()
        }
    }

    var count: Int { lock.withLock { entries.count } }
    var bytes: Int { lock.withLock { entries.values.reduce(0) { $0 + $1.bytes } } }

    /// Every entry stops being current (each stays as its key's fallback); the next caller starts a new computation.
    func invalidate() {
        lock.withLock {
            running.removeAll()
            generation += 1
        }
    }

    /// The last value finished for `key`, current or not.
    func fallback(for key: String) -> Value? { lock.withLock { touch(key)?.value } }

    /// `key`'s entry, marked as just used. Called with the lock held.
    private func touch(_ key: String) -> Entry? {
        guard var e = entries[key] else { return nil }
        tick += 1
        e.used = tick
        entries[key] = e
        return e
    }

    private enum Lookup {
        case current(Value)
        /// Being made; `last` answers if the new one is not ready `within` from now.
        case making(Task<Value, any Error>, last: Value?, within: Duration)
    }

    /// The cached value for `key`, or the one `make` returns (shared with every caller that asks meanwhile), or,
    /// while that is made, the last one as the stale policy allows.
    func value(for key: String, ttl: TimeInterval, make: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let lookup: Lookup = lock.withLock {
            let last = touch(key)
            if let hit = last, hit.generation == generation, Date().timeIntervalSince(hit.at) < ttl { return .current(hit.value) }
            let making = running[key] ?? start(key, make)
            guard let last, let stale, last.took >= stale.after else { return .making(making.task, last: nil, within: .zero) }
            return .making(making.task, last: last.value, within: stale.wait - (ContinuousClock.now - making.since))
        }
        switch lookup {
        case .current(let value):
            return value
        case .making(let task, nil, _):
            return try await task.value
        case .making(let task, let last?, let within):
            if within > .zero, case .finished(.success(let value)) = await waitAtMost(within, for: { try await task.value }) {
                return value
            }
            return last
        }
    }

    /// Starts making `key`'s value. Called with the lock held.
    private func start(_ key: String, _ make: @escaping @Sendable () async throws -> Value) -> Making {
        let started = generation
        // Kept before anyone is handed the value, so a caller that has it finds it kept.
        let task = Task { [weak self] in
            let began = ContinuousClock.now
            let result: Result<Value, any Error>
            do { result = .success(try await make()) } catch { result = .failure(error) }
            self?.finish(key, result, generation: started, took: ContinuousClock.now - began)
            return try result.get()
        }
        let making: Making = (task, .now)
        running[key] = making
        return making
    }

    private func finish(_ key: String, _ result: Result<Value, any Error>, generation started: Int, took: Duration) {
        lock.withLock {
            if started == generation { running[key] = nil }
            guard case .success(let value) = result else { return }
            // A value made before an invalidation is still newer than an older fallback; it never replaces a
            // value begun later.
            if let e = entries[key], e.generation > started { return }
            let size = cost(value)
            tick += 1
            entries[key] = Entry(value: value, at: Date(), bytes: size, used: tick, generation: started, took: took)
            // The newest value stays even when it alone is over the budget (every other entry goes): it already
            // took that memory to make, and dropping it would make every retry make it again, and miss its
            // deadline again, as an analysis of the whole of a 10M-row store did.
            evict(keeping: key)
        }
    }

    /// Drops least recently used entries until both bounds hold, or until only `keeping` is left. Called with the
    /// lock held.
    private func evict(keeping: String? = nil) {
        var total = entries.values.reduce(0) { $0 + $1.bytes }
        while entries.count > maxEntries || total > maxBytes,
              let oldest = entries.filter({ $0.key != keeping }).min(by: { $0.value.used < $1.value.used }) {
            total -= oldest.value.bytes
            entries[oldest.key] = nil
        }
    }
}
