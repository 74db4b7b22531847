import Foundation
import Hummingbird
import HummingbirdTesting
import OtklikCore
import OtklikTestSupport
@testable import OtklikHTTP
import OtklikServices
import Testing

@Suite struct OperationsTests {
    @Test func healthzAnswersOK() async throws {
        try await Harness.withApp { client, _ in
            try await client.execute(uri: "/healthz", method: .get) { r in
                #expect(r.status == .ok)
                let _v1 = try Harness.json(r.body)["status"]?.str
                #expect(_v1 == "ok")
            }
        }
    }

    @Test func metricsCountRequestsPerRouteTemplate() async throws {
        try await Harness.withApp(count: 7) { client, _ in
            for id in [1, 2, 3] { _ = try await client.execute(uri: "/ogc/collections/incidents/items/\(id)", method: .get) { $0 } }
            _ = try await client.execute(uri: "/ogc/collections/incidents/items?limit=x", method: .get) { $0 }
            try await client.execute(uri: "/metrics", method: .get) { r in
                let text = String(buffer: r.body)
                #expect(text.contains("otklik_http_requests_total{method=\"GET\",route=\"/ogc/collections/{collectionId}/items/{featureId}\",status=\"200\"} 3"))
                #expect(text.contains("otklik_http_requests_total{method=\"GET\",route=\"/ogc/collections/{collectionId}/items\",status=\"400\"} 1"))
                #expect(text.contains("otklik_http_request_duration_seconds_count{method=\"GET\",route=\"/ogc/collections/{collectionId}/items/{featureId}\"} 3"))
                #expect(text.contains("otklik_incidents 7"))
                #expect(text.contains("# TYPE otklik_http_request_duration_seconds histogram"))
            }
        }
    }

    @Test func districtReportCSVOpensInSpreadsheetsWithCyrillicIntact() async throws {
        try await Harness.withApp(count: 20) { client, _ in
            try await client.execute(uri: "/api/v1/reports/districts?format=csv", method: .get) { r in
                #expect(r.headers[.contentType] == "text/csv; charset=utf-8")
                let bytes = Array(r.body.readableBytesView)
                #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
                let lines = String(decoding: bytes.dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n")
                #expect(lines[0] == "id,name,kind,population,approximate,complaints,open,overdue,per_1000,recurring_hotspots")
                #expect(lines.contains { $0.contains(",Руднянский район,municipal_district,20000,false,10,") })
            }
            try await client.execute(uri: "/api/v1/reports/districts?format=html", method: .get) { r in
                #expect(r.headers[.contentType] == "text/html; charset=utf-8")
                #expect(String(buffer: r.body).contains(">Руднянский район</a></td>"))
            }
        }
    }

    struct FixedAnalysis: AnalysisProvider {
        func hotspots(_ filter: IncidentFilter) async throws -> [HotspotFeature] { try PublishedFixture.hotspots() }
        func hotspotGrid(_ filter: IncidentFilter) async throws -> [GridCell] { [] }
        func hotspotReport(_ filter: IncidentFilter, limit: Int, all: Bool) async throws -> HotspotReportList {
            let rows = try PublishedFixture.hotspots().map { HotspotReportRow(feature: $0, monthly: [1, 0, 4, 2, 5], seriesStart: nil) }
            return HotspotReportList(rows: rows, matched: rows.count)
        }
        func recurringHotspotsByDistrict(_ filter: IncidentFilter) async throws -> [String: Int] { [Harness.rudnya: 1] }
        func agencyRepeatRates(_ filter: IncidentFilter) async throws -> [AgencyRepeatRate] {
            [AgencyRepeatRate(agency: "Региональный оператор по обращению с ТКО", resolved: 4, repeatAfterFix: 1)]
        }
    }

    @Test func hotspotsComeThroughTheAnalysisSeamInEveryFormat() async throws {
        try await Harness.withApp(count: 4, analysis: FixedAnalysis()) { client, _ in
            try await client.execute(uri: "/ogc/collections/hotspots/items", method: .get) { r in
                let doc = try Harness.json(r.body)
                #expect(doc["numberMatched"]?.int == 1)
                #expect(doc["features"]?.list.first?["id"]?.str == "waste.container_site:1")
                #expect(doc["features"]?.list.first?["properties"]?["settlement"]?.str == "Сосновка")
            }
            try await client.execute(uri: "/ogc/collections/hotspots/items/waste.container_site:1", method: .get) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/api/v1/reports/hotspots?format=csv", method: .get) { r in
                let text = String(decoding: Array(r.body.readableBytesView).dropFirst(3), as: UTF8.self)
                let lines = text.components(separatedBy: "\r\n")
                #expect(lines[0].hasPrefix("rank,id,category,category_name,district,settlement,complaints,open,overdue,resolved,episodes,repeat_after_fix,lone_complaints,recurring,significant,observed,expected,o_e,llr,p,q,"))
                // repeat_after_fix counts the fixes that failed: four resolved on day 20, each complained about again.
                #expect(lines[1].hasPrefix("1,waste.container_site:1,waste.container_site,Контейнерная площадка,Руднянский район,Сосновка,7,3,3,4,2,4,0,true,true,7,"))
            }
            try await client.execute(uri: "/api/v1/reports/hotspots?format=html&since=2025-01-01", method: .get) { r in
                let html = String(buffer: r.body)
                #expect(html.contains("<polyline"))
                #expect(html.contains("Период: 2025-01-01 — сегодня"))
                #expect(html.contains("<td>Сосновка</td>"))
            }
            try await client.execute(uri: "/api/v1/reports/districts", method: .get) { r in
                let doc = try Harness.json(r.body)
                let rudnya = doc["districts"]?.list.first { $0["name"]?.str == Harness.rudnya }
                #expect(rudnya?["recurring_hotspots"]?.int == 1)
                #expect(doc["agencies"]?.list.first?["rate"]?.double == 0.25)
            }
        }
    }

    @Test func servesThroughARealSocket() async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        try await Harness.seed(store, count: 12)
        let app = try Harness.app(store: store)
        try await app.test(.live) { client in
            try await client.execute(uri: "/healthz", method: .get) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/ogc/collections/incidents/items?limit=5", method: .get) { r in
                #expect(r.status == .ok)
                let doc = try Harness.json(r.body)
                #expect(doc["numberMatched"]?.int == 12)
                #expect(doc["features"]?.list.count == 5)
                #expect(String(buffer: r.body).contains("Сосновка"))
            }
        }
    }

    /// Validated by openapi-spec-validator (PyPI).
    @Test(.requires(.openAPISpecValidator))
    func openAPIDocumentValidates() async throws {
        try await Harness.withApp { client, _ in
            let body = try await client.execute(uri: "/openapi.json", method: .get) { Array($0.body.readableBytesView) }
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("otklik-openapi-\(UUID().uuidString).json")
            try Data(body).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let r = try await ExternalProcess.run(Command(Peers.require(.openAPISpecValidator), ["-m", "openapi_spec_validator", file.path]))
            #expect(r.succeeded, "\(r)")
            let doc = try JSONParser.parse(body)
            let paths = doc["paths"]?.keys ?? []
            for p in ["/ogc", "/ogc/collections/{collectionId}/items", "/api/v1/incidents", "/api/v1/incidents/{id}",
                      "/api/v1/incidents/nearby", "/api/v1/reports/hotspots", "/api/v1/reports/districts", "/metrics", "/healthz"] {
                #expect(paths.contains(p), "\(p)")
            }
        }
    }
}
