import Hummingbird
import Synchronization

/// Bounds how many large feature pages (more than one chunk of features) are sent at once. A page is streamed,
/// but while its client reads slowly or not at all the page still holds a chunk read ahead, the chunk being
/// written and a write buffer, and every page being read at once allocates as much: 300 clients that asked for
/// `limit=10000` and read nothing took the server from 0.13 to 1.5 GB. A slot is held until the page is sent,
/// or until the write timeout drops a client that stopped reading; a page past the limit is shed at once with
/// 503 and `Retry-After`, while pages of one chunk or less are never held back.
final class PageGate: Sendable {
    let limit: Int
    let retryAfterSeconds: Int
    /// The largest page (features) that needs no slot.
    let freeUpTo: Int
    private let taken = Mutex(0)
    private let metrics: Metrics?

    init(limit: Int, freeUpTo: Int, retryAfterSeconds: Int, metrics: Metrics?) {
        self.limit = limit
        self.freeUpTo = freeUpTo
        self.retryAfterSeconds = retryAfterSeconds
        self.metrics = metrics
    }

    /// Gives its place back when the last reference goes, that is when the response body that captured it has
    /// been written out or dropped, on every path.
    final class Slot: Sendable {
        private let gate: PageGate
        fileprivate init(_ gate: PageGate) { self.gate = gate }
        deinit { gate.taken.withLock { $0 -= 1 } }
    }

    var inUse: Int { taken.withLock { $0 } }

    /// A slot for a page of `features`, nil when the page is small enough to need none.
    func admit(features: Int) throws(Problem) -> Slot? {
        guard features > freeUpTo else { return nil }
        let admitted = taken.withLock { n in
            guard n < limit else { return false }
            n += 1
            return true
        }
        guard admitted else {
            metrics?.shed("large_page")
            throw Problem(.serviceUnavailable, slug: "busy", title: "Server busy",
                          detail: "\(limit) pages of more than \(freeUpTo) features are already being sent; ask for limit=\(freeUpTo) or less, or try again in \(retryAfterSeconds) s",
                          headers: [.retryAfter: String(retryAfterSeconds)])
        }
        return Slot(self)
    }
}
