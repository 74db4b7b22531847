import Foundation
import Testing
import OtklikCore

func demoTaxonomy() throws -> Taxonomy {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../data/categories.json")
    return try Taxonomy.decode(try Data(contentsOf: url))
}

@Suite struct ValidationTests {
    let taxonomy: Taxonomy
    init() throws { taxonomy = try demoTaxonomy() }

    func input(_ change: (inout IncidentInput) -> Void = { _ in }) -> IncidentInput {
        var i = IncidentInput(source: "portal", externalID: "x-1", category: "waste.container_site", lon: 31.09, lat: 54.95,
                              reportedAt: "2025-05-01T09:00:00+03:00", description: "Контейнеры переполнены")
        change(&i)
        return i
    }

    func error(_ i: IncidentInput, rules: IncidentInput.Rules = .init()) -> ValidationError? {
        do { _ = try i.validate(taxonomy: taxonomy, rules: rules); return nil } catch { return error }
    }

    @Test func taxonomyHasEveryRequiredCategory() {
        for code in ["road.pothole", "waste.container_site", "waste.dump", "lighting.street", "lighting.entrance",
                     "animals.stray", "yard.playground", "yard.territory", "other"] {
            #expect(taxonomy[code] != nil, "missing \(code)")
        }
        #expect(taxonomy["waste.container_site"]?.nameRu == "Контейнерная площадка")
    }

    @Test func acceptsAValidIncidentAndDerivesTheAgency() throws {
        let inc = try input().validate(taxonomy: taxonomy, rules: .init())
        #expect(inc.agency == "Региональный оператор по обращению с ТКО")
        #expect(inc.reportedAt.timeIntervalSince1970 == 1_746_079_200)
        #expect(inc.status == .new)
        #expect(inc.description == "Контейнеры переполнены")
    }

    @Test func rejectsLatitudeOutOfRange() {
        #expect(error(input { $0.lat = 91 }) == .outOfRange(field: "lat", value: 91, range: "[-90, 90]"))
        #expect(error(input { $0.lon = -180.5 }) == .outOfRange(field: "lon", value: -180.5, range: "[-180, 180]"))
    }

    @Test func rejectsNaNAndInfinity() {
        #expect(error(input { $0.lat = .nan })?.field == "lat")
        #expect(error(input { $0.lon = .infinity }) == .notFinite(field: "lon", value: .infinity))
    }

    @Test func rejectsUnknownCategoryByName() {
        let e = error(input { $0.category = "roads.potholes" })
        #expect(e == .unknownCategory("roads.potholes"))
        #expect(e?.description == "category: unknown category 'roads.potholes'")
    }

    @Test func rejectsResolvedBeforeReported() {
        let e = error(input { $0.status = "resolved"; $0.resolvedAt = "2025-04-30T09:00:00+03:00" })
        #expect(e == .resolvedBeforeReported(reportedAt: "2025-05-01T09:00:00+03:00", resolvedAt: "2025-04-30T09:00:00+03:00"))
    }

    @Test func rejectsUnknownStatusAndSource() {
        #expect(error(input { $0.status = "done" })?.field == "status")
        #expect(error(input { $0.source = "telegram" })?.field == "source")
    }

    @Test func requiresExternalIDForImportsButGeneratesItForTheAPI() throws {
        #expect(error(input { $0.externalID = nil }) == .missing(field: "external_id"))
        let inc = try input { $0.externalID = nil }.validate(taxonomy: taxonomy, rules: .init(generateMissingExternalID: true))
        #expect(inc.externalID.count == 36)
    }

    @Test func limitsDescriptionLength() {
        #expect(error(input { $0.description = String(repeating: "я", count: 4001) }) == .tooLong(field: "description", length: 4001, limit: 4000))
    }

    @Test func statusMachineAllowsReopeningButNotSkippingBack() {
        #expect(IncidentStatus.new.canTransition(to: .inProgress))
        #expect(IncidentStatus.resolved.canTransition(to: .inProgress))
        #expect(!IncidentStatus.resolved.canTransition(to: .new))
        #expect(!IncidentStatus.inProgress.canTransition(to: .new))
        #expect(!IncidentStatus.new.canTransition(to: .new))
    }

    static func feature(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test func parsesFeatureAndRefusesWrongTypes() throws {
        let ok = try Self.feature("""
            {"type":"Feature","id":7,"geometry":{"type":"Point","coordinates":[31.09,54.95]},
             "properties":{"category":"road.pothole","reported_at":"2025-05-01T06:00:00Z","reporter":{"name":"Анна"}}}
            """)
        let i = try IncidentInput.fromFeature(ok, unknownProperties: .refuse)
        #expect(i.externalID == "7")
        #expect(i.reporter?.name == "Анна")
        let badLat = try Self.feature("""
            {"type":"Feature","geometry":{"type":"Point","coordinates":[31.09,"54.95"]},"properties":{}}
            """)
        #expect(throws: IncidentInput.FeatureError(path: "feature.geometry.coordinates", field: "lat",
                                                   reason: "lon and lat must be numbers, got string for lat")) {
            try IncidentInput.fromFeature(badLat, unknownProperties: .ignore)
        }
        let boolLon = try Self.feature("""
            {"type":"Feature","geometry":{"type":"Point","coordinates":[true,54.95]},"properties":{}}
            """)
        #expect(throws: IncidentInput.FeatureError.self) { try IncidentInput.fromFeature(boolLon, unknownProperties: .ignore) }
        let line = try Self.feature("""
            {"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[3,4]]},"properties":{}}
            """)
        #expect(throws: IncidentInput.FeatureError.self) { try IncidentInput.fromFeature(line, unknownProperties: .ignore) }
    }

    /// The API refuses a property it does not know; an import reads past it. Both name the member by its path.
    @Test func unknownPropertiesAreRefusedOrIgnoredAsAsked() throws {
        let f = try Self.feature("""
            {"type":"Feature","geometry":{"type":"Point","coordinates":[31.09,54.95]},
             "properties":{"category":"road.pothole","ward":"12","district":"echoed"}}
            """)
        #expect(throws: IncidentInput.FeatureError(path: "features[2].properties.ward", field: "ward", reason: """
            unknown property; accepted: category, source, external_id, reported_at, status, resolved_at, description, \
            address, reporter, attributes
            """)) { try IncidentInput.fromFeature(f, path: "features[2]", unknownProperties: .refuse) }
        #expect(try IncidentInput.fromFeature(f, unknownProperties: .ignore).category == "road.pothole")
        let echoed = try Self.feature("""
            {"type":"Feature","geometry":{"type":"Point","coordinates":[31.09,54.95]},
             "properties":{"category":"road.pothole","district":"Руднянский район","agency":"x"}}
            """)
        #expect(try IncidentInput.fromFeature(echoed, unknownProperties: .refuse).category == "road.pothole",
                "derived fields echoed from a GET are accepted and recomputed")
    }

    /// Ids and attributes read the same for the API and an import: a whole number as 7, not 7.0.
    @Test func readsIdentifiersAndAttributesAsText() throws {
        let f = try Self.feature("""
            {"type":"Feature","id":"f-9","geometry":{"type":"Point","coordinates":[31.09,54.95]},
             "properties":{"external_id":42,"attributes":{"floor":3,"area":12.5,"lift":false,"note":"у входа"}}}
            """)
        for mode in [IncidentInput.UnknownProperties.refuse, .ignore] {
            let i = try IncidentInput.fromFeature(f, unknownProperties: mode)
            #expect(i.externalID == "42", "external_id wins over the feature id")
            #expect(i.attributes == ["floor": "3", "area": "12.5", "lift": "false", "note": "у входа"])
        }
        let nested = try Self.feature("""
            {"type":"Feature","geometry":{"type":"Point","coordinates":[31.09,54.95]},"properties":{"attributes":{"a":[1]}}}
            """)
        #expect(throws: IncidentInput.FeatureError(path: "feature.properties.attributes.a", field: "attributes",
                                                   reason: "expected a string, number or boolean")) {
            try IncidentInput.fromFeature(nested, unknownProperties: .ignore)
        }
        let badID = try Self.feature("""
            {"type":"Feature","id":1.5,"geometry":{"type":"Point","coordinates":[31.09,54.95]},"properties":{}}
            """)
        #expect(throws: IncidentInput.FeatureError(path: "feature.id", field: "external_id",
                                                   reason: "expected a string or a whole number, got 1.5")) {
            try IncidentInput.fromFeature(badID, unknownProperties: .ignore)
        }
    }

    @Test func parsesBBoxAndRefusesInvertedOnes() throws {
        #expect(try BBox.parse("30.7,53.3,35.4,56.1") == BBox(minLon: 30.7, minLat: 53.3, maxLon: 35.4, maxLat: 56.1))
        #expect(throws: ValidationError.self) { try BBox.parse("35,53,30,56") }
        #expect(throws: ValidationError.self) { try BBox.parse("1,2,3") }
        #expect(throws: ValidationError.self) { try BBox.parse("1,2,3,nan") }
        #expect(throws: ValidationError.self) { try BBox.parse("0,0,1,1;DROP TABLE incidents") }
    }
}
