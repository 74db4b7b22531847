import Foundation
import Hummingbird
import HummingbirdTesting
import OtklikCore
@testable import OtklikHTTP
import OtklikServices
import Testing

/// Names that match no stored district or settlement are a 404 naming the closest ones, not an empty 200; names
/// typed as people say them reach the stored name; a point outside the region is refused on POST.
@Suite struct PlaceNameAPITests {
    static func get(_ client: any TestClientProtocol, _ path: String, _ query: [(String, String)]) async throws
        -> (status: HTTPResponse.Status, contentType: String?, body: JSONValue?) {
        let uri = path + "?" + query.map { "\($0.0)=\(percentEncode($0.1))" }.joined(separator: "&")
        return try await client.execute(uri: uri, method: .get) { r in
            (r.status, r.headers[.contentType], try? Harness.json(r.body))
        }
    }

    @Test func aTownGivenAsADistrictIsA404SuggestingTheTown() async throws {
        try await Harness.withApp { client, store in
            _ = try await RouteSeed.seed(store)
            let r = try await Self.get(client, "/api/v1/routes", [("district", "Рудня"), ("start", RouteSeed.start)])
            #expect(r.status == .notFound)
            #expect(r.contentType == "application/problem+json")
            #expect(r.body?["type"]?.str == "/problems/unknown-place")
            #expect(r.body?["detail"]?.str == "district: нет района «Рудня». Возможно, вы имели в виду населённый пункт «Рудня» (Руднянский район)?")
        }
    }

    @Test func routeNamesInAnotherCaseReachTheStoredName() async throws {
        try await Harness.withApp { client, store in
            _ = try await RouteSeed.seed(store)
            let r = try await client.execute(uri: "/api/v1/routes?district=\(percentEncode("руднянском районе"))&start=\(RouteSeed.start)&targets=incidents&format=geojson",
                                             method: .get) { $0 }
            #expect(r.status == .ok)
            #expect(String(buffer: r.body).contains("ул. Ленина, 7"))
            // A real district with nothing to visit stays a 200.
            let empty = try await client.execute(uri: "/api/v1/routes?district=\(percentEncode(Harness.smolensk))&start=\(RouteSeed.start)",
                                                 method: .get) { $0 }
            #expect(empty.status == .ok)
        }
    }

    @Test func reportsRefuseANearMissWithTheRightName() async throws {
        try await Harness.withApp(count: 10) { client, _ in
            let r = try await Self.get(client, "/api/v1/reports/hotspots", [("district", "Руднянскй район")])
            #expect(r.status == .notFound)
            #expect(r.body?["detail"]?.str == "district: нет района «Руднянскй район». Возможно, вы имели в виду район «Руднянский район»?")
            let ok = try await Self.get(client, "/api/v1/reports/hotspots", [("district", "РУДНЯНСКИЙ РАЙОН")])
            #expect(ok.status == .ok)
        }
    }

    @Test func ogcSettlementFilterMatchesInflectedNamesAndRefusesUnknownOnes() async throws {
        try await Harness.withApp(count: 10) { client, _ in
            let ok = try await Self.get(client, "/ogc/collections/incidents/items", [("settlement", "Рудне")])
            #expect(ok.status == .ok)
            let r = try await Self.get(client, "/ogc/collections/incidents/items", [("settlement", "Москва")])
            #expect(r.status == .notFound)
            #expect(r.body?["detail"]?.str == "settlement: нет населённого пункта «Москва». Известные населённые пункты: Рудня, Сосновка.")
            let d = try await Self.get(client, "/ogc/collections/incidents/items", [("district", "Смоленске")])
            #expect(d.status == .ok)
        }
    }

    @Test func areasReplacedThroughTheServerAreKnownAtOnce() async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        try await Harness.seed(store, count: 0)
        let core = Harness.core(store: store)
        let app = try Harness.app(core: core)
        try await app.test(.router) { client in
            let before = try await Self.get(client, "/ogc/collections/incidents/items", [("district", "Демидовский район")])
            #expect(before.status == .notFound)
            _ = try await core.store.replaceAreas([
                Area(level: .district, name: Harness.rudnya, geometry: Harness.square(Harness.rudnyaBox)),
                Area(level: .district, name: "Демидовский район", geometry: Harness.square(BBox(minLon: 31.5, minLat: 55.1, maxLon: 32.0, maxLat: 55.4))),
            ], level: .district)
            let after = try await Self.get(client, "/ogc/collections/incidents/items", [("district", "Демидовском районе")])
            #expect(after.status == .ok)
        }
    }

    // MARK: the region check on POST

    @Test func swappedCoordinatesAreRefusedWithTheLikelyCause() async throws {
        try await Harness.withApp { client, _ in
            let r = try await IncidentAPITests.post(client, IncidentAPITests.feature(lon: 54.78, lat: 32.05))
            #expect(r.status == .unprocessableContent)
            #expect(r.headers[.contentType] == "application/problem+json")
            let doc = try Harness.json(r.body)
            #expect(doc["detail"]?.str == "feature: точка вне региона; возможно, перепутаны широта и долгота? (получено 54.78,32.05 как lon,lat)")
        }
    }

    @Test func aFarPointIsRefusedWithTheRegionsExtent() async throws {
        try await Harness.withApp { client, _ in
            let r = try await IncidentAPITests.post(client, IncidentAPITests.collection([
                IncidentAPITests.feature(externalID: "a"), IncidentAPITests.feature(externalID: "b", lon: -17.4, lat: 14.7),
            ]), key: Harness.adminKey)
            #expect(r.status == .unprocessableContent)
            let doc = try Harness.json(r.body)
            #expect(doc["detail"]?.str == "features[1]: точка вне региона (долгота 30.5…32.7, широта 54.2…55.6)")
        }
    }

    @Test func allowOutsideStoresSuchAPointOnPurpose() async throws {
        try await Harness.withApp { client, store in
            var headers: HTTPFields = [.contentType: "application/geo+json"]
            headers[.authorization] = "Bearer \(Harness.operatorKey)"
            let r = try await client.execute(uri: "/api/v1/incidents?allow_outside=true", method: .post, headers: headers,
                                             body: ByteBuffer(string: IncidentAPITests.feature(lon: 54.78, lat: 32.05))) { $0 }
            #expect(r.status == .created)
            #expect(try await store.count(IncidentQuery()) == 1)
        }
    }

    @Test func withoutDistrictsEveryPointIsTaken() async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        let app = try Harness.app(store: store)
        try await app.test(.router) { client in
            let r = try await IncidentAPITests.post(client, IncidentAPITests.feature(lon: 54.78, lat: 32.05))
            #expect(r.status == .created)
        }
    }
}
