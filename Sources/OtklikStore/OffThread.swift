import Dispatch

/// A computation started on another thread, whose result the caller waits for later. For CPU work that can
/// run beside the writer's own, on a queue of the writer where a blocking wait is fine (not in a task).
final class OffThread<Input: Sendable, T: Sendable>: @unchecked Sendable {
    // `input` is taken by the worker; `result` is written by it before `done` is signalled and read only
    // after waiting for it.
    private var input: Input?
    private var result: T?
    private let done = DispatchSemaphore(value: 0)

    /// Starts `work` on `input`, which the worker takes over: when it is the only reference to an array's
    /// storage, `work` can change the array in place without copying it.
    init(_ input: consuming Input, _ work: @escaping @Sendable (consuming Input) -> T) {
        self.input = consume input
        DispatchQueue.global(qos: .userInitiated).async {
            let taken = self.input.take()!
            self.result = work(consume taken)
            self.done.signal()
        }
    }

    /// Waits for the result. Call once.
    func value() -> T {
        done.wait()
        return result.take()!
    }
}
