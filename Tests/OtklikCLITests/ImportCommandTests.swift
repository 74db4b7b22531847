import Foundation
import OtklikTestSupport
import Testing

/// `otklik import incidents` of a small CSV with one bad row.
@Suite struct ImportCommandTests {
    static let header = "external_id,source,category,lon,lat,reported_at,status,description"
    /// Data rows; the third has a latitude no place on Earth has.
    static let rows = [
        "cli-1,hotline,road.pothole,32.05,54.78,2025-03-01T10:00:00Z,new,Яма у дома 5",
        "cli-2,portal,waste.dump,31.09,54.94,2025-03-02T11:00:00+03:00,in_progress,\"Свалка за гаражами, Рудня\"",
        "cli-3,hotline,road.pothole,32.06,95.5,2025-03-03T10:00:00Z,new,Плохая широта",
        "cli-4,social,lighting.street,32.07,54.79,2025-03-04T10:00:00Z,resolved,Не горит фонарь",
    ]
    static let badRow = 2
    /// The file line of the bad row: the header is line 1.
    static var badLine: Int { badRow + 2 }

    static func writeFixture(_ w: Workspace) throws -> String {
        let file = w.path("incidents.csv")
        try ([header] + rows).joined(separator: "\n").appending("\n").write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test func importsTheGoodRowsAndReportsTheBadOneWithItsLine() async throws {
        let w = try Workspace()
        let file = try Self.writeFixture(w)
        let good = Self.rows.count - 1

        let first = try await w.run(["import", "incidents", file] + w.global())
        // Refused rows are reported, not fatal: the good rows are committed and the command succeeds.
        #expect(first.status == 0, "\(first)")
        #expect(first.stdout.isEmpty)
        #expect(first.stderrLines.contains { $0.hasPrefix("read \(Self.rows.count) rows in ") && $0.hasSuffix(
            ": \(good) added, 0 already present, 1 rejected") }, "\(first)")
        #expect(first.stderrLines.contains("rejected by field: lat: 1; pass --rejects FILE for every line"), "\(first)")
        #expect(first.stderrLines.contains { $0.hasPrefix("  line \(Self.badLine): lat: 95.5 ") }, "\(first)")

        let stats = try await w.run(["stats"] + w.global())
        #expect(stats.stdoutLines.first == "incidents: \(good)", "\(stats)")

        // The same file again adds nothing, and --rejects writes every refused line to a CSV file.
        let rejects = w.path("rejects.csv")
        let again = try await w.run(["import", "incidents", file] + w.global() + ["--rejects", rejects])
        #expect(again.status == 0, "\(again)")
        #expect(again.stderrLines.contains { $0.hasSuffix(": 0 added, \(good) already present, 1 rejected") }, "\(again)")
        #expect(again.stderrLines.contains("rejected by field: lat: 1; details in \(rejects)"), "\(again)")
        let written = parseCSV(try String(contentsOfFile: rejects, encoding: .utf8))
        #expect(written.first == ["line", "field", "reason"])
        #expect(written.dropFirst().map { Array($0.prefix(2)) } == [[String(Self.badLine), "lat"]])
        let statsAgain = try await w.run(["stats"] + w.global())
        #expect(statsAgain.stdoutLines.first == "incidents: \(good)", "\(statsAgain)")
    }

    /// In a log (no terminal) the last progress line shows the final counts, in the summary's words.
    @Test func theLastProgressLineAgreesWithTheSummary() async throws {
        let w = try Workspace()
        let file = try Self.writeFixture(w)
        let r = try await w.run(["import", "incidents", file] + w.global())
        #expect(r.status == 0, "\(r)")
        let progress = try #require(r.stderrLines.last { $0.hasPrefix("import ") }, "\(r)")
        let summary = try #require(r.stderrLines.first { $0.hasPrefix("read ") }, "\(r)")
        let good = Self.rows.count - 1
        #expect(progress.contains(" \(Self.rows.count) rows read, \(good) added "), "\(r)")
        #expect(summary.hasPrefix("read \(Self.rows.count) rows in ") && summary.contains(": \(good) added, "), "\(r)")
        #expect(r.stderrLines.firstIndex(of: progress)! < r.stderrLines.firstIndex(of: summary)!, "\(r)")
    }

    /// An executable given by mistake is refused in one line, before a database is made, not printed as a header.
    @Test func aBinaryFileIsRefusedInOneLine() async throws {
        let w = try Workspace()
        // The start of the `otklik` executable itself, an ELF file on Linux, under a name that asks for CSV.
        let head = try #require(FileHandle(forReadingAtPath: try TestPackage.executable("otklik"))).readData(ofLength: 8192)
        let file = w.path("otklik.csv")
        try head.write(to: URL(fileURLWithPath: file))
        let nul = try #require(head.firstIndex(of: 0))
        try await CLI.assertFailure(["import", "incidents", file] + w.global(), in: w.url,
                                    message: "\(file) is not a text file (it has NUL bytes at byte \(nul)); give a CSV, GeoJSON or NDJSON file")
        #expect(!FileManager.default.fileExists(atPath: w.path("otklik.sqlite")), "no database is made for nothing")
    }

    @Test func aMissingFileIsOneLine() async throws {
        let w = try Workspace()
        let file = w.path("no-such-file.csv")
        try await CLI.assertFailure(["import", "incidents", file] + w.global(), in: w.url, message: "cannot read \(file)")
        #expect(!FileManager.default.fileExists(atPath: w.path("otklik.sqlite")), "no database is made for nothing")
    }

    @Test func anUnknownFileKindAsksForFormat() async throws {
        let w = try Workspace()
        let file = w.path("incidents.txt")
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        try await CLI.assertFailure(["import", "incidents", file] + w.global(), in: w.url,
                                    message: "cannot tell the format of \(file); pass --format csv|geojson|ndjson")
    }

    @Test func missingFileArgumentIsAUsageError() async throws {
        let w = try Workspace()
        try await CLI.assertUsageError(["import", "incidents"] + w.global(), in: w.url,
                                       message: "Missing expected argument '<file>'", help: "otklik import incidents --help")
    }
}
