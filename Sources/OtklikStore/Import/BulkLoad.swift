import Dispatch
import Synchronization

/// One bulk load's writer: a single write access on the store's writer connection that takes prepared chunks
/// as the importer hands them over and commits once a transaction holds `transactionRows` rows.
///
/// Why not one transaction per chunk: when the (source, external_id) key is live (a load into a table that has
/// rows, see BulkIncidentWriter), it takes each row at a random place, so every transaction dirties most of that
/// index's pages, and WAL writes each dirty page at every commit (then once
/// more at the checkpoint). Chunks stay small so that parsing and writing overlap and memory stays at two
/// chunks; transactions are large so that the key's pages are written a few times per import, not once per
/// chunk.
///
/// The importer calls `send` for each chunk and `finish` once, also when it stops early: what was sent is
/// committed. When the writer fails, its transaction is rolled back (earlier commits stay), the next `send`
/// throws its error and so does `finish`.
public final class BulkLoad: Sendable {
    /// Rows per transaction by default (`otklik import --batch-size`).
    public static let transactionRows = 200_000
    /// Rows prepared and handed to the writer at once by default: the pipeline's grain.
    public static let chunkRows = 10_000

    private let handoff: ChunkHandoff
    private let counts = Counts()
    private let writer: Task<Void, any Error>

    init(store: SpatiaLiteStore, actor: String, transactionRows: Int) {
        let handoff = ChunkHandoff()
        self.handoff = handoff
        let counts = self.counts
        writer = Task {
            try await store.writeBulk(actor: actor, transactionRows: max(1, transactionRows),
                                      next: { handoff.take() }, failed: { handoff.fail($0) }, wrote: { counts.add($0) })
        }
    }

    /// What the writer has written so far (committed or in its open transaction), for progress.
    public var written: (inserted: Int, duplicates: Int) { counts.value.withLock { $0 } }

    private final class Counts: Sendable {
        let value = Mutex((inserted: 0, duplicates: 0))
        func add(_ r: (inserted: Int, duplicates: Int)) {
            value.withLock { $0.inserted += r.inserted; $0.duplicates += r.duplicates }
        }
    }

    /// Hands one chunk to the writer. Waits while the writer still holds the previous one.
    public func send(_ chunk: PreparedChunk) async throws {
        guard chunk.count > 0 else { return }
        try await handoff.put(chunk)
    }

    /// Commits what was sent and returns what the load wrote: rows inserted, and rows whose
    /// (source, external_id) was already there.
    public func finish() async throws -> (inserted: Int, duplicates: Int) {
        handoff.close()
        try await writer.value
        return written
    }
}

/// A one-chunk slot between the parsing task and the writer, which runs on the store's writer queue (a thread of
/// its own, not a task) and blocks there while it waits. The producer never blocks a thread: it suspends.
final class ChunkHandoff: Sendable {
    private struct State {
        var slot: PreparedChunk?
        /// A producer whose chunk found the slot full.
        var waiting: (chunk: PreparedChunk, resume: CheckedContinuation<Void, any Error>)?
        var closed = false
        var failure: (any Error)?
    }

    private let state = Mutex(State())
    /// Signalled once for each chunk put in the slot and once when the handoff is closed.
    private let filled = DispatchSemaphore(value: 0)

    func put(_ chunk: PreparedChunk) async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            enum Next { case failed(any Error), placed, wait }
            let next: Next = state.withLock { s in
                if let f = s.failure { return .failed(f) }
                if s.slot == nil { s.slot = chunk; return .placed }
                s.waiting = (chunk, c)
                return .wait
            }
            switch next {
            case .failed(let error): c.resume(throwing: error)
            case .placed: filled.signal(); c.resume()
            case .wait: break
            }
        }
    }

    /// No more chunks: the writer's next `take` after the last chunk returns nil.
    func close() {
        let first = state.withLock { s -> Bool in
            defer { s.closed = true }
            return !s.closed
        }
        if first { filled.signal() }
    }

    /// The writer's side: the next chunk, or nil once the handoff is closed and empty.
    func take() -> PreparedChunk? {
        filled.wait()
        let (chunk, producer) = state.withLock { s -> (PreparedChunk?, CheckedContinuation<Void, any Error>?) in
            let chunk = s.slot
            s.slot = nil
            guard let w = s.waiting else { return (chunk, nil) }
            s.waiting = nil
            s.slot = w.chunk
            return (chunk, w.resume)
        }
        if let producer {
            filled.signal()
            producer.resume()
        }
        return chunk
    }

    /// Whether a producer is waiting for the slot.
    var waitingForSlot: Bool { state.withLock { $0.waiting != nil } }

    /// The writer stopped on an error: a waiting producer and every later `put` get it.
    func fail(_ error: any Error) {
        let producer = state.withLock { s -> CheckedContinuation<Void, any Error>? in
            s.failure = error
            s.slot = nil
            defer { s.waiting = nil }
            return s.waiting?.resume
        }
        producer?.resume(throwing: error)
    }
}
