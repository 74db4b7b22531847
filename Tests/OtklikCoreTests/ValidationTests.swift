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

    @Test func parsesFeatureAndRefusesWrongTypes() throws {
        let ok = try JSONSerialization.jsonObject(with: Data("""
            {"type":"Feature","id":7,"geometry":{"type":"Point","coordinates":[31.09,54.95]},
             "properties":{"category":"road.pothole","reported_at":"2025-05-01T06:00:00Z","reporter":{"name":"Анна"}}}
            """.utf8))
        let i = try IncidentInput.fromFeature(ok)
        #expect(i.externalID == "7")
        #expect(i.reporter?.name == "Анна")
        let badLat = try JSONSerialization.jsonObject(with: Data("""
            {"type":"Feature","geometry":{"type":"Point","coordinates":[31.09,"54.95"]},"properties":{}}
            """.utf8))
        #expect(throws: ValidationError.invalid(field: "lat", value: "54.95", reason: "not a number")) { try IncidentInput.fromFeature(badLat) }
        let boolLon = try JSONSerialization.jsonObject(with: Data("""
            {"type":"Feature","geometry":{"type":"Point","coordinates":[true,54.95]},"properties":{}}
            """.utf8))
        #expect(throws: ValidationError.self) { try IncidentInput.fromFeature(boolLon) }
        let line = try JSONSerialization.jsonObject(with: Data("""
            {"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[3,4]]},"properties":{}}
            """.utf8))
        #expect(throws: ValidationError.self) { try IncidentInput.fromFeature(line) }
    }

    @Test func parsesBBoxAndRefusesInvertedOnes() throws {
        #expect(try BBox.parse("30.7,53.3,35.4,56.1") == BBox(minLon: 30.7, minLat: 53.3, maxLon: 35.4, maxLat: 56.1))
        #expect(throws: ValidationError.self) { try BBox.parse("35,53,30,56") }
        #expect(throws: ValidationError.self) { try BBox.parse("1,2,3") }
        #expect(throws: ValidationError.self) { try BBox.parse("1,2,3,nan") }
        #expect(throws: ValidationError.self) { try BBox.parse("0,0,1,1;DROP TABLE incidents") }
    }
}
