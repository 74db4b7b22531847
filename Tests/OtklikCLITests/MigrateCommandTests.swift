import Foundation
import OtklikTestSupport
import Testing

/// `otklik migrate`: a whole database copied between backends, verified by counts and checksums, and served the
/// same afterwards.
@Suite struct MigrateCommandTests {
    /// The table `migrate` prints: table → (rows, sha256, what the target has).
    static func report(_ r: CLIResult) -> [String: (rows: Int, sha256: String, target: String)] {
        var out: [String: (Int, String, String)] = [:]
        for line in r.stdoutLines.dropFirst() where !line.isEmpty {
            let cells = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard cells.count >= 4, let rows = Int(cells[1]) else { continue }
            out[cells[0]] = (rows, cells[2], cells[3...].joined(separator: " "))
        }
        return out
    }

    static let tables = ["districts", "settlements", "incidents", "reporters", "incident_events", "contact_reads", "api_key_use"]

    /// A status change with a public note, a contact read and a key's last use, so that every table holds rows;
    /// returns the incident changed.
    @discardableResult
    static func addActivity(_ w: Workspace, db: String = "otklik.sqlite", key: String) async throws -> Int {
        let (server, base) = try await PostGISServeTests.serve(w.global(db), in: w)
        let id = try await BackendParityTests.firstNewIncident(base)
        let patched = await PostGISServeTests.request("\(base)/api/v1/incidents/\(id)", method: "PATCH",
                                                       body: #"{"status":"in_progress","note":"Бригада выехала","visibility":"public"}"#, key: key)
        #expect(patched?.status == 200, "\(patched.map { String(decoding: $0.body, as: UTF8.self) } ?? "no answer")")
        let read = await PostGISServeTests.request("\(base)/api/v1/incidents/\(id)", key: key)
        #expect(read?.status == 200)
        #expect(await server.stop(grace: .seconds(20)).succeeded)
        return id
    }

    static func demoKey(_ r: CLIResult) throws -> String {
        try #require(r.stdout.split(separator: "\n").first { $0.contains("operator API key") }?.split(separator: " ").last.map(String.init))
    }

    /// SpatiaLite → SpatiaLite needs no server: the same tables and checksums, a copy that refuses to be overwritten.
    @Test func copiesSpatiaLiteIntoANewFileAndRefusesToMixDatabases() async throws {
        let w = try Workspace()
        let key = try Self.demoKey(try await w.demo(count: 300))
        try await Self.addActivity(w, key: key)
        let args = ["migrate", "--data-dir", TestPackage.data.path, "--from", w.path("otklik.sqlite"), "--to", w.path("copy/copy.sqlite")]
        let r = try await w.run(args)
        #expect(r.status == 0, "\(r)")
        let report = Self.report(r)
        #expect(report.keys.sorted() == Self.tables.sorted(), "\(r)")
        #expect(report["incidents"]?.rows == 300)
        for t in Self.tables where t != "contact_reads" && t != "api_key_use" { #expect((report[t]?.rows ?? 0) > 0, "\(t)") }
        #expect(report["contact_reads"]?.rows == 1)
        #expect(report["api_key_use"]?.rows == 1)
        #expect(report.values.allSatisfy { $0.target == "same" }, "\(r)")
        #expect(r.stderr.contains("copied the API keys file"), "\(r)")

        // The copy reads like the original.
        let a = try await w.run(["stats"] + w.global())
        let b = try await w.run(["stats"] + w.global("copy/copy.sqlite"))
        #expect(b.status == 0 && b.stdout == a.stdout)

        // A target that holds rows is refused in one line; --force replaces it.
        let again = try await w.run(args)
        #expect(again.status == 1)
        #expect(again.stderrLines.count == 1 && again.stderrLines.first?.hasPrefix("Error: \(w.path("copy/copy.sqlite")) already holds rows (districts: ") == true, "\(again)")
        #expect(again.stderrLines.first?.hasSuffix("; choose an empty database, or pass --force to replace them") == true, "\(again)")
        let forced = try await w.run(args + ["--force"])
        #expect(forced.status == 0, "\(forced)")
        #expect(Self.report(forced).mapValues(\.sha256) == report.mapValues(\.sha256))
    }

    @Test func badSourcesAndTargetsGiveOneLine() async throws {
        let w = try Workspace()
        let data = ["--data-dir", TestPackage.data.path]
        try await CLI.assertFailure(["migrate"] + data + ["--from", w.path("none.sqlite"), "--to", w.path("b.sqlite")], in: w.url,
                                    message: "no database at \(w.path("none.sqlite")) to copy; check --from")
        try await w.demo(count: 300)
        try await CLI.assertFailure(["migrate"] + data + ["--from", w.path("otklik.sqlite"), "--to", "postgresql://127.0.0.1/otklik"], in: w.url,
                                    message: "the database URL names no user: postgresql://user@127.0.0.1/dbname")
        // Nothing listens on port 1.
        let refused = try await w.run(["migrate"] + data + ["--from", w.path("otklik.sqlite"), "--to", "postgresql://otklik:secret@127.0.0.1:1/otklik"])
        #expect(refused.status == 1)
        #expect(refused.stderrLines.count == 1, "\(refused)")
        #expect(refused.stderrLines.first?.hasPrefix("Error: ") == true, "\(refused)")
        #expect(refused.stderr.contains("postgresql://otklik@127.0.0.1:1/otklik"), "\(refused)")
        #expect(!refused.stderr.contains("secret"), "\(refused)")
        try await CLI.assertUsageError(["migrate"] + data + ["--from", w.path("otklik.sqlite"), "--to", w.path("otklik.sqlite")], in: w.url,
                                       message: "--from and --to name the same database", help: "otklik migrate --help")
        try await CLI.assertUsageError(["migrate"] + data + ["--from", w.path("otklik.sqlite"), "--to", w.path("./x/../otklik.sqlite"), "--force"],
                                       in: w.url, message: "--from and --to name the same database", help: "otklik migrate --help")
    }

    /// SpatiaLite → PostGIS → SpatiaLite: the same rows and checksums at each step, the copy serves the same pages,
    /// incident, events and reporter, and PostGIS gives the next new incident the id after the copied ones.
    @Test(.postgis) func roundTripsThroughPostGIS() async throws {
        let w = try Workspace()
        let pg = try await PostgresCluster.freshDatabase()
        let data = ["--data-dir", TestPackage.data.path]
        let key = try Self.demoKey(try await w.demo(count: 300))
        let id = try await Self.addActivity(w, key: key)

        let there = try await w.run(["migrate"] + data + ["--from", w.path("otklik.sqlite"), "--to", pg])
        #expect(there.status == 0, "\(there)")
        let back = try await w.run(["migrate"] + data + ["--from", pg, "--to", w.path("back.sqlite")])
        #expect(back.status == 0, "\(back)")
        let a = Self.report(there), b = Self.report(back)
        #expect(a.keys.sorted() == Self.tables.sorted(), "\(there)")
        #expect(a.values.allSatisfy { $0.target == "same" } && b.values.allSatisfy { $0.target == "same" })
        for t in Self.tables {
            #expect(a[t]?.rows == b[t]?.rows && a[t]?.sha256 == b[t]?.sha256, "\(t): \(String(describing: a[t])) vs \(String(describing: b[t]))")
        }
        #expect(a["incidents"]?.rows == 300 && a["contact_reads"]?.rows == 1)

        // A second copy into the same database is refused.
        let again = try await w.run(["migrate"] + data + ["--from", w.path("otklik.sqlite"), "--to", pg])
        #expect(again.status == 1 && again.stderrLines.count == 1, "\(again)")
        #expect(again.stderrLines.first?.contains("already holds rows (districts: ") == true, "\(again)")

        let stats = try await w.run(["stats"] + w.global())
        #expect(try await w.run(["stats"] + w.global("back.sqlite")).stdout == stats.stdout)
        #expect(try await w.run(["stats", "--db", pg] + data).stdout == stats.stdout)

        let (original, originalBase) = try await PostGISServeTests.serve(w.global(), in: w)
        let (copy, copyBase) = try await PostGISServeTests.serve(w.global("back.sqlite"), in: w)
        let (server, pgBase) = try await PostGISServeTests.serve(["--db", pg] + data, in: w)
        for page in ["limit=50&offset=100", "limit=1000&bbox=31.5,54.5,32.5,55"] {
            let want = try PostGISServeTests.features(await PostGISServeTests.request("\(originalBase)/ogc/collections/incidents/items?\(page)")?.body)
            #expect(try PostGISServeTests.features(await PostGISServeTests.request("\(copyBase)/ogc/collections/incidents/items?\(page)")?.body) == want)
            #expect(try PostGISServeTests.features(await PostGISServeTests.request("\(pgBase)/ogc/collections/incidents/items?\(page)")?.body) == want)
        }
        // The incident with its events (the public note among them) and its reporter, as an operator reads it.
        let want = await PostGISServeTests.request("\(originalBase)/api/v1/incidents/\(id)", key: key)
        let got = await PostGISServeTests.request("\(copyBase)/api/v1/incidents/\(id)", key: key)
        #expect(want?.status == 200 && got?.status == 200)
        let wanted = String(decoding: want?.body ?? Data(), as: UTF8.self)
        #expect(wanted.contains("Бригада выехала"))
        #expect(try BackendParityTests.canonical(got?.body, base: copyBase) == BackendParityTests.canonical(want?.body, base: originalBase))

        // New ids continue after the copied ones.
        let feature = #"{"type":"Feature","geometry":{"type":"Point","coordinates":[32.05,54.78]},"properties":{"external_id":"after-copy","category":"road.pothole","reported_at":"2025-06-29T10:15:00+03:00"}}"#
        let posted = await PostGISServeTests.request("\(pgBase)/api/v1/incidents", method: "POST", body: feature, key: key)
        #expect(posted?.status == 201, "\(posted.map { String(decoding: $0.body, as: UTF8.self) } ?? "")")
        #expect(posted?.location?.hasSuffix("/301") == true, "\(String(describing: posted?.location))")
        for s in [original, copy, server] { #expect(await s.stop(grace: .seconds(20)).succeeded) }
    }
}
