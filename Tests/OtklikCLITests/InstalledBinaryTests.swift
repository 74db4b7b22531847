import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import OtklikTestSupport
import Testing

/// `otklik` installed as `make install` installs it (scripts/install.sh, here from the build the tests run
/// against rather than a release build), then used from an empty folder outside the repository: no data/ there,
/// so the taxonomy, agency overrides and gazetteer come from the binary itself.
@Suite struct InstalledBinaryTests {
    /// The built-in copies are the files of data/: scripts/embed-data.sh --check compares them byte for byte.
    @Test func builtInDataIsTheDataFolder() async throws {
        let r = try await ExternalProcess.run(Command("/bin/bash", [TestPackage.root.appendingPathComponent("scripts/embed-data.sh").path, "--check"],
                                                      stderr: .merged, timeout: .seconds(60)))
        #expect(r.succeeded, "\(r)")
    }

    @Test func installedBinaryRunsDemoHotspotsRouteAndServeFromAnEmptyFolder() async throws {
        let prefix = try Workspace(), home = try Workspace()
        let install = try await ExternalProcess.run(Command(
            "/bin/bash", [TestPackage.root.appendingPathComponent("scripts/install.sh").path, TestPackage.products.path],
            environment: ["PREFIX": prefix.url.path, "DESTDIR": ""], stderr: .merged, timeout: .seconds(120)))
        try #require(install.succeeded, "\(install)")
        let otklik = prefix.path("bin/otklik")
        #expect(FileManager.default.isExecutableFile(atPath: otklik))
        #expect(FileManager.default.fileExists(atPath: prefix.path("lib/otklik/Otklik_OtklikHTTP.resources/Resources/web/index.html")))
        #expect(!FileManager.default.fileExists(atPath: home.path("data")))

        func run(_ arguments: [String]) async throws -> CLIResult {
            let r = try await ExternalProcess.run(Command(otklik, arguments, environment: ["COLUMNS": "200"],
                                                          unsetEnvironment: CLI.settingsFromTheEnvironment, directory: home.url,
                                                          stderr: .separate, timeout: .seconds(300)))
            return CLIResult(arguments: arguments, status: r.status, stdout: r.output, stderr: r.stderr)
        }

        // The defaults a newcomer gets: data/otklik.sqlite under the working folder, the built-in gazetteer.
        let demo = try await run(["demo", "--count", "3000", "--seed", "1", "--end", "2025-06-30"])
        try #require(demo.status == 0, "\(demo)")
        #expect(demo.stdout.contains("demo operator API key"))
        #expect(FileManager.default.fileExists(atPath: home.path("data/otklik.sqlite")))
        let stats = try await run(["stats"])
        #expect(stats.status == 0, "\(stats)")

        let hotspots = try await run(["hotspots", "--format", "csv", "--district", "Руднянский район"])
        #expect(hotspots.status == 0, "\(hotspots)")
        let rows = parseCSV(hotspots.stdout)
        #expect(rows.first?.first == "rank")
        #expect(rows.count > 1, "the planted Rudnya hotspots: \(hotspots)")

        let route = try await run(["route", "--district", "Руднянский район", "--start", "31.01,54.95", "--format", "csv",
                                   "--depart", "2026-12-07T08:30", "--max-hours", "8"])
        #expect(route.status == 0, "\(route)")
        let stops = parseCSV(route.stdout)
        #expect(stops.first?.first == "order")
        #expect(stops.count > 2, "\(route)")
        #expect(stops.dropFirst().first?[12] == "2026-12-07T08:30:00+03:00")

        let port = try LoopbackPort.free()
        let server = try ExternalProcess.start(Command(otklik, ["serve", "--host", "127.0.0.1", "--port", String(port)],
                                                       unsetEnvironment: CLI.settingsFromTheEnvironment, directory: home.url,
                                                       stderr: .merged, timeout: nil))
        let base = "http://127.0.0.1:\(port)"
        guard let health = try await ServeCommandTests.health(of: server, at: base) else {
            Issue.record("the installed server never answered: \(await server.stop())")
            return
        }
        #expect(health.status == 200)
        let items = await ServeCommandTests.get("\(base)/ogc/collections/incidents/items?limit=1")
        #expect(items?.status == 200)
        let doc = items.flatMap { try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any] }
        #expect(doc?["numberMatched"] as? Int == 3000)
        let districts = await ServeCommandTests.get("\(base)/ogc/collections/districts/items?limit=100")
        let features = districts.flatMap { try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any] }?["features"] as? [Any]
        #expect(features?.count == 27, "the built-in gazetteer's 25 districts and 2 city okrugs")
        // Open311 routes by the built-in agency overrides too: the city's potholes go to its road department.
        let services = await ServeCommandTests.get("\(base)/open311/v2/services.json")
        let pothole = (services.flatMap { try? JSONSerialization.jsonObject(with: $0.body) as? [[String: Any]] } ?? [])
            .first { $0["service_code"] as? String == "road.pothole" }
        let overrides = pothole?["agency_overrides"] as? [[String: Any]]
        #expect(overrides?.first?["district"] as? String == "Город Смоленск", "\(String(describing: pothole))")
        let page = await ServeCommandTests.get("\(base)/")
        #expect(page?.status == 200)
        #expect(page.map { String(decoding: $0.body, as: UTF8.self).contains("Карта обращений") } == true)
        let ended = await server.stop(grace: .seconds(20))
        #expect(ended.succeeded, "\(ended)")
    }

    /// A demo rebuilt over a folder with keys keeps them; only its own demo-operator key is replaced.
    @Test func demoKeepsTheKeysAlreadyThere() async throws {
        let w = try Workspace()
        let created = try await w.run(["keys", "create", "--role", "admin", "--name", "ops", "--db", w.path("otklik.sqlite")])
        #expect(created.status == 0, "\(created)")
        try await w.demo(count: 300)
        let again = try await w.run(["demo"] + w.global() + ["--count", "300", "--force", "--end", "2025-06-30"])
        #expect(again.status == 0, "\(again)")
        #expect(again.stdout.contains("beside the 1 other keys already there"))
        let list = try await w.run(["keys", "list", "--db", w.path("otklik.sqlite")])
        let names = list.stdout.split(separator: "\n").dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(names.sorted() == ["demo-operator", "ops"], "\(list)")
    }

    /// Fewer incidents than the planted hotspots' complaints: the demo has those alone and says so.
    @Test func aCountBelowThePlantedComplaintsIsExplained() async throws {
        let w = try Workspace()
        let r = try await w.run(["demo"] + w.global() + ["--count", "10", "--seed", "1", "--end", "2025-06-30"])
        #expect(r.status == 0, "\(r)")
        let note = try #require(r.stderrLines.first { $0.hasPrefix("note: --count 10 is fewer than the planted hotspots' ") }, "\(r)")
        let planted = note.split(separator: " ").compactMap { Int($0) }.last
        let stats = try await w.run(["stats"] + w.global())
        #expect(planted != nil && stats.stdout.contains("incidents: \(planted!)\n"), "\(stats)")
    }
}
