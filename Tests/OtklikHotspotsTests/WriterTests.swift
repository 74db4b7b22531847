import Foundation
import Testing
@testable import OtklikHotspots
import OtklikCore

struct WriterTests {
    static func report() throws -> HotspotReport {
        try HotspotAnalysis.run(points: HotspotAnalysisTests.sosnovka().points, taxonomy: Scenario.taxonomy,
                                now: Scenario.day(50))
    }

    @Test func geoJSONParsesAndKeepsRussianNames() throws {
        let r = try Self.report()
        let text = HotspotWriters.geoJSON(r.hotspots, taxonomy: Scenario.taxonomy)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(json["type"] as? String == "FeatureCollection")
        let features = try #require(json["features"] as? [[String: Any]])
        #expect(features.count == 2)
        let props = try #require(features[0]["properties"] as? [String: Any])
        #expect(props["settlement"] as? String == "Сосновка")
        #expect(props["district"] as? String == "Руднянский район")
        #expect(props["category_name"] as? String == "Контейнерная площадка")
        #expect(props["members"] as? [Int] == [1, 2, 3, 4, 5, 6, 7])
        #expect(props["episode_count"] as? Int == 2 && props["repeat_after_fix_count"] as? Int == 4)
        #expect(props["recurring"] as? Bool == true && props["rank"] as? Int == 1)
        #expect(props["feature_id"] as? Int == 1 && props["significant"] as? Bool == true)
        let sig = r.hotspots[0].significance
        func near(_ key: String, _ v: Double, in dict: [String: Any] = props) -> Bool {
            guard let d = dict[key] as? Double else { return false }
            return abs(d - v) <= 1e-12 * max(1, abs(v))
        }
        #expect(props["observed"] as? Int == 7 && near("expected", sig.expected) && near("o_e", sig.ratio))
        #expect(near("llr", sig.logLikelihoodRatio) && near("q", sig.q) && near("p", sig.p))
        let components = try #require(props["score_components"] as? [String: Any])
        #expect(near("strength", r.hotspots[0].components.strength, in: components))
        let repeats = try #require(props["repeat_after_fix"] as? [[String: Any]])
        #expect(repeats[0]["agency"] as? String == "Региональный оператор")
        #expect(repeats.map { $0["fixed_id"] as? Int } == [1, 2, 3, 4] && repeats[0]["complaint_id"] as? Int == 5)
        #expect(abs((props["score"] as? Double ?? 0) - r.hotspots[0].score) < 1e-12)
        let geometry = try #require(features[0]["geometry"] as? [String: Any])
        #expect(geometry["type"] as? String == "Polygon")
        // Three collinear potholes give a point.
        let g1 = try #require(features[1]["geometry"] as? [String: Any])
        #expect(g1["type"] as? String == "Point")
        #expect(HotspotWriters.geoJSON([]) == "{\"type\":\"FeatureCollection\",\"features\":[]}\n")
    }

    @Test func csvHasHeaderAndQuotesWhereNeeded() throws {
        var r = try Self.report()
        r.hotspots[1].settlement = "Сосновка, у пруда \"старая\""
        let csv = HotspotWriters.csv(r.hotspots)
        let rows = parseCSV(csv)
        #expect(rows[0] == HotspotWriters.csvHeader)
        #expect(rows.count == 3)
        func column(_ name: String) -> Int { HotspotWriters.csvHeader.firstIndex(of: name)! }
        #expect(rows[1][column("settlement")] == "Сосновка" && rows[1][column("district")] == "Руднянский район")
        #expect(rows[2][column("settlement")] == "Сосновка, у пруда \"старая\"")
        #expect(rows[1][column("members")] == "1 2 3 4 5 6 7" && rows[1][column("feature_id")] == "1")
        #expect(rows[1][column("recurring")] == "true" && rows[1][column("episodes")] == "2")
        #expect(rows[1][column("repeat_after_fix")] == "4" && rows[1][column("significant")] == "true")
        #expect(rows.dropFirst().allSatisfy { $0.count == HotspotWriters.csvHeader.count })
        #expect(TextFormat.probability(0.04567) == "0.0457" && TextFormat.probability(3.2954e-71) == "3.30e-71")
        #expect(TextFormat.probability(9.999e-5) == "1.00e-4" && TextFormat.probability(1) == "1.0000")
        #expect(HotspotWriters.csv([]) == HotspotWriters.csvHeader.joined(separator: ",") + "\n")
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

    @Test func gridGeoJSONUsesTheInjectedInverseProjection() throws {
        let pts = HotspotAnalysisTests.sosnovka().points
        let result = try GridAnalysis.run(points: pts, config: GridConfig(cellSize: 500, slice: .week))
        let text = GridWriters.geoJSON(result) { x, y in GeoPoint(lon: 31 + x * 1e-5, lat: 54.9 + y * 1e-5) }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let features = try #require(json["features"] as? [[String: Any]])
        #expect(features.count == result.bins.count)
        let geometry = try #require(features[0]["geometry"] as? [String: Any])
        let ring = try #require((geometry["coordinates"] as? [[[Double]]])?.first)
        #expect(ring.count == 7 && ring.first == ring.last)
        let props = try #require(features[0]["properties"] as? [String: Any])
        #expect(props["emerging"] is String && props["gi_bin"] is Int)
        #expect((json["slices"] as? [String])?.count == result.slices.count)
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
