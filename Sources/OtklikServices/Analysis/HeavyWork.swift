import Synchronization

/// The kinds of work that can hold a CPU for seconds; each has its own limit in the server.
public enum HeavyWorkKind: String, Sendable, CaseIterable {
    /// A hotspot analysis that is not cached: reading the incidents and running the engine.
    case analysis
    /// Planning an inspector's route.
    case route
}

/// Where heavy work runs and how much of it at once. The HTTP server supplies one that refuses work past a
/// limit per kind and runs the CPU-bound part on threads of its own, so that Swift's cooperative pool (and with
/// it /healthz, tiles and feature pages) is never taken by an analysis or a route; the CLI runs everything inline.
public protocol HeavyWork: Sendable {
    /// Holds one of `kind`'s places while `body` runs; throws without running it when all are taken.
    func admit<T: Sendable>(_ kind: HeavyWorkKind, _ body: () async throws -> T) async throws -> T
    /// Runs CPU-bound `body` on a thread outside Swift's cooperative pool.
    func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T
    /// Waits for `body` at most `kind`'s deadline; past it throws while `body` runs on to its end. For work
    /// whose result outlives the caller, such as an analysis that fills a shared cache: abandoning it would waste
    /// what it has done, and every retry would start again and miss the deadline again.
    func waitWithinDeadline<T: Sendable>(_ kind: HeavyWorkKind, _ body: @escaping @Sendable () async throws -> T) async throws -> T
}

extension HeavyWork {
    /// No deadline: the caller waits as long as `body` takes.
    public func waitWithinDeadline<T: Sendable>(_ kind: HeavyWorkKind, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await body()
    }
}

/// Everything on the caller's task, no limits: for the CLI and for tests that do not care.
public struct InlineWork: HeavyWork {
    public init() {}
    public func admit<T: Sendable>(_ kind: HeavyWorkKind, _ body: () async throws -> T) async throws -> T { try await body() }
    public func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T { try body() }
}

/// What became of work waited for at most a while.
public enum Waited<T: Sendable>: Sendable {
    case finished(Result<T, any Error>)
    /// The wait ran out first; the work goes on.
    case late
}

/// Waits for `body` at most `wait`; `body` runs on to its end either way, on a task of its own. (Awaiting a task's
/// value cannot be cancelled, so a task group racing it against a timer would wait for it anyway.)
public func waitAtMost<T: Sendable>(_ wait: Duration, for body: @escaping @Sendable () async throws -> T) async -> Waited<T> {
    await withCheckedContinuation { (continuation: CheckedContinuation<Waited<T>, Never>) in
        let once = ResumeOnce(continuation)
        let timer = Task {
            try await Task.sleep(for: wait)
            once.resume(.late)
        }
        Task {
            let result: Result<T, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            timer.cancel()
            once.resume(.finished(result))
        }
    }
}

/// Resumes a continuation once: the first of several racing outcomes wins.
private final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, Never>?>

    init(_ continuation: CheckedContinuation<T, Never>) { self.continuation = Mutex(continuation) }

    func resume(_ value: T) {
        continuation.withLock { c in defer { c = nil }; return c }?.resume(returning: value)
    }
}
