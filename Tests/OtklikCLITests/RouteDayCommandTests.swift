import Foundation
import OtklikTestSupport
import Testing

/// `otklik route --depart` and `--max-hours` as a planner types them.
@Suite struct RouteDayCommandTests {
    static let rudnyaStart = "31.01,54.95"

    /// The Moscow-time instants of a route CSV (start departure, then each stop's ETA and departure), in order.
    static func times(_ csv: String) -> [String] {
        parseCSV(csv).dropFirst().flatMap { row in row.count > 12 ? [row[11], row[12]] : [] }.filter { !$0.isEmpty }
    }

    @Test func timesStartAtTheDepartureAndTheDayFitsItsHours() async throws {
        let w = try Workspace()
        try await w.demo(count: 3000)
        let args = ["route"] + w.global() + ["--district", "Руднянский район", "--targets", "incidents", "--start", Self.rudnyaStart,
                                             "--format", "csv", "--depart", "2026-12-07T08:30"]
        let day = try await w.run(args)
        #expect(day.status == 0, "\(day)")
        let all = Self.times(day.stdout)
        #expect(all.first == "2026-12-07T08:30:00+03:00")
        #expect(all == all.sorted())

        let short = try await w.run(args + ["--max-hours", "2"])
        #expect(short.status == 0, "\(short)")
        let times = Self.times(short.stdout)
        #expect(times.first == "2026-12-07T08:30:00+03:00")
        // A round trip: the last time is the return to the start, within two hours of leaving.
        let rows = parseCSV(short.stdout)
        let back = try #require(rows.last { $0.count > 11 && $0[1] == "end" }?[11])
        #expect(back > "2026-12-07T08:30:00+03:00" && back <= "2026-12-07T10:30:00+03:00", "\(back)")
        let summary = try #require(short.stderrLines.last)
        #expect(summary.contains(" left for another day"), "\(summary)")
        #expect(rows.count < parseCSV(day.stdout).count)
    }

    @Test(arguments: [
        (["--depart", "завтра"], "--depart: 'завтра' is not a departure time; give YYYY-MM-DDThh:mm in Moscow time, e.g. 2026-12-07T08:30, or add an offset, e.g. 2026-12-07T08:30+03:00"),
        (["--depart", "2026-12-07"], "--depart: '2026-12-07' is not a departure time; give YYYY-MM-DDThh:mm in Moscow time, e.g. 2026-12-07T08:30, or add an offset, e.g. 2026-12-07T08:30+03:00"),
        (["--max-hours", "0"], "--max-hours: 0 must be a number of hours more than 0 and at most 24, e.g. 8"),
        (["--max-hours", "36"], "--max-hours: 36 must be a number of hours more than 0 and at most 24, e.g. 8"),
    ])
    func aBadDayIsExitTwoAndOneLine(_ extra: [String], _ message: String) async throws {
        let w = try Workspace()
        let r = try await w.run(["route"] + w.global() + ["--start", Self.rudnyaStart] + extra)
        #expect(r.status == 2, "\(r)")
        #expect(r.stderrLines == ["Error: \(message)"], "\(r)")
        #expect(r.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: w.path("otklik.sqlite")), "nothing is opened or made")
    }
}
