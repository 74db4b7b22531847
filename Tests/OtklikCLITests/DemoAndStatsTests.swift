import Foundation
import Testing

/// `otklik demo` builds a database and `otklik stats` counts what is in it.
@Suite struct DemoAndStatsTests {
    @Test func statsCountsEveryIncidentTheDemoWrote() async throws {
        let w = try Workspace()
        let count = 2000
        let demo = try await w.run(["demo"] + w.global() + ["--count", String(count), "--seed", "1"])
        #expect(demo.status == 0, "\(demo)")
        #expect(demo.stderrLines.contains { $0.hasPrefix("demo database \(w.path("otklik.sqlite")): 2,000 incidents, ") }, "\(demo)")
        #expect(demo.stdoutLines.first?.hasPrefix("demo operator API key (stored hashed in \(w.path("api-keys.json"))): otk_") == true,
                "\(demo)")
        // The ground truth and the operator key sit beside the database.
        #expect(FileManager.default.fileExists(atPath: w.path("demo-truth.json")))
        #expect(FileManager.default.fileExists(atPath: w.path("api-keys.json")))

        let stats = try await w.run(["stats"] + w.global())
        #expect(stats.status == 0, "\(stats)")
        #expect(stats.stdoutLines.first == "incidents: 2,000", "\(stats)")
        let sections = Self.sections(stats.stdout)
        #expect(Set(sections.keys) == ["by district", "by category", "by status"], "\(stats)")
        // Every incident is counted once in each breakdown.
        for (title, rows) in sections {
            #expect(rows.values.reduce(0, +) == count, "\(title): \(rows)")
        }
        let statuses = Set(sections["by status"].map { Array($0.keys) } ?? [])
        #expect(statuses.isSubset(of: ["new", "in_progress", "resolved", "rejected"]), "\(statuses)")
        #expect(sections["by category"]?.keys.contains { $0.hasPrefix("road.pothole — ") } == true, "\(stats)")
    }

    @Test func demoRefusesToReplaceADatabaseWithoutForce() async throws {
        let w = try Workspace()
        try await w.demo(count: 1000)
        try await CLI.assertFailure(["demo"] + w.global() + ["--count", "1200"], in: w.url,
                                    message: "\(w.path("otklik.sqlite")) already exists; pass --force to rebuild it")
        let unchanged = try await w.run(["stats"] + w.global())
        #expect(unchanged.stdoutLines.first == "incidents: 1,000", "\(unchanged)")
        let forced = try await w.run(["demo"] + w.global() + ["--count", "1200", "--force"])
        #expect(forced.status == 0, "\(forced)")
        let stats = try await w.run(["stats"] + w.global())
        #expect(stats.stdoutLines.first == "incidents: 1,200", "\(stats)")
    }

    /// The same seed and end day give the same database: the same hotspots with the same ids.
    @Test func sameSeedAndEndDayGiveTheSameHotspots() async throws {
        let w = try Workspace()
        try await w.demo("a.sqlite", seed: 7)
        try await w.demo("b.sqlite", seed: 7)
        let a = try await w.run(["hotspots"] + w.global("a.sqlite") + ["--format", "csv"])
        let b = try await w.run(["hotspots"] + w.global("b.sqlite") + ["--format", "csv"])
        #expect(a.status == 0 && b.status == 0, "\(a)\n\(b)")
        #expect(parseCSV(a.stdout).count > 1, "\(a)")
        #expect(a.stdout == b.stdout)
    }

    @Test func demoRejectsACountOutOfRange() async throws {
        let w = try Workspace()
        try await CLI.assertFailure(["demo"] + w.global() + ["--count", "0"], in: w.url,
                                    message: "--count must be between 1 and 5000000")
        #expect(!FileManager.default.fileExists(atPath: w.path("otklik.sqlite")))
    }

    /// The stats sections: title → row label → count.
    static func sections(_ text: String) -> [String: [String: Int]] {
        var out: [String: [String: Int]] = [:]
        var current: String?
        for line in text.split(separator: "\n") {
            if !line.hasPrefix("  ") {
                current = line.hasPrefix("by ") ? String(line) : nil
                continue
            }
            guard let current else { continue }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard let space = trimmed.lastIndex(of: " "), let n = parseCount(trimmed[trimmed.index(after: space)...]) else { continue }
            out[current, default: [:]][trimmed[..<space].trimmingCharacters(in: .whitespaces)] = n
        }
        return out
    }
}
