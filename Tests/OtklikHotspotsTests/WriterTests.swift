import Foundation
import Testing
@testable import OtklikHotspots
import OtklikCore

/// The terminal table and the summary CSVs; the published formats (GeoJSON, CSV, tiles) are tested with
/// their models in OtklikHTTPTests/PublishedPropertiesTests.
struct WriterTests {
    static func report() throws -> HotspotReport {
        try HotspotAnalysis.run(points: HotspotAnalysisTests.sosnovka().points, taxonomy: Scenario.taxonomy,
                                now: Scenario.day(50))
    }

    @Test func tableAlignsCyrillicColumns() throws {
        let r = try Self.report()
        let lines = HotspotWriters.table(r.hotspots).split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[2].contains("Сосновка") && lines[2].contains("Руднянский район"))
        let col = lines[0].range(of: "district")!.lowerBound
        let offset = lines[0].distance(from: lines[0].startIndex, to: col)
        #expect(lines[2].dropFirst(offset).hasPrefix("Руднянский район"))
    }

    @Test func agencyAndRollupCSVKeepRussian() throws {
        let r = try Self.report()
        let a = parseCSV(HotspotWriters.agencyCSV(r.agencyRates))
        #expect(a[2] == ["Региональный оператор", "4", "4", "4", "1", "1.0000"])
        let rows = AreaRollup.compute(points: HotspotAnalysisTests.sosnovka().points, hotspots: r.hotspots,
                                      areas: AreaRollupTests.areas, taxonomy: Scenario.taxonomy, now: Scenario.day(50))
        let csv = parseCSV(HotspotWriters.rollupCSV(rows))
        #expect(csv.count == rows.count + 1)
        #expect(csv.contains { $0[1] == "Сосновка" && $0[2] == "Руднянский район" })
    }
}

struct GridAnalysisTests {
    @Test func emptyAndSinglePointGridsAreWellDefined() throws {
        let empty = try GridAnalysis.run(points: [])
        #expect(empty.bins.isEmpty)
        var s = Scenario()
        s.add(0, 0, day: 0)
        let one = try GridAnalysis.run(points: s.points, config: GridConfig(slice: .month))
        #expect(one.bins.count == 1 && one.bins[0].gi.z == nil && one.bins[0].gi.bin == 0)
        #expect(one.bins[0].emerging?.pattern == .noPattern)
    }

    @Test func emergingSlicesCoverTheReportedPeriod() throws {
        var s = Scenario()
        for d in [0.0, 8, 15, 31, 45] { s.add(0, 0, day: d) }
        let weeks = try GridAnalysis.run(points: s.points, config: GridConfig(slice: .week))
        // 2025-01-01 is a Wednesday: its week starts on Monday 2024-12-30; day 45 is 2025-02-15, week of 02-10.
        #expect(weeks.slices.first == Date(timeIntervalSince1970: 1_735_516_800))
        #expect(weeks.slices.count == 7)
        let months = try GridAnalysis.run(points: s.points, config: GridConfig(slice: .month))
        #expect(months.slices == [Date(timeIntervalSince1970: 1_735_689_600), Date(timeIntervalSince1970: 1_738_368_000)])
        #expect(months.bins[0].emerging?.binsPerSlice.count == 2)
    }

    @Test func suggestedCellSizeIsClampedAndRounded() {
        #expect(GridAnalysis.suggestedCellSize(points: []) == 500)
        var s = Scenario()
        s.add(0, 0, day: 0)
        s.add(100_000, 100_000, day: 0)
        #expect(GridAnalysis.suggestedCellSize(points: s.points) == 5000)
    }
}
