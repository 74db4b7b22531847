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
