import Foundation
import Testing
@testable import OtklikHotspots
import OtklikCore

struct AreaRollupTests {
    static let areas: [Area] = [
        Area(level: .district, name: "Руднянский район", population: 20_000, geometry: .point(GeoPoint(lon: 31, lat: 54.9))),
        Area(level: .district, name: "Смоленский район", population: nil, geometry: .point(GeoPoint(lon: 32, lat: 54.8))),
        Area(level: .settlement, name: "Сосновка", parent: "Руднянский район", population: 12,
             geometry: .point(GeoPoint(lon: 31, lat: 54.9))),
        Area(level: .settlement, name: "Сосновка", parent: "Смоленский район", population: 800,
             geometry: .point(GeoPoint(lon: 32, lat: 54.8))),
        Area(level: .settlement, name: "Рудня", parent: "Руднянский район", population: 9_000,
             geometry: .point(GeoPoint(lon: 31.1, lat: 54.9))),
        Area(level: .settlement, name: "Катынь", parent: "Смоленский район", population: 0,
             geometry: .point(GeoPoint(lon: 31.7, lat: 54.77))),
    ]

    static func run(includeEmpty: Bool = false) throws -> [AreaRollupRow] {
        let s = HotspotAnalysisTests.sosnovka()
        let now = Scenario.day(50)
        let report = try HotspotAnalysis.run(points: s.points, taxonomy: Scenario.taxonomy, now: now)
        return AreaRollup.compute(points: s.points, hotspots: report.hotspots, areas: areas, taxonomy: Scenario.taxonomy,
                                  now: now, includeEmpty: includeEmpty)
    }

    @Test func countsPerDistrictAndSettlementByCategory() throws {
        let rows = try Self.run()
        let all = try #require(rows.first { $0.level == .district && $0.name == "Руднянский район" && $0.category == nil })
        #expect(all.incidents == 9 && all.open == 5 && all.overdue == 5 && all.hotspots == 1 && all.recurringHotspots == 1)
        #expect(all.perThousand == 9.0 / 20_000 * 1000)
        let village = try #require(rows.first {
            $0.level == .settlement && $0.name == "Сосновка" && $0.category == "waste.container_site"
        })
        #expect(village.district == "Руднянский район" && village.population == 12)
        #expect(village.incidents == 8 && village.hotspots == 1 && village.recurringHotspots == 1)
        #expect(village.perThousand == 8.0 / 12 * 1000)
        // Empirical Bayes pulls the 12-person village far below its raw rate.
        let smoothed = try #require(village.smoothedPerThousand)
        #expect(smoothed < village.perThousand!)
    }

    @Test func smoothedRateMatchesTheEstimatorOverAllPopulatedAreas() throws {
        let rows = try Self.run()
        // Settlements with population > 0: Сосновка/Руднянский (12, 9 incidents), Сосновка/Смоленский (800, 0),
        // Рудня (9000, 0). Катынь has population 0: no rate.
        let expected = EmpiricalBayes.rates(events: [9, 0, 0], population: [12, 800, 9000])
        let village = try #require(rows.first { $0.level == .settlement && $0.name == "Сосновка" && $0.category == nil })
        #expect(abs(try #require(village.smoothedPerThousand) - expected[0]! * 1000) <= 1e-12 * expected[0]! * 1000)
        let katyn = try #require(rows.first { $0.level == .settlement && $0.name == "Катынь" && $0.category == nil })
        #expect(katyn.population == 0 && katyn.perThousand == nil && katyn.smoothedPerThousand == nil)
        #expect(katyn.incidents == 3 && katyn.hotspots == 1)
    }

    @Test func areasWithoutPopulationDoNotBreakTheRollup() throws {
        let rows = try Self.run()
        let smolensk = try #require(rows.first { $0.level == .district && $0.name == "Смоленский район" && $0.category == nil })
        #expect(smolensk.population == nil && smolensk.perThousand == nil && smolensk.smoothedPerThousand == nil)
        #expect(smolensk.incidents == 3)
        #expect(rows.allSatisfy { ($0.perThousand ?? 0).isFinite && ($0.smoothedPerThousand ?? 0).isFinite })
    }

    @Test func categoryWithoutIncidentsAppearsOnlyWhenAskedFor() throws {
        let rows = try Self.run()
        #expect(!rows.contains { $0.category == "animals.stray" })
        let full = try Self.run(includeEmpty: true)
        let stray = full.filter { $0.category == "animals.stray" }
        #expect(stray.count == 2 + 4)
        #expect(stray.allSatisfy { $0.incidents == 0 && $0.hotspots == 0 })
        #expect(stray.filter { ($0.population ?? 0) > 0 }.allSatisfy { $0.smoothedPerThousand == 0 })
    }
}
