import Synchronization

/// A token bucket: holds up to `burst` tokens, gains `rate` per second, and each request takes one.
struct TokenBucket: Sendable, Equatable {
    var tokens: Double
    var at: Double

    init(burst: Double, at: Double) {
        tokens = burst
        self.at = at
    }

    /// Takes a token at time `now` (seconds on a monotonic clock). Returns nil when one was there, else the
    /// seconds until one will be.
    mutating func take(now: Double, rate: Double, burst: Double) -> Double? {
        tokens = min(burst, tokens + max(0, now - at) * rate)
        at = max(at, now)
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return (1 - tokens) / rate
    }
}

/// One bucket per API key name. A key that scrapes contacts or floods intake is slowed to its rate; keys do not
/// share a bucket, so one partner cannot starve another.
final class KeyRateLimiter: Sendable {
    let rate: Double
    let burst: Double
    private let buckets = Mutex<[String: TokenBucket]>([:])
    private let start = ContinuousClock.now

    /// `rate` requests per second, bursts of `burst`; a rate of zero or less turns the limit off.
    init(rate: Double, burst: Int) {
        self.rate = rate
        self.burst = Double(max(1, burst))
    }

    var isOn: Bool { rate > 0 }

    /// nil when `name` may go ahead now; else whole seconds to wait (at least 1), for `Retry-After`.
    func admit(_ name: String, now: ContinuousClock.Instant = .now) -> Int? {
        guard isOn else { return nil }
        let t = (now - start).seconds
        let wait = buckets.withLock { b in
            var bucket = b[name] ?? TokenBucket(burst: burst, at: t)
            let wait = bucket.take(now: t, rate: rate, burst: burst)
            b[name] = bucket
            return wait
        }
        return wait.map { max(1, Int($0.rounded(.up))) }
    }
}
