import Foundation
import Testing
import OtklikCore
import OtklikDemo
import OtklikGeo

enum DemoData {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func taxonomy() throws -> Taxonomy { try Taxonomy.decode(Data(contentsOf: root.appendingPathComponent("data/categories.json"))) }
    static func areas(_ file: String, _ level: AreaLevel) throws -> [Area] {
        try Area.fromGeoJSON(Data(contentsOf: root.appendingPathComponent("data/\(file)")), level: level)
    }
    static func generator(seed: UInt64, count: Int) throws -> DemoGenerator {
        let d = try areas("districts.geojson", .district), s = try areas("settlements.geojson", .settlement)
        let loc = AreaLocator(districts: d, settlements: s, metric: Geodesic.wgs84Metric)
        return DemoGenerator(seed: seed, count: count, end: Date(timeIntervalSince1970: 1_793_491_200), taxonomy: try taxonomy(),
                             settlements: s, locator: loc)
    }
}

@Suite struct DemoGeneratorTests {
    @Test func gazetteerHasAllDistrictsMarkedApproximate() throws {
        let d = try DemoData.areas("districts.geojson", .district)
        #expect(d.count == 27)
        #expect(d.allSatisfy { $0.approximate })
        #expect(Set(d.map(\.name)).isSuperset(of: ["Руднянский район", "Город Смоленск", "Город Десногорск", "Сычёвский район"]))
        let s = try DemoData.areas("settlements.geojson", .settlement)
        #expect(s.filter { $0.name == "Сосновка" }.count == 3)
        #expect(s.contains { $0.name == "Рудня" && $0.parent == "Руднянский район" })
    }

    @Test func sameSeedGivesTheSameHistory() throws {
        let a = try DemoData.generator(seed: 7, count: 3000).generate()
        let b = try DemoData.generator(seed: 7, count: 3000).generate()
        let c = try DemoData.generator(seed: 8, count: 3000).generate()
        #expect(a.incidents == b.incidents)
        #expect(a.incidents != c.incidents)
        #expect(a.incidents.count == 3000)
    }

    @Test func plantsTheRecurringHotspotsTheIssueNames() throws {
        let out = try DemoData.generator(seed: 42, count: 2000).generate()
        let truth = out.truth.hotspots
        #expect(truth.count == 12)
        let container = truth.first { $0.key == "sosnovka-roslavl-container" }
        #expect(container?.settlement == "Сосновка")
        #expect(container?.district == "Рославльский район")
        #expect(container?.recurring == true)
        #expect(truth.contains { $0.settlement == "Рудня" && $0.category == "road.pothole" })
        #expect(truth.contains { $0.settlement == "Рудня" && $0.category == "yard.playground" })
        // Every planted complaint is in the history, and recurring ones have resolved complaints followed by new ones.
        for h in truth {
            let members = out.incidents.filter { $0.externalID.hasPrefix("demo-\(h.key)-") }
            #expect(members.count == h.complaints)
            if h.recurring {
                let fixes = members.compactMap(\.resolvedAt).sorted()
                let later = members.filter { m in fixes.contains { f in m.reportedAt > f && m.reportedAt.timeIntervalSince(f) < 90 * 86_400 } }
                #expect(!later.isEmpty, "\(h.key) has no complaint after a fix")
            }
        }
    }

    @Test func everyIncidentIsValidAndInsideTheRegion() throws {
        let out = try DemoData.generator(seed: 1, count: 5000).generate()
        let taxonomy = try DemoData.taxonomy()
        for inc in out.incidents {
            #expect(taxonomy[inc.category] != nil)
            #expect((30...36).contains(inc.location.lon) && (53...57).contains(inc.location.lat))
            if let r = inc.resolvedAt { #expect(r >= inc.reportedAt) }
            #expect(inc.status.isOpen == (inc.resolvedAt == nil))
        }
    }
}
