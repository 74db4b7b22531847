import Foundation
import OtklikTestSupport
import Testing

/// A burst of single-incident POSTs on a freshly started server once stopped it answering anything, /healthz
/// included: the threads of Swift's cooperative pool all waited in a synchronous read of the area locator for a
/// reader connection that nothing left could free. The server runs as its own process here, so that a hang
/// cannot take the test's own threads with it; every wait is bounded and a hang fails the test.
@Suite(.serialized) struct PostBurstTests {
    static let burst = 64
    static let key = "burst-operator-key"
    /// Generous: the whole suite shares two cores. A hung server never answers, however long the wait.
    static let bound = 120.0

    @Test func burstOfConcurrentPostsOnAFreshServerIsAllAcknowledged() async throws {
        let binary = try TestPackage.executable("otklik")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("otklik-burst-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("demo.sqlite").path
        let demo = try await MapPageBrowserTests.run(binary, ["demo", "--db", db, "--count", "300"],
                                                     log: dir.appendingPathComponent("demo.log"))
        try #require(demo.succeeded, "\(demo)")
        let port = try LoopbackPort.free()
        let server = try ExternalProcess.start(Command(binary, ["serve", "--db", db, "--port", String(port), "--key-rate", "0"],
                                                       environment: ["OTKLIK_API_KEYS": "\(Self.key):operator:burst"],
                                                       stderr: .merged, timeout: nil))
        do {
            try await LoadCheckTests.waitForHealthz(port: port)
            let before = try await Self.matched(port)

            // Every connection is open and every request sent before any answer is read.
            let sockets = try (0..<Self.burst).map { _ in try RawSocket(port: port) }
            for (i, s) in sockets.enumerated() {
                let body = IncidentAPITests.feature(externalID: "burst-\(i)", lon: 31.3 + Double(i) * 0.001)
                #expect(s.send("POST /api/v1/incidents HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
                               + "Authorization: Bearer \(Self.key)\r\nContent-Type: application/geo+json\r\n"
                               + "Content-Length: \(body.utf8.count)\r\n\r\n" + body))
            }
            // Answers wait in the sockets' buffers; one deadline bounds reading them all.
            let end = Date().addingTimeInterval(Self.bound)
            var answers: [(closed: Bool, text: String)] = []
            for s in sockets { answers.append(await s.readUntilClosed(within: max(0.5, end.timeIntervalSinceNow))) }
            #expect(answers.count == Self.burst)
            #expect(answers.filter(\.closed).count == Self.burst, "some POSTs were never answered")
            let created = answers.filter { $0.text.hasPrefix("HTTP/1.1 201") }
            #expect(created.count == Self.burst, "\(answers.map { $0.text.prefix(40) }.filter { !$0.hasPrefix("HTTP/1.1 201") })")
            let ids = Set(created.compactMap { Self.body($0.text)?["ids"] as? [Int] }.flatMap { $0 })
            #expect(ids.count == Self.burst)
            #expect(try await Self.matched(port) == before + Self.burst)
            // The server still answers everything else.
            let health = try RawSocket(port: port)
            health.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            #expect(await health.readUntilClosed(within: Self.bound).text.hasPrefix("HTTP/1.1 200"))
        } catch {
            _ = await server.stop()
            throw error
        }
        _ = await server.stop()
    }

    static func body(_ response: String) -> [String: Any]? {
        guard let r = response.range(of: "\r\n\r\n") else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(response[r.upperBound...].utf8)) as? [String: Any]
    }

    /// Incidents in the store, as the OGC collection counts them.
    static func matched(_ port: Int) async throws -> Int {
        let s = try RawSocket(port: port)
        s.send("GET /ogc/collections/incidents/items?limit=1 HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n")
        let r = await s.readUntilClosed(within: Self.bound)
        // The page is streamed (chunked): the count is read from the text, not from a parsed body.
        guard let m = r.text.range(of: "\"numberMatched\":") else { throw RawSocket.Failure("no numberMatched in \(r.text.prefix(200))") }
        return Int(r.text[m.upperBound...].prefix { $0.isNumber }) ?? -1
    }
}
