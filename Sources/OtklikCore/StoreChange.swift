import Synchronization

/// What a committed write changed, as far as what a server remembers from the store is concerned.
public enum StoreChange: Sendable, Hashable {
    /// Incidents were created or changed status at these locations (and nothing else changed).
    case written([GeoPoint])
    /// Something changed whose extent is not known: a bulk load, replaced areas, another process's commit
    /// that says no more than that it happened, or a notification that may have been missed.
    case everything

    /// Nothing written yet: where a change is gathered from several.
    public static let nothing = StoreChange.written([])

    /// Adds `other` to this change: the points of both, or everything once either is everything or together they
    /// pass `pointLimit` points (dropping every cached tile then costs less than remembering the list).
    public mutating func add(_ other: StoreChange, pointLimit: Int = StoreChangeBuffer.pointLimit) {
        guard case .written(var points) = self, case .written(let more) = other, points.count + more.count <= pointLimit else {
            self = .everything
            return
        }
        self = .everything   // lets `points` be extended in place
        points.append(contentsOf: more)
        self = .written(points)
    }
}

/// Writes that other writers commit to the same database: other server instances, an `otklik import` beside
/// the server. A server drops what each change made stale (see `ApplicationServices.apply`); its own writes
/// it has already dropped when they returned, so a feed leaves them out where it can tell them apart.
public protocol StoreChangeFeed: Sendable {
    /// Starts watching the database and yields each change seen, until the consumer stops iterating (or its
    /// task is cancelled). Changes that arrive faster than they are consumed are merged, and past
    /// `StoreChangeBuffer.pointLimit` points they become `.everything`, so a slow consumer costs no memory.
    func changes() -> AsyncStream<StoreChange>
}

/// The changes seen and not yet consumed, merged into one: a bounded queue between a feed's watcher and its
/// consumer. `next()` waits until something is pending and takes all of it.
public final class StoreChangeBuffer: Sendable {
    /// Past this many pending points, the pending change is `.everything`: dropping every cached tile costs
    /// less than remembering an unbounded list, and a consumer this far behind has lost nothing.
    public static let pointLimit = 10_000

    private struct State {
        /// What was added since the consumer last took it, merged.
        var pending: StoreChange?
        var waiter: CheckedContinuation<StoreChange?, Never>?
        var finished = false

        mutating func take() -> StoreChange? {
            defer { pending = nil }
            return pending
        }
    }

    private let state = Mutex(State())
    private let pointLimit: Int

    public init(pointLimit: Int = StoreChangeBuffer.pointLimit) {
        self.pointLimit = pointLimit
    }

    /// Adds a change; wakes the consumer when it waits.
    public func add(_ change: StoreChange) {
        let woken: (CheckedContinuation<StoreChange?, Never>, StoreChange?)? = state.withLock { s in
            guard !s.finished else { return nil }
            var merged = s.take() ?? .nothing
            merged.add(change, pointLimit: pointLimit)
            s.pending = merged
            guard let w = s.waiter else { return nil }
            s.waiter = nil
            return (w, s.take())
        }
        if let (w, change) = woken { w.resume(returning: change) }
    }

    /// Everything added since the last call, merged; waits when nothing is pending. Nil once `finish` was
    /// called and nothing is left, or when the calling task is cancelled.
    public func next() async -> StoreChange? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<StoreChange?, Never>) in
                let ready: StoreChange?? = state.withLock { s in
                    if s.pending != nil { return .some(s.take()) }
                    if s.finished || Task.isCancelled { return .some(nil) }
                    s.waiter = c
                    return nil
                }
                if let ready { c.resume(returning: ready) }
            }
        } onCancel: {
            finish()
        }
    }

    /// No more changes: a waiting consumer gets nil, and so does every later `next()` once the pending change
    /// is taken.
    public func finish() {
        let waiter = state.withLock { s in
            s.finished = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// A stream of this buffer's changes, fed by `watch` in a task of its own that is cancelled when the
    /// consumer stops or the stream is released. What `watch` adds is merged while the consumer is busy.
    public static func stream(pointLimit: Int = StoreChangeBuffer.pointLimit,
                              watch: @escaping @Sendable (StoreChangeBuffer) async -> Void) -> AsyncStream<StoreChange> {
        let buffer = StoreChangeBuffer(pointLimit: pointLimit)
        let watcher = Watcher(Task {
            await watch(buffer)
            buffer.finish()
        })
        return AsyncStream(unfolding: {
            // Holding the watcher here ties its life to the stream's.
            withExtendedLifetime(watcher) {}
            return await buffer.next()
        }, onCancel: {
            watcher.task.cancel()
        })
    }

    /// Cancels the watching task when the last reference (the stream's) goes.
    private final class Watcher: Sendable {
        let task: Task<Void, Never>
        init(_ task: Task<Void, Never>) { self.task = task }
        deinit { task.cancel() }
    }
}
