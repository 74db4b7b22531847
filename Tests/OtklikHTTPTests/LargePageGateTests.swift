import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import OtklikCore
@testable import OtklikHTTP
import OtklikServices
import Testing

/// Pages of more than one chunk hold memory for as long as their client takes to read them; only so many are
/// sent at once, and pages of a chunk or less are never held back.
@Suite struct LargePageGateTests {
    final class Held: @unchecked Sendable {
        var slot: PageGate.Slot?
        init(_ slot: PageGate.Slot?) { self.slot = slot }
    }

    @Test func largePagesPastTheLimitAreShedAndSmallOnesNever() async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        try await Harness.seed(store, count: 30)
        var config = Harness.config()
        config.maxConcurrentLargePages = 1
        config.busyRetryAfterSeconds = 6
        var logger = Logger(label: "otklik-http-test")
        logger.logLevel = .critical
        let services = AppServices(config: config, core: Harness.core(store: store), keys: try config.loadKeys(), logger: logger)
        let gate = services.largePages
        #expect(try gate.admit(features: OGCRoutes.chunkSize) == nil)
        let held = Held(try gate.admit(features: OGCRoutes.chunkSize + 1))
        #expect(held.slot != nil)
        #expect(gate.inUse == 1)
        try await Application(router: buildRouter(services)).test(.router) { client in
            let shed = try await client.execute(uri: "/ogc/collections/incidents/items?limit=1001", method: .get) { $0 }
            #expect(shed.status == .serviceUnavailable)
            #expect(shed.headers[.retryAfter] == "6")
            #expect(shed.headers[.contentType] == "application/problem+json")
            let doc = try Harness.json(shed.body)
            #expect(doc["type"]?.str == "/problems/busy")
            #expect(doc["detail"]?.str == "1 pages of more than 1000 features are already being sent; ask for limit=1000 or less, or try again in 6 s")
            let small = try await client.execute(uri: "/ogc/collections/incidents/items?limit=1000", method: .get) { $0 }
            #expect(small.status == .ok)
            #expect(try Harness.json(small.body)["numberReturned"]?.int == 30)
            held.slot = nil
            #expect(gate.inUse == 0)
            let large = try await client.execute(uri: "/ogc/collections/incidents/items?limit=1001", method: .get) { $0 }
            #expect(large.status == .ok)
            #expect(try Harness.json(large.body)["numberReturned"]?.int == 30)
            // The slot goes back once the page is written.
            #expect(try await AnalysisDeadlineTests.eventually { gate.inUse == 0 })
            try await client.execute(uri: "/metrics", method: .get) { m in
                #expect(String(buffer: m.body).contains("otklik_heavy_requests_shed_total{kind=\"large_page\"} 1"))
            }
        }
    }
}
