import Foundation
import Testing
import OtklikCore

/// The override table: most specific row wins, and rows that can only be mistakes are refused.
@Suite struct Open311AgencyRoutingTests {
    static func taxonomy() throws -> Taxonomy {
        try Taxonomy.decode(Data(contentsOf: Open311TestApp.root.appendingPathComponent("data/categories.json")))
    }

    @Test func districtAndCategoryBeatsWholeDistrictBeatsCategory() throws {
        let tax = try Self.taxonomy()
        let r = AgencyRouting(taxonomy: tax, overrides: [
            .init(district: "Город Десногорск", category: nil, agency: "Администрация Десногорска"),
            .init(district: "Город Десногорск", category: "waste.dump", agency: "Экологи Десногорска"),
        ])
        #expect(r.agency(category: "waste.dump", district: "Город Десногорск") == "Экологи Десногорска")
        #expect(r.agency(category: "road.pothole", district: "Город Десногорск") == "Администрация Десногорска")
        #expect(r.agency(category: "road.pothole", district: "Рославльский район") == "Дорожное управление")
        #expect(r.agency(category: "road.pothole", district: nil) == "Дорожное управление")
        #expect(r.agency(category: "no.such", district: "Город Десногорск") == "")
        #expect(r.overrides(for: "waste.dump").count == 2)
        #expect(r.overrides(for: "road.pothole").count == 1)
    }

    @Test func repositoryOverrideFileDecodesAndPassesTheChecks() throws {
        let tax = try Self.taxonomy()
        let data = try Data(contentsOf: Open311TestApp.root.appendingPathComponent("data/agency-overrides.json"))
        let list = try AgencyRouting.decode(data)
        #expect(!list.isEmpty)
        // Every district named must exist in the repository's district layer.
        let districts = try Area.fromGeoJSON(Data(contentsOf: Open311TestApp.root.appendingPathComponent("data/districts.geojson")), level: .district)
        try AgencyRouting.check(list, taxonomy: tax, districts: Set(districts.map(\.name)))
        // "*" means every category.
        #expect(list.contains { $0.district == "Город Десногорск" && $0.category == nil })
    }

    @Test func checkRefusesUnknownCategoryDuplicatesAndBlankAgency() throws {
        let tax = try Self.taxonomy()
        #expect(throws: ValidationError.unknownCategory("road.bridge")) {
            try AgencyRouting.check([.init(district: "Город Смоленск", category: "road.bridge", agency: "A")], taxonomy: tax)
        }
        #expect(throws: ValidationError.self) {
            try AgencyRouting.check([.init(district: "Город Смоленск", category: "road.pothole", agency: "A"),
                                     .init(district: "Город Смоленск", category: "road.pothole", agency: "B")], taxonomy: tax)
        }
        #expect(throws: ValidationError.missing(field: "overrides[0].agency")) {
            try AgencyRouting.check([.init(district: "Город Смоленск", category: nil, agency: " ")], taxonomy: tax)
        }
        #expect(throws: ValidationError.self) {
            try AgencyRouting.check([.init(district: "Атлантида", category: nil, agency: "A")], taxonomy: tax, districts: ["Город Смоленск"])
        }
    }
}
