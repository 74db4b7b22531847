import Foundation
import OtklikCore
import OtklikHTTP
@testable import OtklikServices
import Synchronization
import Testing

@Suite struct AnalysisCacheTests {
    /// Thirty reports whose `since` differs only in the instant within one day cost one analysis.
    @Test func sinceInstantsWithinADayShareOneAnalysis() async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        try await Harness.seed(store, count: 40)
        let service = HotspotService(store: store, taxonomy: Harness.taxonomy)
        let day = Date(timeIntervalSince1970: 1_735_689_600 + 3 * 86_400)
        for k in 0..<30 {
            let since = day.addingTimeInterval(Double(k) * 997)
            _ = try await service.analyse(IncidentFilter(window: TimeWindow(start: since)))
        }
        #expect(service.cacheUsage.entries == 1)
    }

    @Test func analysedWindowCoversWholeUTCDays() {
        let f = IncidentFilter(window: TimeWindow(start: Date(timeIntervalSince1970: 86_400 * 10 + 5),
                                                  end: Date(timeIntervalSince1970: 86_400 * 12 + 1)))
        let a = HotspotService.analysed(f)
        #expect(a.window.start == Date(timeIntervalSince1970: 86_400 * 10))
        #expect(a.window.end == Date(timeIntervalSince1970: 86_400 * 13))
    }

    /// Each distinct filter used to stay cached for ever; now the least recently used goes past the bound.
    @Test func analysisCacheKeepsAtMostItsEntries() async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        try await Harness.seed(store, count: 40)
        let service = HotspotService(store: store, taxonomy: Harness.taxonomy)
        service.setCacheLimits(entries: 2, bytes: 1 << 30)
        for k in 0..<3 {
            let since = Harness.start.addingTimeInterval(Double(k) * 86_400)
            _ = try await service.analyse(IncidentFilter(window: TimeWindow(start: since, end: nil)))
        }
        #expect(service.cacheUsage.entries == 2)
        service.setCacheLimits(entries: 10, bytes: 1)
        #expect(service.cacheUsage.entries == 0)
        // A category filter analyses every category (they are each other's background): one analysis for all.
        service.setCacheLimits(entries: 10, bytes: 1 << 30)
        for c in Harness.categories { _ = try await service.analyse(IncidentFilter(categories: [c])) }
        #expect(service.cacheUsage.entries == 1)
    }

    @Test func evictsTheLeastRecentlyUsedByBytes() async throws {
        let cache = AnalysisCache<Int>(maxEntries: 10, maxBytes: 300, cost: { _ in 100 })
        for k in ["a", "b", "c"] { _ = try await cache.value(for: k, ttl: 60) { 1 } }
        _ = try await cache.value(for: "a", ttl: 60) { 1 }  // a is now the most recent
        let made = Tally()
        _ = try await cache.value(for: "d", ttl: 60) { 1 }  // evicts b
        _ = try await cache.value(for: "a", ttl: 60) { made.add(); return 1 }
        #expect(made.value == 0)
        _ = try await cache.value(for: "b", ttl: 60) { made.add(); return 1 }
        #expect(made.value == 1)
        #expect(cache.count == 3)
    }

    /// A value over the whole budget used to be handed out and dropped, so a caller that retried after a 503
    /// started the same long analysis again and never got an answer; now it stays, alone.
    @Test func aValueOverTheBudgetIsKeptAlone() async throws {
        let cache = AnalysisCache<Int>(maxEntries: 10, maxBytes: 300, cost: { $0 })
        for k in ["a", "b"] { _ = try await cache.value(for: k, ttl: 60) { 100 } }
        #expect(cache.count == 2)
        _ = try await cache.value(for: "big", ttl: 60) { 1_000 }
        #expect(cache.count == 1)
        #expect(cache.bytes == 1_000)
        let made = Tally()
        let again = try await cache.value(for: "big", ttl: 60) { made.add(); return 1_000 }
        #expect(again == 1_000)
        #expect(made.value == 0)
        // The next value within the budget pushes it out, as the least recently used.
        _ = try await cache.value(for: "c", ttl: 60) { 100 }
        #expect(cache.count == 1)
        #expect(cache.bytes == 100)
    }

    /// An invalidation makes every value out of date but keeps it as the fallback; a computation begun before the
    /// invalidation finishes into the fallback, and never over a value begun after it.
    @Test func invalidatedValuesStayAsFallbacks() async throws {
        let cache = AnalysisCache<Int>(maxEntries: 10, maxBytes: 1_000, cost: { _ in 1 })
        _ = try await cache.value(for: "k", ttl: 60) { 1 }
        cache.invalidate()
        #expect(cache.fallback(for: "k") == 1)
        #expect(cache.fallback(for: "other") == nil)
        let (release, releaseCont) = AsyncStream.makeStream(of: Void.self)
        let (begun, begunCont) = AsyncStream.makeStream(of: Void.self)
        let slow = Task {
            try await cache.value(for: "k", ttl: 60) {
                begunCont.yield()
                for await _ in release { break }
                return 2
            }
        }
        for await _ in begun { break }
        cache.invalidate()
        #expect(try await cache.value(for: "k", ttl: 60) { 3 } == 3, "begun after the second invalidation: current")
        releaseCont.yield()
        #expect(try await slow.value == 2)
        #expect(cache.fallback(for: "k") == 3, "the value begun earlier does not replace the later one")
        let made = Tally()
        #expect(try await cache.value(for: "k", ttl: 60) { made.add(); return 4 } == 3)
        #expect(made.value == 0)
    }

    /// After a write, area counts that took long answer from the last count while the new one is made; quick
    /// ones are waited for, so a write shows at once.
    @Test func slowAreaCountsAnswerFromTheLastCountAfterAWrite() async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        try await Harness.seed(store, count: 60)
        let rollups = RollupCache(store: store, taxonomy: Harness.taxonomy, ttl: 600)
        #expect(try await rollups.snapshot().total == 60, "nothing counted before: the caller waits")

        // Every count counts as slow, and nobody waits for a new one.
        rollups.setStalePolicy(wait: .zero, after: .zero)
        _ = try await store.insert([Harness.incident(60)], actor: "test")
        rollups.invalidate()
        #expect(try await rollups.snapshot().total == 60, "the count from before the write")
        var total = 0
        for _ in 0..<500 {
            total = try await rollups.snapshot().total
            if total == 61 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(total == 61, "the count begun after the write replaces it when it ends")

        // Counts this quick are waited for.
        rollups.setStalePolicy(wait: .zero, after: .seconds(3600))
        _ = try await store.insert([Harness.incident(61)], actor: "test")
        rollups.invalidate()
        #expect(try await rollups.snapshot().total == 62)
    }

    /// `OTKLIK_STALE_AFTER` sets the threshold; a value that is not a positive number keeps the defaults.
    @Test func theStaleThresholdIsReadFromTheEnvironment() {
        #expect(AppConfiguration().staleAfter == nil)
        #expect(AppConfiguration().overridden(by: ["OTKLIK_STALE_AFTER": "7.5"]).staleAfter == .milliseconds(7_500))
        #expect(AppConfiguration().overridden(by: ["OTKLIK_STALE_AFTER": "0"]).staleAfter == nil)
        #expect(AppConfiguration().overridden(by: ["OTKLIK_STALE_AFTER": "soon"]).staleAfter == nil)
    }

    @Test func concurrentCallersShareOneComputation() async throws {
        let cache = AnalysisCache<Int>(maxEntries: 4, maxBytes: 1_000, cost: { _ in 1 })
        let made = Tally()
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await cache.value(for: "k", ttl: 60) {
                        made.add()
                        try await Task.sleep(for: .milliseconds(100))
                        return 42
                    }
                }
            }
            for try await v in group { #expect(v == 42) }
        }
        #expect(made.value == 1)
    }
}

final class Tally: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
