import Foundation
import OtklikCore
import OtklikStore
@testable import OtklikHTTP
import Testing

/// Feature pages are written from stored text; every feature must be byte for byte what the `Incident` path
/// writes, including escapes, NULLs, Cyrillic and numbers.
@Suite struct FeatureTextTests {
    static func awkward() -> [Incident] {
        var list = (0..<40).map(Harness.incident)
        var odd = Harness.incident(41)
        odd.description = "Кавычки \"так\", обратная \\ черта,\nперевод строки\tи таб"
        odd.address = ""
        list.append(odd)
        var far = Harness.incident(42)
        far.location = GeoPoint(lon: 37.0, lat: 60.0)   // outside every district: NULL district and settlement
        far.approximateLocation = true
        list.append(far)
        var round = Harness.incident(43)
        round.location = GeoPoint(lon: 32, lat: 55)     // integral coordinates print without a fraction
        list.append(round)
        return list
    }

    @Test func textFeaturesAreTheIncidentFeatures() async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        try await Harness.seed(store, count: 0)
        _ = try await store.insert(Self.awkward(), actor: "test")
        let query = IncidentQuery(limit: 100)
        let incidents = try await store.incidents(query)
        let page = try await store.incidentText(query)
        #expect(page.count == Self.awkward().count)
        #expect(page.rows.map(\.id) == incidents.map { $0.id! })
        #expect(page.string(42, .district) == nil && page.string(0, .district) == Harness.rudnya)
        let names = CategoryNames(Harness.taxonomy)
        for (i, inc) in incidents.enumerated() {
            var fromText = JSONWriter()
            fromText.incident(page, row: i, names: names)
            var fromIncident = JSONWriter()
            fromIncident.incident(inc, taxonomy: Harness.taxonomy)
            #expect(String(decoding: fromText.bytes, as: UTF8.self) == String(decoding: fromIncident.bytes, as: UTF8.self))
        }
        // The portable path (other stores) builds the same page from incidents.
        var portable = IncidentTextPage()
        for inc in incidents { portable.append(inc) }
        for i in incidents.indices {
            for f in IncidentTextPage.Field.allCases { #expect(portable.string(i, f) == page.string(i, f), "row \(i) \(f)") }
        }
        #expect(portable.rows == page.rows)
    }

    @Test func stringEscapesMatchJSONSerialization() throws {
        for text in ["plain", "Сосновка", "a\"b", "c\\d", "tab\there", "line\nbreak", "\u{01}\u{1F}", ""] {
            var w = JSONWriter()
            w.string(text)
            let back = try JSONSerialization.jsonObject(with: Data(w.bytes), options: .fragmentsAllowed) as? String
            #expect(back == text)
        }
    }
}
