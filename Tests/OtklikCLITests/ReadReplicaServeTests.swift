import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import OtklikTestSupport
import Testing

/// `otklik serve --read-db`: read-only requests served by a streaming replica, a client reading its own write at
/// its `Location`, and a replica that goes away costing no request anything.
@Suite struct ReadReplicaServeTests {
    typealias Serve = PostGISServeTests

    @Test func readDbNeedsAPostGISDatabaseAndAReplicaURL() async throws {
        let w = try Workspace()
        try await CLI.assertFailure(["serve"] + w.global() + ["--read-db", "postgresql://otklik@127.0.0.1:5433/otklik"], in: w.url,
                                    message: "--read-db needs a PostGIS --db (postgresql://…): a SpatiaLite file has no replica to read from")
        let pg = ["--db", "postgresql://otklik@127.0.0.1:5432/otklik", "--data-dir", TestPackage.data.path]
        try await CLI.assertFailure(["serve"] + pg + ["--read-db", "replica.sqlite"], in: w.url,
                                    message: "--read-db must be a postgresql://user@host:port/dbname URL of a hot standby of --db, not 'replica.sqlite'")
        try await CLI.assertFailure(["serve"] + pg + ["--read-db", "postgresql://otklik@127.0.0.1:5432/otklik"], in: w.url,
                                    message: "--read-db names the same server as --db (127.0.0.1:5432); give the replica's address")
        try await CLI.assertFailure(["serve"] + pg + ["--read-db-max-lag", "2"], in: w.url,
                                    message: "--read-db-max-lag needs a replica: pass --read-db postgresql://… as well")
        try await CLI.assertFailure(["serve"] + pg + ["--read-db", "postgresql://otklik@127.0.0.1:5433/otklik", "--read-db-max-lag", "0"],
                                    in: w.url, message: "--read-db-max-lag must be a positive number of seconds, not '0.0'")
        let r = try await CLI.run(["serve"] + w.global(), in: w.url, environment: ["OTKLIK_READ_DB": "postgresql://otklik@127.0.0.1:5433/otklik"])
        #expect(r.status == 1 && r.stderrLines == ["Error: OTKLIK_READ_DB needs a PostGIS --db (postgresql://…): a SpatiaLite file has no replica to read from"], "\(r)")
    }

    /// A demo in a fresh PostGIS database that the replica has replayed; returns the primary's URL and an operator key.
    static func replicatedDemo(in w: Workspace, replica: PostgresCluster.Replica) async throws -> (url: String, key: String) {
        let pg = try await PostgresCluster.freshDatabase()
        let demo = try await w.run(["demo", "--db", pg, "--data-dir", TestPackage.data.path, "--count", "300", "--seed", "1", "--end", "2025-06-30"])
        try #require(demo.status == 0, "\(demo)")
        let key = try #require(demo.stdout.split(separator: "\n").first { $0.contains("operator API key") }?
            .split(separator: " ").last.map(String.init))
        try await PostgresCluster.waitForReplica(replica)
        return (pg, key)
    }

    static func matched(_ base: String) async -> Int? {
        Serve.json(await Serve.request("\(base)/ogc/collections/incidents/items?limit=1")?.body)?["numberMatched"] as? Int
    }

    @Test(.postgisReplica) func thePostIsReadAtItsLocationWhileTheReplicaServesTheRest() async throws {
        try await PostgresCluster.withReplica { replica in
            let w = try Workspace()
            let (pg, key) = try await Self.replicatedDemo(in: w, replica: replica)
            let (server, base) = try await Serve.serve(["--db", pg, "--data-dir", TestPackage.data.path,
                                                        "--read-db", replica.url(sameAs: pg), "--read-db-max-lag", "3600"], in: w)
            #expect(await Self.matched(base) == 300)
            try await PostgresCluster.pauseReplay(replica)
            _ = try await PostgresCluster.psql(pg, """
                INSERT INTO incidents (source, external_id, category, lon, lat, reported_at, status, updated_at, agency)
                VALUES ('hotline', 'direct-1', 'road.pothole', 32.05, 54.78, '2025-06-29T00:00:00Z', 'new', now(), '')
                """)
            #expect(await Self.matched(base) == 300, "the replica serves the page: it has not replayed the row written into the primary")

            let feature = """
                {"type":"Feature","geometry":{"type":"Point","coordinates":[32.05,54.78]},
                 "properties":{"external_id":"replica-post-1","category":"road.pothole","reported_at":"2025-06-29T10:15:00+03:00",
                 "description":"Яма у дома 7"}}
                """
            let posted = try #require(await Serve.request("\(base)/api/v1/incidents", method: "POST", body: feature, key: key))
            #expect(posted.status == 201, "\(String(decoding: posted.body, as: UTF8.self))")
            let location = try #require(posted.location)
            let read = try #require(await Serve.request(location.hasPrefix("http") ? location : base + location, key: key))
            #expect(read.status == 200, "\(String(decoding: read.body, as: UTF8.self))")
            let properties = Serve.json(read.body)?["properties"] as? [String: Any]
            #expect(properties?["external_id"] as? String == "replica-post-1")
            #expect(properties?["description"] as? String == "Яма у дома 7")
            // Until the replica replays the write, this server reads from the primary, which has both rows.
            #expect(await Self.matched(base) == 302)

            try await PostgresCluster.resumeReplay(replica)
            try await PostgresCluster.waitForReplica(replica)
            #expect(await Self.matched(base) == 302)
            let ended = await server.stop(grace: .seconds(20))
            #expect(ended.succeeded, "\(ended)")
        }
    }

    @Test(.postgisReplica) func aReplicaStoppedMidwayCostsNoRequestAnything() async throws {
        guard PostgresCluster.replicaCanBeStopped else {
            print("note: the replica named by OTKLIK_PG_REPLICA_URL cannot be stopped by a test; this test is left out")
            return
        }
        try await PostgresCluster.withReplica { replica in
            let w = try Workspace()
            let (pg, _) = try await Self.replicatedDemo(in: w, replica: replica)
            let common = ["--db", pg, "--data-dir", TestPackage.data.path]
            let (reading, base) = try await Serve.serve(common + ["--read-db", replica.url(sameAs: pg)], in: w)
            let (primaryOnly, primaryBase) = try await Serve.serve(common, in: w)
            let rudnya = "%D0%A0%D1%83%D0%B4%D0%BD%D1%8F%D0%BD%D1%81%D0%BA%D0%B8%D0%B9%20%D1%80%D0%B0%D0%B9%D0%BE%D0%BD"
            let paths = ["/ogc/collections/incidents/items?limit=50&offset=20", "/ogc/collections/incidents/items?bbox=31.5,54.5,32.5,55&limit=200",
                         "/ogc/collections/incidents/items/7", "/api/v1/reports/districts?format=csv", "/tiles/incidents/10/603/325.mvt",
                         "/open311/v2/requests.json", "/api/v1/incidents/nearby?lon=32.05&lat=54.78&radius=2000",
                         "/api/v1/reports/hotspots?format=csv", "/api/v1/routes?district=\(rudnya)&targets=incidents&start=31.01,54.95&max_stops=10&format=csv"]
            let stopping = Task {
                try await Task.sleep(for: .milliseconds(300))
                try await PostgresCluster.stopReplica()
            }
            var answered = 0
            for round in 0..<12 {
                for path in paths {
                    let a = try #require(await Serve.request(base + path))
                    let b = try #require(await Serve.request(primaryBase + path))
                    #expect(a.status < 500, "\(path) in round \(round): \(a.status) \(String(decoding: a.body, as: UTF8.self))")
                    #expect(a.status == 200, "\(path) in round \(round): \(a.status)")
                    #expect(a.status == b.status, "\(path)")
                    // Links name the server; a page's timeStamp and a route's times are those of the moment it was asked for.
                    let text = { (d: Data, base: String) -> String in
                        let body = String(decoding: d, as: UTF8.self).replacingOccurrences(of: base, with: "BASE")
                            .replacingOccurrences(of: #""timeStamp":"[^"]*""#, with: "", options: .regularExpression)
                        guard path.hasPrefix("/api/v1/routes") else { return body }
                        return parseCSV(body).map { $0.prefix(6).joined(separator: ",") }.joined(separator: "\n")
                    }
                    #expect(text(a.body, base) == text(b.body, primaryBase), "\(path) in round \(round)")
                    answered += 1
                }
                if round == 5 { try await stopping.value }
            }
            #expect(answered == 12 * paths.count)
            let log = reading.outputSoFar()
            #expect(log.contains("reads go to the replica"), "the replica served reads before it stopped")
            let downLines = log.split(separator: "\n").filter { $0.contains("cannot be read") }
            #expect(downLines.count == 1, "one line for the change of state, not one per request:\n\(log.suffix(3000))")
            #expect(await reading.stop(grace: .seconds(20)).succeeded)
            #expect(await primaryOnly.stop(grace: .seconds(20)).succeeded)
        }
    }
}
