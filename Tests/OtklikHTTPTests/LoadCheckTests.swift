import Foundation
import Testing

/// The short form of `scripts/load-check.py` against the built `otklik` binary on a small demo database: a few
/// hundred idle connections (more than the server's cap, so eviction is exercised), heavy routes and
/// distinct-`since` reports at once. Asserts what must hold on any machine (every /healthz probe answered, the
/// idle connections closed by the server, no 5xx); the latency and RSS figures are printed, not asserted.
@Suite(.serialized) struct LoadCheckTests {
    static let root = Harness.packageRoot
    static let binary = root.appendingPathComponent(".build/debug/otklik").path
    static let script = root.appendingPathComponent("scripts/load-check.py").path
    static var required: Bool { ProcessInfo.processInfo.environment["OTKLIK_REQUIRE_PEERS"] == "1" }
    static let available = FileManager.default.isExecutableFile(atPath: binary)
        && (try? OperationsTests.run(["python3", "-c", "import http.client"]).0) == 0

    @Test(.enabled(if: available || required, "needs the built otklik binary (swift build) and python3"))
    func shortLoadCheckHoldsTheTargets() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("otklik-load-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("demo.sqlite").path
        // Programs run without blocking a thread of the concurrency pool: other tests' servers need them.
        let demo = try await MapPageBrowserTests.run(Self.binary, ["demo", "--db", db, "--count", "3000"],
                                                     log: dir.appendingPathComponent("demo.log"))
        try #require(demo.status == 0, "\(demo.output)")

        let port = try Self.freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Self.binary)
        server.arguments = ["serve", "--db", db, "--port", String(port), "--max-connections", "200",
                            "--header-timeout", "2", "--idle-timeout", "2", "--route-deadline", "3"]
        let log = FileHandle(forWritingAtPath: "/dev/null")
        server.standardOutput = log
        server.standardError = log
        try server.run()
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        try await Self.waitForHealthz(port: port)
        let (_, output) = try await MapPageBrowserTests.run("/usr/bin/env", ["python3", Self.script, "--port", String(port),
                                                                 "--pid", String(server.processIdentifier),
                                                                 "--idle", "400", "--duration", "12", "--json"],
                                                             log: dir.appendingPathComponent("load-check.log"))
        print(output)
        let start = try #require(output.firstIndex(of: "{"))
        let doc = try JSONSerialization.jsonObject(with: Data(output[start...].utf8)) as? [String: Any] ?? [:]
        #expect(doc["healthz_failures"] as? Int == 0, "\(output)")
        #expect(doc["server_errors_5xx"] as? Int == 0, "\(output)")
        #expect((doc["healthz_probes"] as? Int ?? 0) > 0)
        let opened = doc["idle_opened"] as? Int ?? 0
        #expect(opened > 0, "\(output)")
        #expect(doc["idle_closed_by_server"] as? Int == opened, "\(output)")
    }

    static func freePort() throws -> Int {
        let (status, out) = try OperationsTests.run(["python3", "-c",
            "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"])
        guard status == 0, let p = Int(out.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw RawSocket.Failure("no free port: \(out)")
        }
        return p
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
