import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import OtklikTestSupport
import Testing

/// `otklik serve` as an operator runs it: started, answering on its port, stopped with SIGTERM.
@Suite struct ServeCommandTests {
    static func get(_ url: String) async -> (status: Int, body: Data)? {
        guard let (data, response) = try? await URLSession.shared.data(from: URL(string: url)!) else { return nil }
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    /// `/healthz` of a server just started, once it answers; nil when it ends or stays silent for a minute.
    static func health(of server: RunningProcess, at base: String) async throws -> (status: Int, body: Data)? {
        let deadline = ContinuousClock.now + .seconds(60)
        while server.isRunning && ContinuousClock.now < deadline {
            if let health = await get("\(base)/healthz") { return health }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    @Test func servesTheDatabaseUntilStopped() async throws {
        let w = try Workspace()
        try await w.demo(count: 300)
        let port = try LoopbackPort.free()
        let server = try ExternalProcess.start(CLI.command(["serve"] + w.global() + ["--host", "127.0.0.1", "--port", String(port)],
                                                          in: w.url, stderr: .merged, timeout: nil))
        let base = "http://127.0.0.1:\(port)"
        guard let health = try await Self.health(of: server, at: base) else {
            let ended = await server.stop()
            Issue.record("the server never answered: \(ended)")
            return
        }
        #expect(health.status == 200)
        #expect((try? JSONSerialization.jsonObject(with: health.body) as? [String: Any])?["status"] as? String == "ok")
        #expect(server.outputSoFar().contains("serving \(w.path("otklik.sqlite")) on http://127.0.0.1:\(port)"))

        // The server counts what the demo wrote.
        let items = await Self.get("\(base)/ogc/collections/incidents/items?limit=1")
        #expect(items?.status == 200)
        let doc = items.flatMap { try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any] }
        #expect(doc?["numberMatched"] as? Int == 300)

        let ended = await server.stop(grace: .seconds(20))
        #expect(ended.succeeded, "SIGTERM is a clean shutdown: \(ended)")
        #expect(await Self.get("\(base)/healthz") == nil, "nothing answers once it has stopped")
    }

    /// Open311 answers with the agency overrides of `--data-dir`, the ones the store files new incidents by,
    /// not with `data/` of the working folder or the built-in copy.
    @Test func open311RoutesByTheDataFolderOfServe() async throws {
        let w = try Workspace()
        try await w.demo(count: 300)
        let data = w.path("data-override")
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let agency = "Тестовое управление дорог"
        let overrides = #"{"version": 1, "overrides": [{"district": "Руднянский район", "category": "road.pothole", "agency": "\#(agency)"}]}"#
        try Data(overrides.utf8).write(to: URL(fileURLWithPath: data + "/agency-overrides.json"))
        let port = try LoopbackPort.free()
        let server = try ExternalProcess.start(CLI.command(["serve", "--db", w.path("otklik.sqlite"), "--data-dir", data,
                                                           "--host", "127.0.0.1", "--port", String(port)],
                                                          in: w.url, stderr: .merged, timeout: nil))
        let base = "http://127.0.0.1:\(port)"
        guard try await Self.health(of: server, at: base) != nil else {
            Issue.record("the server never answered: \(await server.stop())")
            return
        }
        let services = await Self.get("\(base)/open311/v2/services.json")
        let pothole = (services.flatMap { try? JSONSerialization.jsonObject(with: $0.body) as? [[String: Any]] } ?? [])
            .first { $0["service_code"] as? String == "road.pothole" }
        let listed = (pothole?["agency_overrides"] as? [[String: Any]])?.map { "\($0["district"] ?? "")|\($0["agency"] ?? "")" }
        #expect(listed == ["Руднянский район|\(agency)"], "\(String(describing: pothole))")
        let ended = await server.stop(grace: .seconds(20))
        #expect(ended.succeeded, "\(ended)")
    }

    @Test func aPortOutOfRangeIsOneLine() async throws {
        let w = try Workspace()
        try await w.demo(count: 20)
        try await CLI.assertFailure(["serve"] + w.global() + ["--port", "70000"], in: w.url,
                                    message: "--port must be between 1 and 65535")
    }

    /// A base URL or an allowed host that links cannot be built from stops the server at start, in one line.
    @Test func malformedBaseURLOrAllowedHostIsOneLine() async throws {
        let w = try Workspace()
        try await w.demo(count: 100)
        try await CLI.assertFailure(["serve"] + w.global() + ["--port", "1", "--base-url", "otklik.example.org"], in: w.url,
                                    message: "the base URL must start with http:// or https://, e.g. https://otklik.example.org")
        try await CLI.assertFailure(["serve"] + w.global() + ["--port", "1", "--allowed-hosts", "gis.example.org,a.example:web"], in: w.url,
                                    message: "'a.example:web' is not a host name or name:port (letters, digits, '.', '-', ':' and [ ] only)")
    }
}
