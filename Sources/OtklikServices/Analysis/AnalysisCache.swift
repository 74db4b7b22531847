import Foundation

/// A bounded least-recently-used cache of values that are expensive to make, with one computation per key at a
/// time: callers asking for a key that is being computed wait for that computation instead of starting their
/// own. Bounded by entries and by approximate bytes (`cost` of each value); the least recently used entries go
/// first, but the newest is kept whatever its size. Entries older than `ttl`, or made before an `invalidate`, are
/// made again; until then they stay as the key's `fallback`, the last value finished.
final class AnalysisCache<Value: Sendable>: @unchecked Sendable {
    private struct Entry {
        var value: Value
        var at: Date
        var bytes: Int
        var used: UInt64
        /// The `generation` its computation started in: a value of an earlier one is only a fallback.
        var generation: Int
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var running: [String: (task: Task<Value, any Error>, since: ContinuousClock.Instant)] = [:]
    private var tick: UInt64 = 0
    /// Bumped by `invalidate`, so that a computation started before an invalidation is not served as current.
    private var generation = 0
    private(set) var maxEntries: Int
    private(set) var maxBytes: Int
    private let cost: @Sendable (Value) -> Int

    init(maxEntries: Int, maxBytes: Int, cost: @escaping @Sendable (Value) -> Int) {
        self.maxEntries = max(1, maxEntries)
        self.maxBytes = max(1, maxBytes)
        self.cost = cost
    }

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
    func fallback(for key: String) -> Value? {
        lock.withLock {
            guard var e = entries[key] else { return nil }
            tick += 1
            e.used = tick
            entries[key] = e
            return e.value
        }
    }

    /// How long the current computation of `key` has been going, or nil when none is.
    func computing(_ key: String) -> Duration? {
        lock.withLock { running[key].map { ContinuousClock.now - $0.since } }
    }

    /// The cached value for `key`, or the one `make` returns (shared with every caller that asks meanwhile).
    func value(for key: String, ttl: TimeInterval, make: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let task: Task<Value, any Error> = lock.withLock {
            if var hit = entries[key], hit.generation == generation, Date().timeIntervalSince(hit.at) < ttl {
                tick += 1
                hit.used = tick
                entries[key] = hit
                let value = hit.value
                return Task { value }
            }
            if let r = running[key] { return r.task }
            let started = generation
            // Kept before anyone is handed the value, so a caller that has it finds it kept.
            let t = Task { [weak self] in
                let result: Result<Value, any Error>
                do { result = .success(try await make()) } catch { result = .failure(error) }
                self?.finish(key, result, generation: started)
                return try result.get()
            }
            running[key] = (t, .now)
            return t
        }
        return try await task.value
    }

    private func finish(_ key: String, _ result: Result<Value, any Error>, generation started: Int) {
        lock.withLock {
            if started == generation { running[key] = nil }
            guard case .success(let value) = result else { return }
            // A value made before an invalidation is still newer than an older fallback; it never replaces a
            // value begun later.
            if let e = entries[key], e.generation > started { return }
            let size = cost(value)
            tick += 1
            entries[key] = Entry(value: value, at: Date(), bytes: size, used: tick, generation: started)
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
