import Foundation
import Hummingbird
import HummingbirdTesting
import OtklikCore
import OtklikStore
@testable import OtklikHTTP
import OtklikServices
import Testing

@Suite struct IncidentAPITests {
    static func feature(externalID: String? = "portal-1", category: String = "waste.container_site", lon: Double = 31.3,
                        lat: Double = 54.9, extra: String = "") -> String {
        let ext = externalID.map { "\"external_id\":\"\($0)\"," } ?? ""
        return """
        {"type":"Feature","geometry":{"type":"Point","coordinates":[\(lon),\(lat)]},
         "properties":{\(ext)"category":"\(category)","reported_at":"2025-03-01T10:15:00+03:00",
         "description":"Переполнена площадка у дома 5, Сосновка","reporter":{"name":"Анна","phone":"+7 901 111-22-33"}\(extra)}}
        """
    }

    static func collection(_ features: [String]) -> String {
        "{\"type\":\"FeatureCollection\",\"features\":[\(features.joined(separator: ","))]}"
    }

    static func post(_ client: any TestClientProtocol, _ body: String, key: String? = Harness.operatorKey) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/geo+json"]
        if let key { headers[.authorization] = "Bearer \(key)" }
        return try await client.execute(uri: "/api/v1/incidents", method: .post, headers: headers, body: ByteBuffer(string: body)) { $0 }
    }

    @Test func writesNeedAValidKeyOfTheRightRole() async throws {
        try await Harness.withApp { client, store in
            var r = try await Self.post(client, Self.feature(), key: nil)
            #expect(r.status == .unauthorized)
            #expect(r.headers[.wwwAuthenticate] == "Bearer realm=\"otklik\"")
            r = try await Self.post(client, Self.feature(), key: "wrong")
            #expect(r.status == .unauthorized)
            let _v2 = try Harness.json(r.body)["detail"]?.str
            #expect(_v2 == "the API key is not valid")
            r = try await client.execute(uri: "/api/v1/incidents", method: .post, headers: [.authorization: "Basic Zm9vOmJhcg=="],
                                         body: ByteBuffer(string: Self.feature())) { $0 }
            #expect(r.status == .unauthorized)
            // A batch is an import: admin only.
            r = try await Self.post(client, Self.collection([Self.feature(externalID: "a"), Self.feature(externalID: "b")]))
            #expect(r.status == .forbidden)
            let _v3 = try Harness.json(r.body)["detail"]?.str?.contains("needs the admin scope")
            #expect(_v3 == true)
            let _v4 = try await store.count(IncidentQuery())
            #expect(_v4 == 0)
            r = try await Self.post(client, Self.collection([Self.feature(externalID: "a"), Self.feature(externalID: "b")]), key: Harness.adminKey)
            #expect(r.status == .created)
            let _v5 = try await store.count(IncidentQuery())
            #expect(_v5 == 2)
        }
    }

    @Test func postIsIdempotentOnSourceAndExternalID() async throws {
        try await Harness.withApp { client, store in
            let first = try await Self.post(client, Self.feature())
            #expect(first.status == .created)
            let doc = try Harness.json(first.body)
            let id = try #require(doc["ids"]?.list.first?.int)
            #expect(first.headers[.location] == "http://test.local/api/v1/incidents/\(id)")
            #expect(doc["items"]?.list.first?["source"]?.str == "portal")
            let again = try await Self.post(client, Self.feature())
            #expect(again.status == .ok)
            let _v6 = try Harness.json(again.body)["ids"]?.list.first?.int
            #expect(_v6 == id)
            let _v7 = try Harness.json(again.body)["created"]?.int
            #expect(_v7 == 0)
            let _v8 = try await store.count(IncidentQuery())
            #expect(_v8 == 1)
            // Without an external id one is generated, so two posts are two incidents.
            _ = try await Self.post(client, Self.feature(externalID: nil))
            _ = try await Self.post(client, Self.feature(externalID: nil))
            let _v9 = try await store.count(IncidentQuery())
            #expect(_v9 == 3)
        }
    }

    @Test func aBatchWithOneBadFeatureWritesNothing() async throws {
        try await Harness.withApp { client, store in
            let body = Self.collection([Self.feature(externalID: "ok-1"), Self.feature(externalID: "bad", lat: 95), Self.feature(externalID: "ok-2")])
            let r = try await Self.post(client, body, key: Harness.adminKey)
            #expect(r.status == .badRequest)
            let _v10 = try Harness.json(r.body)["detail"]?.str
            #expect(_v10 == "features[1]: lat: 95.0 is outside [-90, 90]")
            let _v11 = try await store.count(IncidentQuery())
            #expect(_v11 == 0)
        }
    }

    @Test(arguments: [
        ("{\"type\":\"Feature\",", "malformed JSON at byte"),
        ("{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[NaN,54]},\"properties\":{}}", "unexpected character 'N'"),
        ("[]", "expected a GeoJSON Feature or FeatureCollection object, got array"),
        ("{\"type\":\"Polygon\"}", "type: 'Polygon' is not Feature or FeatureCollection"),
        (IncidentAPITests.feature(category: "potholes"), "feature: category: unknown category 'potholes'"),
        (IncidentAPITests.feature().replacingOccurrences(of: "[31.3,", with: "[1e400,"), "feature: lon: inf is not a finite number"),
        (IncidentAPITests.feature(lon: -181), "feature: lon: -181.0 is outside [-180, 180]"),
        (IncidentAPITests.feature(extra: ",\"status\":5"), "feature.properties.status: expected a string, got number"),
        (IncidentAPITests.feature(extra: ",\"reported_at\":\"2025-03-01 10:00\""), "feature: reported_at: '2025-03-01 10:00' is not a valid timestamp"),
        (IncidentAPITests.feature(extra: ",\"source\":\"telegram\""), "feature: source: 'telegram' is not one of"),
        (IncidentAPITests.feature(extra: ",\"password\":\"x\""), "feature.properties.password: unknown property"),
        ("{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[\"31\",54]},\"properties\":{\"category\":\"other\"}}", "lon and lat must be numbers"),
        ("{\"type\":\"FeatureCollection\",\"features\":[]}", "features: the collection is empty"),
    ])
    func badBodiesAreRefusedWithAPreciseDetail(body: String, detail: String) async throws {
        try await Harness.withApp { client, _ in
            let r = try await Self.post(client, body, key: Harness.adminKey)
            #expect(r.status == .badRequest)
            #expect(r.headers[.contentType] == "application/problem+json")
            let _v12 = try Harness.json(r.body)["detail"]?.str?.contains(detail)
            #expect(_v12 == true, "\(String(buffer: r.body))")
        }
    }

    @Test func invalidUTF8InTheBodyIsA400() async throws {
        try await Harness.withApp { client, _ in
            var bytes = Array(Self.feature().utf8)
            // Replace the first byte of the Cyrillic description with a lone continuation byte.
            let i = bytes.firstIndex(where: { $0 >= 0xD0 })!
            bytes[i] = 0xFF
            let r = try await client.execute(uri: "/api/v1/incidents", method: .post, headers: Harness.bearer(Harness.operatorKey),
                                             body: ByteBuffer(bytes: bytes)) { $0 }
            #expect(r.status == .badRequest)
            let _v13 = try Harness.json(r.body)["detail"]?.str?.contains("string is not valid UTF-8")
            #expect(_v13 == true)
        }
    }

    @Test func bodyPastTheLimitIs413() async throws {
        try await Harness.withApp(maxBody: 2048) { client, _ in
            let big = Self.feature(extra: ",\"address\":\"\(String(repeating: "д", count: 3000))\"")
            let r = try await Self.post(client, big)
            #expect(r.status == .contentTooLarge)
            let _v14 = try Harness.json(r.body)["detail"]?.str
            #expect(_v14 == "the request body exceeds the limit of 2048 bytes")
        }
    }

    @Test func contactIsShownOnlyToAnAuthenticatedOperator() async throws {
        try await Harness.withApp { client, _ in
            let id = try Harness.json(try await Self.post(client, Self.feature()).body)["ids"]!.list[0].int!
            try await client.execute(uri: "/api/v1/incidents/\(id)", method: .get) { r in
                #expect(r.status == .ok)
                let doc = try Harness.json(r.body)
                #expect(doc["properties"]?["reporter"] == nil)
                #expect(!String(buffer: r.body).contains("+7 901"))
                #expect(doc["properties"]?["description"]?.str == "Переполнена площадка у дома 5, Сосновка")
                #expect(doc["properties"]?["district"]?.str == Harness.rudnya)
                #expect(doc["properties"]?["settlement"]?.str == "Сосновка")
                #expect(doc["properties"]?["reported_at"]?.str == "2025-03-01T07:15:00Z")
            }
            try await client.execute(uri: "/api/v1/incidents/\(id)", method: .get, headers: Harness.bearer(Harness.operatorKey)) { r in
                let doc = try Harness.json(r.body)
                #expect(doc["properties"]?["reporter"]?["phone"]?.str == "+7 901 111-22-33")
                #expect(doc["properties"]?["reporter"]?["name"]?.str == "Анна")
            }
            try await client.execute(uri: "/api/v1/incidents/\(id)", method: .get, headers: Harness.bearer("stolen")) { r in
                #expect(r.status == .unauthorized)
            }
        }
    }

    @Test func statusFollowsTheStateMachineAndRecordsActorAndNote() async throws {
        try await Harness.withApp { client, store in
            let id = try Harness.json(try await Self.post(client, Self.feature()).body)["ids"]!.list[0].int!
            func patch(_ body: String, key: String? = Harness.operatorKey) async throws -> TestResponse {
                var h: HTTPFields = [.contentType: "application/json"]
                if let key { h[.authorization] = "Bearer \(key)" }
                return try await client.execute(uri: "/api/v1/incidents/\(id)", method: .patch, headers: h, body: ByteBuffer(string: body)) { $0 }
            }
            let _v15 = try await patch("{\"status\":\"resolved\"}", key: nil).status
            #expect(_v15 == .unauthorized)
            var r = try await patch("{\"status\":\"resolved\",\"note\":\"Вывезли мусор\"}")
            #expect(r.status == .ok)
            let _v16 = try Harness.json(r.body)["properties"]?["status"]?.str
            #expect(_v16 == "resolved")
            r = try await patch("{\"status\":\"new\"}")
            #expect(r.status == .conflict)
            let _v17 = try Harness.json(r.body)["detail"]?.str
            #expect(_v17 == "incident \(id): status cannot change from resolved to new")
            r = try await patch("{\"status\":\"closed\"}")
            #expect(r.status == .badRequest)
            r = try await patch("{\"status\":\"in_progress\",\"colour\":1}")
            #expect(r.status == .badRequest)
            r = try await client.execute(uri: "/api/v1/incidents/999", method: .patch, headers: Harness.bearer(Harness.operatorKey),
                                         body: ByteBuffer(string: "{\"status\":\"resolved\"}")) { $0 }
            #expect(r.status == .notFound)
            let events = try await store.recordedEvents(incidentID: Int64(id)).map(\.event)
            let change = try #require(events.last)
            #expect(change.from == .new && change.to == .resolved)
            #expect(change.actor == "api:hotline-1")
            #expect(change.note == "Вывезли мусор")
            let _v18 = try await store.incident(id: Int64(id))?.status
            #expect(_v18 == .resolved)
        }
    }

    @Test func nearbyListsOpenIncidentsNewestFirst() async throws {
        try await Harness.withApp(count: 40) { client, _ in
            // Seed positions form a grid 0.01° apart; 800 m around incident 0 takes several of them.
            let p = Harness.incident(0).location
            try await client.execute(uri: "/api/v1/incidents/nearby?lon=\(p.lon)&lat=\(p.lat)&radius=800&category=road.pothole", method: .get) { r in
                #expect(r.status == .ok)
                let doc = try Harness.json(r.body)
                let features = doc["features"]?.list ?? []
                let times = features.compactMap { $0["properties"]?["reported_at"]?.str }
                #expect(!features.isEmpty)
                #expect(times == times.sorted(by: >))
                #expect(features.allSatisfy { $0["properties"]?["status"]?.str == "new" })
                #expect(features.allSatisfy { $0["properties"]?["category"]?.str == "road.pothole" })
                #expect(features.allSatisfy { ($0["properties"]?["distance_m"]?.double ?? 1e9) <= 800 })
                #expect(features.allSatisfy { $0["properties"]?["reporter"] == nil })
            }
        }
    }

    @Test func categoriesAreServedWithRussianNames() async throws {
        try await Harness.withApp { client, _ in
            try await client.execute(uri: "/api/v1/categories", method: .get) { r in
                let list = try Harness.json(r.body)["categories"]?.list ?? []
                #expect(list.count == Harness.taxonomy.categories.count)
                #expect(list.first(where: { $0["code"]?.str == "road.pothole" })?["name_ru"]?.str == "Яма на дороге")
            }
        }
    }

    /// While a bulk import fills an empty database, new incidents wait for its key: 503 with Retry-After and a
    /// problem that says why, nothing written; the same POST succeeds once the import has ended.
    @Test func postDuringABulkLoadIntoAnEmptyDatabaseIs503() async throws {
        try await Harness.withApp { client, store in
            let spatiaLite = try #require(store as? SpatiaLiteStore)
            try await spatiaLite.beginBulk()
            let refused = try await Self.post(client, Self.feature())
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.headers[.retryAfter] == "30")
            #expect(refused.headers[.contentType] == "application/problem+json")
            let doc = try Harness.json(refused.body)
            #expect(doc["type"]?.str == "/problems/unavailable")
            #expect(doc["detail"]?.str?.contains("bulk import is loading this database") == true)
            let during = try await store.count(IncidentQuery())
            #expect(during == 0)
            try await spatiaLite.endBulk()
            let accepted = try await Self.post(client, Self.feature())
            #expect(accepted.status == .created)
            let after = try await store.count(IncidentQuery())
            #expect(after == 1)
        }
    }
}
