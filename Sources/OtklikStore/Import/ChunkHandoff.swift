import Dispatch
import Synchronization

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
                // The writer has stopped taking chunks: one put now would be lost without a word.
                if s.closed { return .failed(StoreError(.busy, "this bulk load has finished writing; begin another to load more")) }
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
