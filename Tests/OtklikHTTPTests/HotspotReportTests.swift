import Foundation
import Hummingbird
import HummingbirdTesting
import OtklikCore
import OtklikHotspots
import OtklikServices
import Testing

/// The governor's hotspot list over HTTP: significant hotspots only by default, `all=true` adds the rest marked,
/// and the HTML page explains itself in Russian.
@Suite struct HotspotReportTests {
    /// The three hotspots of `PublishedFixture`, plus three yard complaints together amid complaints spread evenly
    /// at 120 m: 900 "other" and 900 yard ones (each farther from the next of its category than the category
    /// radius, so no other cluster), far from the fixture's sites. Yard complaints there are as common as any, so
    /// the three are a cluster that the surroundings explain.
    static func incidents() -> [Incident] {
        var out = PublishedFixture.incidents()
        let dLon = 120 / (111_319.49 * cos(54.72 * .pi / 180)), dLat = 120 / 111_132.954
        func add(_ category: String, _ key: String, _ x: Double, _ y: Double, day: Double) {
            out.append(Incident(source: .import, externalID: "even-\(key)", category: category, description: "Жалоба",
                                location: GeoPoint(lon: 32.15 + x * dLon, lat: 54.72 + y * dLat),
                                reportedAt: PublishedFixture.day(day), status: .new, agency: "Управляющая компания"))
        }
        for i in 0..<30 {
            for j in 0..<30 {
                add("other", "other-\(i)-\(j)", Double(i), Double(j), day: Double((i * 30 + j) % 50))
                add("yard.territory", "yard-\(i)-\(j)", Double(i) + 0.5, Double(j) + 0.5, day: Double((i * 30 + j) % 50))
            }
        }
        for (k, (x, y)) in [(0.0, 0.0), (0.08, 0.0), (0.0, 0.08)].enumerated() {
            add("yard.territory", "cluster-\(k)", 15 + x, 15 + y, day: 45 + Double(k))
        }
        return out
    }

    static func withApp(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        try await Harness.seed(store, count: 0)
        _ = try await store.insert(incidents(), actor: "seed")
        let app = try Harness.app(core: Harness.core(store: store, analysis: nil))
        try await app.test(.router) { client in try await body(client) }
    }

    static func get(_ client: any TestClientProtocol, _ uri: String) async throws -> (HTTPResponse.Status, String) {
        try await client.execute(uri: uri, method: .get) { r in (r.status, String(buffer: r.body)) }
    }

    @Test func listsSignificantHotspotsUnlessAllAreAskedFor() async throws {
        try await Self.withApp { client in
            let (s1, body) = try await Self.get(client, "/api/v1/reports/hotspots")
            #expect(s1 == .ok)
            let doc = try JSONParser.parse(Array(body.utf8))
            let listed = doc["hotspots"]?.list ?? []
            #expect(listed.compactMap { $0["category"]?.str }.sorted() == Harness.categories)
            #expect(listed.allSatisfy { $0["significant"]?.text == "true" })
            #expect(doc["matched"]?.int == 3)

            let (s2, allBody) = try await Self.get(client, "/api/v1/reports/hotspots?all=true")
            #expect(s2 == .ok)
            let all = try JSONParser.parse(Array(allBody.utf8))["hotspots"]?.list ?? []
            #expect(all.count == 4)
            #expect(all.prefix(3).compactMap { $0["id"]?.str } == listed.compactMap { $0["id"]?.str })
            let last = try #require(all.last)
            #expect(last["category"]?.str == "yard.territory")
            #expect(last["significant"]?.text == "false")
            #expect(last["rank"]?.int == 4)
            #expect(last["explanation"]?.str?.contains("не значим (q ") == true, "\(last["explanation"]?.str ?? "")")

            let (s3, csv) = try await Self.get(client, "/api/v1/reports/hotspots?format=csv&all=false")
            #expect(s3 == .ok)
            #expect(csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 4, "a header and three rows")
        }
    }

    /// A category filter keeps every category's complaints as the background: the yard cluster has the same
    /// expectation, p and q with and without it (and the same id).
    @Test func aCategoryFilterKeepsTheBackgroundOfEveryCategory() async throws {
        try await Self.withApp { client in
            let (_, everyBody) = try await Self.get(client, "/api/v1/reports/hotspots?all=true")
            let (_, yardBody) = try await Self.get(client, "/api/v1/reports/hotspots?all=true&category=yard.territory")
            let every = try JSONParser.parse(Array(everyBody.utf8))["hotspots"]?.list ?? []
            let yard = try JSONParser.parse(Array(yardBody.utf8))["hotspots"]?.list ?? []
            #expect(yard.count == 1)
            let a = try #require(every.first { $0["category"]?.str == "yard.territory" }), b = try #require(yard.first)
            for name in ["id", "observed", "expected", "o_e", "llr", "p", "q", "significant", "background"] {
                #expect(a[name]?.text == b[name]?.text, "\(name)")
            }
            #expect(b["rank"]?.int == 1)
        }
    }

    @Test func rejectsAnAllThatIsNotTrueOrFalse() async throws {
        try await Self.withApp { client in
            let (status, body) = try await Self.get(client, "/api/v1/reports/hotspots?all=yes")
            #expect(status == .badRequest)
            let doc = try JSONParser.parse(Array(body.utf8))
            #expect(doc["detail"]?.str == "all: 'yes' is not one of true, false")
        }
    }

    @Test func thePageSaysWhatAHotspotIsAndWhyEachRowIsThere() async throws {
        try await Self.withApp { client in
            let (status, html) = try await Self.get(client, "/api/v1/reports/hotspots?format=html&category=waste.container_site&since=2025-01-01")
            #expect(status == .ok)
            #expect(html.contains(MarkupText.escape(HotspotExplanation.definition)))
            for part in HotspotExplanation.scoreLegend {
                #expect(html.contains("<dt>\(part.name)</dt><dd>\(MarkupText.escape(part.meaning))</dd>"))
            }
            // Six complaints where the surroundings predict almost none; the three resolved on day 30 were each
            // complained about again.
            #expect(html.contains("<td>6 жалоб при ожидаемых &lt; 0,01 — более чем в 1\u{202F}000 раз больше ожидаемого, p ≤ 0,001; "
                                  + "повторилось после устранения: 3 раза (устранено 31.01.2025 ×3)</td>"))
            #expect(html.contains("<a href=\"/?category=waste.container_site&amp;since=2025-01-01\">Открыть на карте</a>"))
            #expect(!html.contains("Показаны первые"))

            let (_, capped) = try await Self.get(client, "/api/v1/reports/hotspots?format=html&limit=2")
            #expect(capped.contains("Показаны первые 2 из 3; полный список: <a href=\"/api/v1/reports/hotspots?format=csv&amp;limit=3\">CSV</a>"))
        }
    }

    @Test func eachRowSaysHowFarAboveExpectedInRussian() throws {
        // The fixture's container site: its fixes were resolved on day 20 (2025-01-21).
        var h = try #require(PublishedFixture.hotspots().first).hotspot
        h.significance.observed = 17
        h.significance.expected = 2.74
        h.significance.ratio = 17 / 2.74
        h.significance.placeP = 0.0004
        h.failedFixes = Array(h.failedFixes.prefix(2))
        #expect(HotspotExplanation.sentence(h) == "17 жалоб при ожидаемых 2,7 — в 6,2 раза больше ожидаемого, p < 0,001; "
                + "повторилось после устранения: 2 раза (устранено 21.01.2025 ×2)")
        h.significance.observed = 21
        h.significance.expected = 0.83
        h.significance.ratio = 25.3
        h.significance.placeP = 0.0125
        h.significance.q = 0.31
        h.significance.significant = false
        h.failedFixes = Array(h.failedFixes.prefix(1))
        #expect(HotspotExplanation.sentence(h) == "21 жалоба при ожидаемых 0,83 — в 25 раз больше ожидаемого, p = 0,013; "
                + "повторилось после устранения: 1 раз (устранено 21.01.2025); не значим (q = 0,310)")
        h.significance.expected = 1234.5
        h.significance.ratio = 0.9
        #expect(HotspotExplanation.sentence(h).hasPrefix("21 жалоба при ожидаемых 1\u{202F}235 — не больше ожидаемого, p = 0,013"))
        // A burst the burst test finds is told with its days and its own expectation; one it does not find is not.
        h.significance.burst = BurstSignificance(
            window: BurstWindow(first: PublishedFixture.day(40), last: PublishedFixture.day(42.5), observed: 9, padding: 14 * 86_400),
            expected: 0.863, logLikelihoodRatio: 13, monteCarloP: 0.001, p: 0.00002)
        h.failedFixes = []
        #expect(HotspotExplanation.sentence(h) == "21 жалоба при ожидаемых 1\u{202F}235 — не больше ожидаемого, p = 0,013; "
                + "всплеск: 9 жалоб за 3 дня (10.02.2025–12.02.2025) при ожидаемых 0,86, p < 0,001; не значим (q = 0,310)")
        h.significance.burst?.p = 0.2
        #expect(!HotspotExplanation.sentence(h).contains("всплеск"))
    }
}
