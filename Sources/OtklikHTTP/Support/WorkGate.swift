import Foundation
import Hummingbird
import OtklikServices
import Synchronization

/// The server's `HeavyWork`: a limit per kind of heavy request, and worker threads of its own for their CPU-bound
/// part. A request past its kind's limit is refused at once with 503, `Retry-After` and a problem document rather
/// than queued, so that a burst of heavy requests cannot build a backlog that outlives the clients waiting for it;
/// cheap requests (/healthz, tiles from cache, feature pages) never wait behind heavy ones, because heavy work
/// neither runs on nor blocks Swift's cooperative pool.
final class WorkGate: HeavyWork {
    struct Limits: Sendable, Hashable {
        var analyses: Int
        var routes: Int
        var retryAfterSeconds: Int
        /// How long a request waits for a cold analysis (see `waitWithinDeadline`); nil: as long as it takes.
        var analysisDeadline: Duration? = nil
    }

    private let limits: Limits
    private let running = Mutex([HeavyWorkKind: Int]())
    private let metrics: Metrics?

    init(limits: Limits, metrics: Metrics?) {
        self.limits = limits
        self.metrics = metrics
    }

    func limit(_ kind: HeavyWorkKind) -> Int {
        switch kind {
        case .analysis: limits.analyses
        case .route: limits.routes
        }
    }

    func admit<T: Sendable>(_ kind: HeavyWorkKind, _ body: () async throws -> T) async throws -> T {
        let allowed = limit(kind)
        let admitted = running.withLock { r in
            guard r[kind, default: 0] < allowed else { return false }
            r[kind, default: 0] += 1
            return true
        }
        guard admitted else {
            metrics?.shed(kind.rawValue)
            throw Problem.busy(kind, limit: allowed, retryAfter: limits.retryAfterSeconds)
        }
        defer { running.withLock { $0[kind, default: 1] -= 1 } }
        return try await body()
    }

    /// A request past the deadline gets 503 with `Retry-After`; the analysis runs on (its place in the limit
    /// stays taken until it ends) and its result goes into the cache, where the retry finds it.
    func waitWithinDeadline<T: Sendable>(_ kind: HeavyWorkKind, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        guard kind == .analysis, let deadline = limits.analysisDeadline else { return try await body() }
        switch await waitAtMost(deadline, for: body) {
        case .finished(let result):
            return try result.get()
        case .late:
            metrics?.shed(kind.rawValue + "_deadline")
            throw Problem.pastDeadline(kind, deadline: deadline, retryAfter: limits.retryAfterSeconds)
        }
    }

    func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            WorkerPool.shared.submit { continuation.resume(with: Result { try body() }) }
        }
    }
}

extension Problem {
    static func busy(_ kind: HeavyWorkKind, limit: Int, retryAfter: Int) -> Problem {
        let what = kind == .route ? "route plans" : "hotspot analyses"
        return Problem(.serviceUnavailable, slug: "busy", title: "Server busy",
                       detail: "\(limit) \(what) are already being computed; try again in \(retryAfter) s",
                       headers: [.retryAfter: String(retryAfter)])
    }
}

extension Problem {
    static func pastDeadline(_ kind: HeavyWorkKind, deadline: Duration, retryAfter: Int) -> Problem {
        let s = deadline.seconds
        let seconds = s == s.rounded() ? String(Int(s)) : String(s)
        return Problem(.serviceUnavailable, slug: "busy", title: "Server busy",
                detail: "the hotspot analysis for this filter takes longer than \(seconds) s; it goes on and its result is kept: try again in \(retryAfter) s",
                headers: [.retryAfter: String(retryAfter)])
    }
}

/// Threads outside Swift's cooperative pool, at a lower scheduling priority than the event loops and the pool,
/// so that on a machine with few cores a running route plan slows down before /healthz does. One pool per
/// process (every application in a test run shares it); the gates' limits bound what waits in it.
final class WorkerPool: Sendable {
    static let shared = WorkerPool(threads: max(2, ProcessInfo.processInfo.activeProcessorCount))

    private let jobs = Mutex([@Sendable () -> Void]())
    private let ready = DispatchSemaphore(value: 0)
    private let workers = Mutex(Set<UInt>())

    /// Whether the calling thread is one of the pool's.
    var isWorkerThread: Bool {
        let me = Self.currentThread()
        return workers.withLock { $0.contains(me) }
    }

    private static func currentThread() -> UInt {
        #if os(Linux)
        UInt(pthread_self())
        #else
        UInt(bitPattern: pthread_self())
        #endif
    }

    init(threads: Int) {
        for i in 0..<threads {
            let thread = Thread { [self] in self.loop(name: "otklik-heavy-\(i)") }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        jobs.withLock { $0.append(job) }
        ready.signal()
    }

    private func loop(name: String) {
        Thread.current.name = name
        let me = Self.currentThread()
        workers.withLock { _ = $0.insert(me) }
        #if os(Linux)
        // On Linux `nice` sets the calling thread's value, not the process's.
        _ = nice(10)
        #endif
        while true {
            ready.wait()
            let job = jobs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            job?()
        }
    }
}
