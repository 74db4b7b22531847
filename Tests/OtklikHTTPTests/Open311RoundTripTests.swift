import Foundation
import OtklikTestSupport
import Hummingbird
import HummingbirdTesting
import Testing
@testable import OtklikHTTP
import OtklikServices

/// The round trip through clients nobody here wrote, over a real socket: scripts/open311-roundtrip.py posts
/// 100 requests in FixMyStreet's form format and lists them back with the `georeport` PyPI client in XML and
/// JSON, comparing every field.
@Suite struct Open311RoundTripTests {
    @Test(.requires(.georeport))
    func hundredRequestsRoundTripThroughFixMyStreetFormAndGeoreportClient() async throws {
        let t = try await Open311TestApp()
        let app = Application(router: t.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let script = Open311TestApp.root.appendingPathComponent("scripts/open311-roundtrip.py").path
            let categories = Open311TestApp.root.appendingPathComponent("data/categories.json").path
            let result = try await ExternalProcess.run(Command(Peers.require(.georeport), [
                script, "http://127.0.0.1:\(port)", "--api-key", Open311TestApp.operatorKey, "--count", "100", "--categories", categories]))
            #expect(result.succeeded, "\(result)")
            #expect(result.output.contains("100 requests posted"))
            #expect(result.output.contains(" 0 failed"))
        }
        do {
            let got = try await t.count
            #expect(got == 100)
        }
    }
}
