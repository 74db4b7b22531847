import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import OtklikTestSupport
import Testing

/// `--db postgresql://…`: the same demo in both backends reads the same through the CLI and the server, and a write
/// through the API is counted at once.
@Suite struct PostGISServeTests {
    static func request(_ url: String, method: String = "GET", body: String? = nil, key: String? = nil) async -> (status: Int, body: Data, location: String?)? {
        var r = URLRequest(url: URL(string: url)!)
        r.httpMethod = method
        if let body {
            r.httpBody = Data(body.utf8)
            r.setValue("application/geo+json", forHTTPHeaderField: "Content-Type")
        }
        if let key { r.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        guard let (data, response) = try? await URLSession.shared.data(for: r), let http = response as? HTTPURLResponse else { return nil }
        return (http.statusCode, data, http.value(forHTTPHeaderField: "Location"))
    }

    static func json(_ data: Data?) -> [String: Any]? { data.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } }

    /// The features of a page, in a canonical byte form (links name the server's port, so they are left out).
    static func features(_ data: Data?) throws -> Data {
        let list = try #require(json(data)?["features"] as? [Any])
        return try JSONSerialization.data(withJSONObject: list, options: [.sortedKeys])
    }

    static func serve(_ args: [String], in w: Workspace) async throws -> (RunningProcess, String) {
        let port = try LoopbackPort.free()
        let server = try ExternalProcess.start(CLI.command(["serve"] + args + ["--host", "127.0.0.1", "--port", String(port)],
                                                          in: w.url, stderr: .merged, timeout: nil))
        let base = "http://127.0.0.1:\(port)"
        let deadline = ContinuousClock.now + .seconds(60)
        while server.isRunning && ContinuousClock.now < deadline {
            if await request("\(base)/healthz")?.status == 200 { return (server, base) }
            try await Task.sleep(for: .milliseconds(100))
        }
        let ended = await server.stop()
        throw PostgresCluster.ClusterError("the server never answered: \(ended)")
    }

    /// The same 300-incident demo in the workspace's SpatiaLite file and in a fresh PostGIS database. Both demos
    /// write their key to api-keys.json in the workspace: the second one's (returned) serves both.
    static func demoInBoth(_ w: Workspace) async throws -> (pg: String, pgArgs: [String], key: String) {
        let pg = try await PostgresCluster.freshDatabase()
        try await w.demo(count: 300)
        let pgArgs = ["--db", pg, "--data-dir", TestPackage.data.path]
        let demo = try await w.run(["demo"] + pgArgs + ["--count", "300", "--seed", "1", "--end", "2025-06-30"])
        try #require(demo.status == 0, "\(demo)")
        return (pg, pgArgs, try MigrateCommandTests.demoKey(demo))
    }

    @Test(.postgis) func bothBackendsServeTheSameDemoAndCountAWrite() async throws {
        let w = try Workspace()
        let (_, pgArgs, key) = try await Self.demoInBoth(w)

        // `otklik stats` prints the same figures for both.
        let liteStats = try await w.run(["stats"] + w.global())
        let pgStats = try await w.run(["stats"] + pgArgs)
        #expect(pgStats.status == 0, "\(pgStats)")
        #expect(pgStats.stdout == liteStats.stdout)

        let (lite, liteBase) = try await Self.serve(w.global(), in: w)
        let (server, base) = try await Self.serve(pgArgs, in: w)
        defer { _ = lite; _ = server }
        // OGC pages with exact counts: the same features, page by page.
        for page in ["limit=50&offset=100", "limit=7&offset=0", "limit=1000&bbox=31.5,54.5,32.5,55"] {
            let a = await Self.request("\(liteBase)/ogc/collections/incidents/items?\(page)")
            let b = await Self.request("\(base)/ogc/collections/incidents/items?\(page)")
            #expect(b?.status == 200)
            #expect(Self.json(b?.body)?["numberMatched"] as? Int == Self.json(a?.body)?["numberMatched"] as? Int, "\(page)")
            #expect(try Self.features(b?.body) == Self.features(a?.body), "\(page)")
        }
        #expect(Self.json(await Self.request("\(base)/ogc/collections/incidents/items?limit=1")?.body)?["numberMatched"] as? Int == 300)

        // A write through the API: created, readable at its Location, and counted.
        let feature = """
            {"type":"Feature","geometry":{"type":"Point","coordinates":[32.05,54.78]},
             "properties":{"external_id":"pg-post-1","category":"road.pothole","reported_at":"2025-06-29T10:15:00+03:00",
             "description":"Яма у дома 5"}}
            """
        let posted = try #require(await Self.request("\(base)/api/v1/incidents", method: "POST", body: feature, key: key))
        #expect(posted.status == 201, "\(String(decoding: posted.body, as: UTF8.self))")
        #expect(Self.json(await Self.request("\(base)/ogc/collections/incidents/items?limit=1")?.body)?["numberMatched"] as? Int == 301)
        let again = await Self.request("\(base)/api/v1/incidents", method: "POST", body: feature, key: key)
        #expect(Self.json(again?.body)?["created"] as? Int == 0, "the same (source, external_id) is not written twice")
        #expect(Self.json(await Self.request("\(base)/ogc/collections/incidents/items?limit=1")?.body)?["numberMatched"] as? Int == 301)

        #expect(await server.stop(grace: .seconds(20)).succeeded)
        #expect(await lite.stop(grace: .seconds(20)).succeeded)
    }
}
