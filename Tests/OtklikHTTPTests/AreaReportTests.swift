import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import OtklikCore
@testable import OtklikHTTP
import OtklikServices

/// The district and settlement reports: numbers in the Russian way in HTML (machine form in CSV and JSON), and
/// every area linked to the map with the report's filter.
@Suite struct AreaReportTests {
    static let nnbsp = "\u{202F}"
    static let rudnyaQuery = "%D0%A0%D1%83%D0%B4%D0%BD%D1%8F%D0%BD%D1%81%D0%BA%D0%B8%D0%B9%20%D1%80%D0%B0%D0%B9%D0%BE%D0%BD"

    static func get(_ client: any TestClientProtocol, _ uri: String) async throws -> (status: HTTPResponse.Status, text: String) {
        try await client.execute(uri: uri, method: .get) { ($0.status, String(buffer: $0.body)) }
    }

    /// Harness seed of 20: ten complaints in each district. Руднянский район: 20 000 people → 0.5 per 1,000;
    /// Смоленск: 320 000 → 10 / 320 = 0.03125 → 0.03. The analysis stand-in gives one agency 1 repeat of 4 fixes.
    @Test func districtReportWritesNumbersTheRussianWay() async throws {
        try await Harness.withApp(count: 20, analysis: OperationsTests.FixedAnalysis()) { client, _ in
            let html = try await Self.get(client, "/api/v1/reports/districts?format=html")
            #expect(html.status == .ok)
            #expect(html.text.contains("<td class=\"n\">320\(Self.nnbsp)000</td>"))
            #expect(html.text.contains("<td class=\"n\">20\(Self.nnbsp)000</td><td class=\"n\">0,50</td><td class=\"n\">1</td>"))
            #expect(html.text.contains("<td class=\"n\">320\(Self.nnbsp)000</td><td class=\"n\">0,03</td>"))
            #expect(html.text.contains("<td class=\"n\">4</td><td class=\"n\">1</td><td class=\"n\">25,0\(Self.nnbsp)%</td>"))
            #expect(!html.text.contains("320000") && !html.text.contains("0.5"))
            // CSV and JSON keep the machine form.
            let csv = try await Self.get(client, "/api/v1/reports/districts?format=csv")
            #expect(csv.text.contains(",Смоленск,city_okrug,320000,false,10,"))
            #expect(csv.text.contains(",0.03,"))
            let json = try JSONParser.parse(Array(try await Self.get(client, "/api/v1/reports/districts").text.utf8))
            #expect(json["districts"]?.list.first { $0["name"]?.str == Harness.rudnya }?["per_1000"]?.double == 0.5)
        }
    }

    @Test func districtReportLinksEachDistrictToTheMapWithTheSameFilter() async throws {
        try await Harness.withApp(count: 20) { client, _ in
            let html = try await Self.get(client, "/api/v1/reports/districts?format=html&category=road.pothole&since=2025-01-01")
            #expect(html.status == .ok)
            #expect(html.text.contains("<a href=\"/?district=\(Self.rudnyaQuery)&amp;category=road.pothole&amp;since=2025-01-01\">Руднянский район</a>"))
            #expect(html.text.contains("<a href=\"/?category=road.pothole&amp;since=2025-01-01\">Открыть на карте</a>"))
            #expect(html.text.contains("href=\"/api/v1/reports/settlements?district=\(Self.rudnyaQuery)&amp;format=html&amp;category=road.pothole&amp;since=2025-01-01\""))
            #expect(html.text.contains("категория: Яма на дороге"))
            // Potholes are every third seed complaint: 0, 6, 12, 18 in the Rudnya district.
            let json = try JSONParser.parse(Array(try await Self.get(client, "/api/v1/reports/districts?category=road.pothole").text.utf8))
            #expect(json["districts"]?.list.first { $0["name"]?.str == Harness.rudnya }?["complaints"]?.int == 4)
        }
    }

    @Test func settlementReportKeepsOneDistrictAndLinksEachPlaceToItsView() async throws {
        try await Harness.withApp(count: 20) { client, _ in
            // The district as people say it ("в Руднянском районе") reaches the stored name.
            let json = try JSONParser.parse(Array(try await Self.get(
                client, "/api/v1/reports/settlements?district=%D0%A0%D1%83%D0%B4%D0%BD%D1%8F%D0%BD%D1%81%D0%BA%D0%BE%D0%BC%20%D1%80%D0%B0%D0%B9%D0%BE%D0%BD%D0%B5").text.utf8))
            let names = json["settlements"]?.list.compactMap { $0["name"]?.str } ?? []
            #expect(Set(names) == ["Рудня", "Сосновка"])
            let html = try await Self.get(client, "/api/v1/reports/settlements?district=\(Self.rudnyaQuery)&format=html")
            #expect(html.status == .ok)
            #expect(html.text.contains("<h1>Населённые пункты: Руднянский район</h1>"))
            #expect(html.text.contains("<a href=\"/?district=\(Self.rudnyaQuery)#14/54.9500/31.1000\">Рудня</a>"))
            #expect(html.text.contains("<td class=\"n\">9\(Self.nnbsp)000</td>"))
        }
    }

    @Test func settlementReportRefusesAnUnknownDistrictAndABadFilter() async throws {
        try await Harness.withApp(count: 4) { client, _ in
            let unknown = try await client.execute(uri: "/api/v1/reports/settlements?district=%D0%A0%D1%83%D0%B4%D0%BD%D1%8F", method: .get) { $0 }
            #expect(unknown.status == .notFound)
            #expect(unknown.headers[.contentType] == "application/problem+json")
            let category = try await client.execute(uri: "/api/v1/reports/districts?format=html&category=nope", method: .get) { $0 }
            #expect(category.status == .badRequest)
            #expect(try Harness.json(category.body)["detail"]?.str?.hasPrefix("category: unknown category 'nope'; known: ") == true)
            let order = try await client.execute(uri: "/api/v1/reports/settlements?since=2025-02-01&until=2025-01-01", method: .get) { $0 }
            #expect(order.status == .badRequest)
            #expect(try Harness.json(order.body)["detail"]?.str == "since: 2025-02-01T00:00:00Z is after until 2025-01-01T00:00:00Z")
        }
    }
}
