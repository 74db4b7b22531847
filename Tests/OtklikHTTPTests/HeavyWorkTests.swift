import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import OtklikCore
@testable import OtklikHTTP
import OtklikServices
import Testing

@Suite struct HeavyWorkTests {
    static func withApp(_ configure: (inout AppConfiguration) -> Void,
                        _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        _ = try await RouteSeed.seed(store)
        var config = Harness.config()
        configure(&config)
        var logger = Logger(label: "otklik-http-test")
        logger.logLevel = .critical
        let app = try buildApplication(configuration: config, core: Harness.core(store: store), logger: logger)
        try await app.test(.router) { client in try await body(client) }
    }

    /// A route request past the limit is shed at once with a problem document that says when to come back.
    @Test func routePastTheConcurrencyLimitGets503WithRetryAfter() async throws {
        try await Self.withApp({ $0.maxConcurrentRoutes = 0; $0.busyRetryAfterSeconds = 7 }) { client in
            let r = try await RouteSeed.get(client, "targets=incidents&start=\(RouteSeed.start)&format=csv")
            #expect(r.status == .serviceUnavailable)
            #expect(r.headers[.retryAfter] == "7")
            #expect(r.headers[.contentType] == "application/problem+json")
            let doc = try Harness.json(r.body)
            #expect(doc["type"]?.str == "/problems/busy")
            #expect(doc["status"]?.int == 503)
            try await client.execute(uri: "/metrics", method: .get) { m in
                #expect(String(buffer: m.body).contains("otklik_heavy_requests_shed_total{kind=\"route\"} 1"))
            }
        }
    }

    @Test func gateAdmitsUpToItsLimitAndRefusesTheNext() async throws {
        let gate = WorkGate(limits: .init(analyses: 1, routes: 2, retryAfterSeconds: 3), metrics: nil)
        let (entered, enteredCont) = AsyncStream.makeStream(of: Void.self)
        let (release, releaseCont) = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            try await gate.admit(.analysis) {
                enteredCont.yield()
                for await _ in release { break }
                return 1
            }
        }
        for await _ in entered { break }
        await #expect(throws: Problem.self) { try await gate.admit(.analysis) { 2 } }
        // Another kind has its own places.
        #expect(try await gate.admit(.route) { 3 } == 3)
        releaseCont.yield()
        #expect(try await holder.value == 1)
        #expect(try await gate.admit(.analysis) { 4 } == 4)
    }

    @Test func offloadRunsOffTheCooperativePool() async throws {
        let gate = WorkGate(limits: .init(analyses: 1, routes: 1, retryAfterSeconds: 1), metrics: nil)
        #expect(try await gate.offload { WorkerPool.shared.isWorkerThread })
        #expect(!WorkerPool.shared.isWorkerThread)
    }

    /// Without a key a route never has more stops than the public ceiling, whatever `max_stops` asks; with a
    /// key the same request is planned in full.
    @Test func anonymousRouteIsHeldToThePublicCeiling() async throws {
        try await Self.withApp({ $0.publicRouteMaxStops = 2 }) { client in
            let query = "targets=incidents&start=\(RouteSeed.start)&max_stops=50&format=geojson"
            let anonymous = try await RouteSeed.get(client, query)
            #expect(anonymous.status == .ok)
            #expect(try RouteSeed.stops(anonymous).count == 2)
            let keyed = try await client.execute(uri: "/api/v1/routes?" + query, method: .get,
                                                 headers: Harness.bearer(Harness.operatorKey)) { $0 }
            #expect(keyed.status == .ok)
            #expect(try RouteSeed.stops(keyed).count == 5)
        }
    }
}

/// A cold analysis past its deadline: the request is answered 503 with `Retry-After`, and the analysis runs on
/// to fill the cache, so that the retry finds it. The analyses here are held until the test lets them go, so
/// the deadline (a few milliseconds) always passes first; nothing is timed.
@Suite struct AnalysisDeadlineTests {
    /// Holds every analysis at its admission until `release` yields, then admits it through `gate`.
    final class HeldWork: HeavyWork {
        let gate: WorkGate
        let release: AsyncStream<Void>
        let admitted = Tally()

        init(gate: WorkGate, release: AsyncStream<Void>) {
            self.gate = gate
            self.release = release
        }

        func admit<T: Sendable>(_ kind: HeavyWorkKind, _ body: () async throws -> T) async throws -> T {
            admitted.add()
            for await _ in release { break }
            return try await gate.admit(kind, body)
        }

        func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T { try await gate.offload(body) }

        func waitWithinDeadline<T: Sendable>(_ kind: HeavyWorkKind, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
            try await gate.waitWithinDeadline(kind, body)
        }
    }

    /// Counts admissions and imposes no deadline.
    struct CountingWork: HeavyWork {
        let admitted = Tally()
        func admit<T: Sendable>(_ kind: HeavyWorkKind, _ body: () async throws -> T) async throws -> T {
            admitted.add()
            return try await body()
        }
        func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T { try body() }
    }

    static func eventually(_ condition: () -> Bool) async throws -> Bool {
        let end = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < end {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    @Test func pastTheDeadlineTheCallerGets503AndTheWorkRunsOn() async throws {
        let gate = WorkGate(limits: .init(analyses: 1, routes: 1, retryAfterSeconds: 4, analysisDeadline: .milliseconds(5)),
                            metrics: nil)
        let (release, releaseCont) = AsyncStream.makeStream(of: Void.self)
        let finished = Tally()
        do {
            let v = try await gate.waitWithinDeadline(.analysis) {
                for await _ in release { break }
                finished.add()
                return 1
            }
            Issue.record("the deadline did not apply: \(v)")
        } catch let p as Problem {
            #expect(p.status == .serviceUnavailable)
            #expect(p.headers[.retryAfter] == "4")
            #expect(p.slug == "busy")
            #expect(p.detail.contains("goes on and its result is kept: try again in 4 s"))
        }
        #expect(finished.value == 0)
        releaseCont.yield()
        #expect(try await Self.eventually { finished.value == 1 })
        // Work within its deadline, and work of other kinds, is simply awaited. (The quick case has a deadline of
        // its own: on a loaded machine even an immediate body may start later than 5 ms.)
        let roomy = WorkGate(limits: .init(analyses: 1, routes: 1, retryAfterSeconds: 4, analysisDeadline: .seconds(60)),
                             metrics: nil)
        #expect(try await roomy.waitWithinDeadline(.analysis) { 2 } == 2)
        #expect(try await gate.waitWithinDeadline(.route) { try await Task.sleep(for: .milliseconds(50)); return 3 } == 3)
    }

    /// After a write, a filter whose analysis took long answers from its last analysis while the new one is held
    /// (a large store's analysis takes longer than writes come in), and from the new one once it is in the cache.
    /// (Here every analysis counts as long; a quick one is waited for, which the write tests show.)
    @Test func afterAWriteTheLastAnalysisAnswersUntilTheNewOneIsReady() async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        try await Harness.seed(store, count: 60)
        let service = HotspotService(store: store, taxonomy: Harness.taxonomy)
        service.setStalePolicy(wait: .milliseconds(20), after: .zero)
        let before = try await service.analyse(.all)
        #expect(before.points.count == 60)

        _ = try await store.insert([Harness.incident(60)], actor: "test")
        service.invalidate()
        let (release, releaseCont) = AsyncStream.makeStream(of: Void.self)
        let held = HeldWork(gate: WorkGate(limits: .init(analyses: 2, routes: 2, retryAfterSeconds: 4,
                                                          analysisDeadline: .seconds(600)), metrics: nil),
                            release: release)
        service.setHeavyWork(held)
        let meanwhile = try await service.analyse(.all)
        #expect(meanwhile.points.count == 60, "the analysis from before the write")
        #expect(try await Self.eventually { held.admitted.value == 1 })
        // Asked again while it is held: the same computation, not a second one.
        #expect(try await service.analyse(.all).points.count == 60)
        #expect(held.admitted.value == 1)

        releaseCont.yield()
        service.setStalePolicy(wait: .seconds(600), after: .zero)
        #expect(try await service.analyse(.all).points.count == 61)
        #expect(held.admitted.value == 1)

        // Nothing analysed before: no last analysis to answer, so the caller waits (here past the deadline: 503).
        let cold = HotspotService(store: store, taxonomy: Harness.taxonomy)
        cold.setHeavyWork(WorkGate(limits: .init(analyses: 0, routes: 1, retryAfterSeconds: 4), metrics: nil))
        await #expect(throws: Problem.self) { _ = try await cold.analyse(.all) }
    }

    @Test func coldHotspotLayerPastTheDeadlineIs503ThenServedFromTheCache() async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        try await Harness.seed(store, count: 60)
        let core = Harness.core(store: store, analysis: nil)
        var logger = Logger(label: "otklik-http-test")
        logger.logLevel = .critical
        let app = try buildApplication(configuration: Harness.config(), core: core, logger: logger)
        let (release, releaseCont) = AsyncStream.makeStream(of: Void.self)
        let metrics = Metrics()
        let held = HeldWork(gate: WorkGate(limits: .init(analyses: 2, routes: 2, retryAfterSeconds: 4,
                                                          analysisDeadline: .milliseconds(5)), metrics: metrics),
                            release: release)
        core.hotspots.setHeavyWork(held)
        try await app.test(.router) { client in
            let cold = try await client.execute(uri: "/ogc/collections/hotspots/items", method: .get) { $0 }
            #expect(cold.status == .serviceUnavailable)
            #expect(cold.headers[.retryAfter] == "4")
            #expect(cold.headers[.contentType] == "application/problem+json")
            let doc = try Harness.json(cold.body)
            #expect(doc["type"]?.str == "/problems/busy")
            #expect(doc["detail"]?.str?.contains("try again in 4 s") == true)
            #expect(metrics.render(gauges: []).contains("otklik_heavy_requests_shed_total{kind=\"analysis_deadline\"} 1"))
            #expect(held.admitted.value == 1)
            releaseCont.yield()
            #expect(try await Self.eventually { core.hotspots.cacheUsage.entries == 1 })
            let counting = CountingWork()
            core.hotspots.setHeavyWork(counting)
            let warm = try await client.execute(uri: "/ogc/collections/hotspots/items", method: .get) { $0 }
            #expect(warm.status == .ok)
            #expect(try Harness.json(warm.body)["type"]?.str == "FeatureCollection")
            #expect(counting.admitted.value == 0)
        }
    }
}
