import Foundation
import OtklikTestSupport
import Testing

/// The short form of `scripts/load-check.py` against the built `otklik` binary on a small demo database: a few
/// hundred idle connections (more than the server's cap, so eviction is exercised), heavy routes and
/// distinct-`since` reports at once, after twenty clients that ask for large pages and read nothing. Asserts what must hold on any machine (every /healthz probe answered, the
/// idle connections closed by the server, no 5xx); the latency and RSS figures are printed, not asserted.
@Suite(.serialized) struct LoadCheckTests {
    static let script = Harness.packageRoot.appendingPathComponent("scripts/load-check.py").path

    @Test(.requires(.python3))
    func shortLoadCheckHoldsTheTargets() async throws {
        let binary = try TestPackage.executable("otklik")
        let python = try Peers.require(.python3)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("otklik-load-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("demo.sqlite").path
        // Programs run without blocking a thread of the concurrency pool: other tests' servers need them.
        let demo = try await MapPageBrowserTests.run(binary, ["demo", "--db", db, "--count", "3000"],
                                                     log: dir.appendingPathComponent("demo.log"))
        try #require(demo.succeeded, "\(demo)")

        let port = try LoopbackPort.free()
        let server = try ExternalProcess.start(Command(binary, [
            "serve", "--db", db, "--port", String(port), "--max-connections", "200",
            "--header-timeout", "2", "--idle-timeout", "2", "--route-deadline", "3"], stderr: .merged, timeout: nil))
        do {
            try await Self.waitForHealthz(port: port)
        } catch {
            _ = await server.stop()
            throw error
        }
        let result = try await MapPageBrowserTests.run(python, [Self.script, "--port", String(port), "--pid", String(server.pid),
                                                              "--idle", "400", "--duration", "12", "--slow-readers", "20", "--slow-seconds", "3", "--json"],
                                                       log: dir.appendingPathComponent("load-check.log"))
        _ = await server.stop()
        let output = result.output
        print(output)
        let start = try #require(output.firstIndex(of: "{"))
        let doc = try JSONSerialization.jsonObject(with: Data(output[start...].utf8)) as? [String: Any] ?? [:]
        #expect(doc["healthz_failures"] as? Int == 0, "\(output)")
        #expect(doc["server_errors_5xx"] as? Int == 0, "\(output)")
        #expect((doc["healthz_probes"] as? Int ?? 0) > 0)
        let opened = doc["idle_opened"] as? Int ?? 0
        #expect(opened > 0, "\(output)")
        #expect(doc["idle_closed_by_server"] as? Int == opened, "\(output)")
        // Clients of large pages that read nothing: each got its request to the server (the figures are printed).
        let slow = doc["slow_readers"] as? [String: Any] ?? [:]
        #expect(slow["requests_sent"] as? Int == 20, "\(output)")
        #expect((slow["rss_idle_mb"] as? Double ?? 0) > 0, "\(output)")
    }

    static func waitForHealthz(port: Int) async throws {
        for _ in 0..<300 {
            if let s = try? RawSocket(port: port) {
                s.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                if await s.readUntilClosed(within: 2).text.hasPrefix("HTTP/1.1 200") { return }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw RawSocket.Failure("the server did not answer /healthz on port \(port)")
    }
}
