import Foundation
import OtklikTestSupport
import Hummingbird
import HummingbirdTesting
import Testing
@testable import OtklikHTTP
import OtklikServices

/// The round trip through clients nobody here wrote, over a real socket: scripts/open311-roundtrip.py posts
/// 100 requests in FixMyStreet's form format and lists them back with the `georeport` PyPI client in XML and
/// JSON, comparing every field. Skips when Python or the client package is missing.
@Suite struct Open311RoundTripTests {
    /// python3 as the PATH finds it, so that the interpreter pip installed the client into is the one used.
    static func python(_ args: [String]) throws -> (status: Int32, output: String) {
        try run("/usr/bin/env", ["python3"] + args)
    }

    static var clientAvailable: Bool {
        (try? python(["-c", "import georeport, xmltodict, requests"]).status) == 0
    }

    static func run(_ tool: String, _ args: [String]) throws -> (status: Int32, output: String) {
        try ExternalProcess.run(tool, args)
    }

    @Test(.enabled(if: clientAvailable, "python3 with georeport is absent (pip install georeport==0.3.1)"))
    func hundredRequestsRoundTripThroughFixMyStreetFormAndGeoreportClient() async throws {
        let t = try await Open311TestApp()
        let app = Application(router: t.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let script = Open311TestApp.root.appendingPathComponent("scripts/open311-roundtrip.py").path
            let categories = Open311TestApp.root.appendingPathComponent("data/categories.json").path
            let result = try await Task.detached {
                try Self.python([script, "http://127.0.0.1:\(port)", "--api-key", Open311TestApp.operatorKey,
                                            "--count", "100", "--categories", categories])
            }.value
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("100 requests posted"))
            #expect(result.output.contains(" 0 failed"))
        }
        do {
            let got = try await t.count
            #expect(got == 100)
        }
    }
}
