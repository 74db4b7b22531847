import Foundation
import Hummingbird
import HummingbirdTesting
import OtklikCore
@testable import OtklikHTTP
import OtklikServices
import Testing

@Suite struct OGCTests {
    @Test func landingPageLinksServiceDescConformanceAndData() async throws {
        try await Harness.withApp { client, _ in
            try await client.execute(uri: "/ogc", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "application/json")
                let doc = try Harness.json(r.body)
                #expect(doc.link("service-desc") == "http://test.local/openapi.json")
                #expect(doc.link("conformance") == "http://test.local/ogc/conformance")
                #expect(doc.link("data") == "http://test.local/ogc/collections")
            }
            try await client.execute(uri: "/ogc/conformance", method: .get) { r in
                let classes = try Harness.json(r.body)["conformsTo"]?.list.compactMap(\.str) ?? []
                #expect(classes.contains("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"))
                #expect(classes.contains("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"))
            }
        }
    }

    @Test func collectionsListEveryLayerWithExtentFromTheData() async throws {
        try await Harness.withApp(count: 40) { client, _ in
            try await client.execute(uri: "/ogc/collections", method: .get) { r in
                let doc = try Harness.json(r.body)
                let ids = doc["collections"]?.list.compactMap { $0["id"]?.str } ?? []
                #expect(ids == ["incidents", "districts", "settlements", "hotspots", "hotspot-grid"])
            }
            try await client.execute(uri: "/ogc/collections/incidents", method: .get) { r in
                let doc = try Harness.json(r.body)
                let bbox = doc["extent"]?["spatial"]?["bbox"]?.list.first?.list.compactMap(\.double) ?? []
                // Incident 0 sits at the Rudnya box corner + 0.01; the largest lon is Smolensk minLon + 0.01 + 16 * 0.01.
                let points = (0..<40).map { Harness.incident($0).location }
                let expected = BBox.enclosing(points)!
                #expect(bbox == [expected.minLon, expected.minLat, expected.maxLon, expected.maxLat])
                let interval = doc["extent"]?["temporal"]?["interval"]?.list.first?.list.compactMap(\.str) ?? []
                #expect(interval == ["2025-01-01T00:00:00Z", "2025-01-02T15:00:00Z"])
                #expect(doc.link("items") == "http://test.local/ogc/collections/incidents/items")
            }
        }
    }

    @Test func pagingFollowsNextLinksWithExactCounts() async throws {
        try await Harness.withApp(count: 250) { client, _ in
            var uri: String? = "/ogc/collections/incidents/items?limit=100"
            var seen: [Int] = []
            var returnedPerPage: [Int] = []
            var pages = 0
            while let u = uri, pages < 10 {
                pages += 1
                uri = try await client.execute(uri: u, method: .get) { r in
                    #expect(r.status == .ok)
                    #expect(r.headers[.contentType] == "application/geo+json")
                    let doc = try Harness.json(r.body)
                    #expect(doc["numberMatched"]?.int == 250)
                    let features = doc["features"]?.list ?? []
                    #expect(doc["numberReturned"]?.int == features.count)
                    returnedPerPage.append(features.count)
                    seen += features.compactMap { $0["id"]?.int }
                    if pages == 2 { #expect(doc.link("prev")?.pathAndQuery == "/ogc/collections/incidents/items?limit=100&offset=0") }
                    return doc.link("next")?.pathAndQuery
                }
            }
            #expect(returnedPerPage == [100, 100, 50])
            #expect(seen.count == 250)
            #expect(Set(seen).count == 250)
        }
    }

    /// Next links carry the last id (`after`) beside the offset; a page read through it is the page the offset
    /// alone selects, with the same counts and links.
    @Test func nextLinksCarryTheLastIDAndSelectTheSamePage() async throws {
        try await Harness.withApp(count: 130) { client, _ in
            let b = Harness.smolenskBox
            let base = "/ogc/collections/incidents/items?bbox=\(b.minLon),\(b.minLat),\(b.maxLon),\(b.maxLat)&limit=20"
            let first = try await client.execute(uri: base, method: .get) { try Harness.json($0.body) }
            let lastID = try #require(first["features"]?.list.last?["id"]?.int)
            let next = try #require(first.link("next")?.pathAndQuery)
            #expect(next.hasSuffix("&offset=20&after=\(lastID)"))
            let viaAfter = try await client.execute(uri: next, method: .get) { try Harness.json($0.body) }
            let viaOffset = try await client.execute(uri: base + "&offset=20", method: .get) { try Harness.json($0.body) }
            let ids = { (d: JSONValue) in d["features"]?.list.compactMap { $0["id"]?.int } ?? [] }
            #expect(ids(viaAfter) == ids(viaOffset))
            #expect(ids(viaAfter).count == 20 && ids(viaAfter).first! > lastID)
            #expect(viaAfter["numberMatched"]?.int == viaOffset["numberMatched"]?.int)
            #expect(viaAfter.link("prev")?.pathAndQuery == viaOffset.link("prev")?.pathAndQuery)
            for bad in ["-1", "x", "1.5"] {
                let status = try await client.execute(uri: base + "&after=\(bad)", method: .get) { $0.status }
                #expect(status == .badRequest, "after=\(bad)")
            }
            let elsewhere = try await client.execute(uri: "/ogc/collections/districts/items?after=3", method: .get) { $0.status }
            #expect(elsewhere == .badRequest, "after is for incidents only")
        }
    }

    @Test func bboxSelectsOneDistrictAndKeepsFiltersInNextLink() async throws {
        try await Harness.withApp(count: 120) { client, _ in
            let b = Harness.rudnyaBox
            try await client.execute(uri: "/ogc/collections/incidents/items?bbox=\(b.minLon),\(b.minLat),\(b.maxLon),\(b.maxLat)&limit=50", method: .get) { r in
                let doc = try Harness.json(r.body)
                #expect(doc["numberMatched"]?.int == 60)
                #expect(doc["numberReturned"]?.int == 50)
                let lons = doc["features"]?.list.compactMap { $0["geometry"]?["coordinates"]?.list.first?.double } ?? []
                #expect(lons.allSatisfy { $0 <= b.maxLon })
                #expect(doc.link("next")?.contains("bbox=31.0%2C54.8%2C31.5%2C55.1") == true)
            }
        }
    }

    @Test func datetimeFiltersInstantsAndOpenIntervals() async throws {
        try await Harness.withApp(count: 48) { client, _ in
            // Incident i is reported at 2025-01-01T00:00Z + i hours.
            let cases: [(String, Int)] = [
                ("2025-01-01T05:00:00Z", 1),
                ("2025-01-01T10:00:00Z/..", 38),
                ("../2025-01-01T09:30:00Z", 10),
                ("2025-01-01", 24),
                ("2025-01-01T10:00:00Z/2025-01-01T12:00:00Z", 3),
            ]
            for (value, expected) in cases {
                try await client.execute(uri: "/ogc/collections/incidents/items?datetime=\(percentEncode(value))", method: .get) { r in
                    #expect(r.status == .ok, "datetime=\(value)")
                    let _v19 = try Harness.json(r.body)["numberMatched"]?.int
                    #expect(_v19 == expected, "datetime=\(value)")
                }
            }
        }
    }

    @Test func propertyFiltersCombine() async throws {
        try await Harness.withApp(count: 90) { client, _ in
            // category cycles every 3, status resolved every 5th (i % 5 == 4), district alternates.
            let pothole = (0..<90).filter { $0 % 3 == 0 }.count
            let potholeResolved = (0..<90).filter { $0 % 3 == 0 && $0 % 5 == 4 }.count
            let rudnyaOpen = (0..<90).filter { $0 % 2 == 0 && $0 % 5 != 4 }.count
            let cases: [(String, Int)] = [
                ("category=road.pothole", pothole),
                ("category=road.pothole&status=resolved", potholeResolved),
                ("district=\(percentEncode(Harness.rudnya))&status=new,in_progress", rudnyaOpen),
            ]
            for (q, expected) in cases {
                try await client.execute(uri: "/ogc/collections/incidents/items?\(q)", method: .get) { r in
                    #expect(r.status == .ok, "\(q)")
                    let _v20 = try Harness.json(r.body)["numberMatched"]?.int
                    #expect(_v20 == expected, "\(q)")
                }
            }
            // A name no area has is not an empty page (that would pass for a quiet place) but a 404.
            for q in ["settlement=\(percentEncode("Нет такого"))", "district=\(percentEncode("x' OR '1'='1"))"] {
                try await client.execute(uri: "/ogc/collections/incidents/items?\(q)", method: .get) { r in
                    #expect(r.status == .notFound, "\(q)")
                    let type = try Harness.json(r.body)["type"]?.str
                    #expect(type == "/problems/unknown-place", "\(q)")
                }
            }
        }
    }

    @Test func limitAboveMaximumIsClamped() async throws {
        try await Harness.withApp(count: 5) { client, _ in
            try await client.execute(uri: "/ogc/collections/incidents/items?limit=20000", method: .get) { r in
                #expect(r.status == .ok)
                let doc = try Harness.json(r.body)
                #expect(doc["numberReturned"]?.int == 5)
                #expect(doc.link("self")?.contains("limit=10000") == true)
            }
            try await client.execute(uri: "/ogc/collections/incidents/items?limit=99999999999999999999999", method: .get) { r in
                #expect(r.status == .ok)
            }
        }
    }

    @Test func itemsNeverCarryTheReportersContact() async throws {
        try await Harness.withApp(count: 10) { client, _ in
            try await client.execute(uri: "/ogc/collections/incidents/items", method: .get) { r in
                let text = String(buffer: r.body)
                #expect(!text.contains("Иван Петров"))
                #expect(!text.contains("+7 900"))
                #expect(!text.contains("reporter"))
                #expect(text.contains("Жалоба №3: яма у дома, Сосновка"))
            }
            try await client.execute(uri: "/ogc/collections/incidents/items/3", method: .get) { r in
                #expect(r.status == .ok)
                let doc = try Harness.json(r.body)
                #expect(doc["id"]?.int == 3)
                #expect(doc["properties"]?["reporter"] == nil)
                #expect(doc["properties"]?["description"]?.str == "Жалоба №2: яма у дома, Сосновка")
                #expect(doc.link("collection") == "http://test.local/ogc/collections/incidents")
            }
        }
    }

    @Test func districtsCarryTheirStatisticsForChoropleths() async throws {
        try await Harness.withApp(count: 100) { client, _ in
            try await client.execute(uri: "/ogc/collections/districts/items", method: .get) { r in
                let doc = try Harness.json(r.body)
                #expect(doc["numberMatched"]?.int == 2)
                let byName = Dictionary(uniqueKeysWithValues: (doc["features"]?.list ?? []).compactMap { f in
                    f["properties"]?["name"]?.str.map { ($0, f["properties"]!) }
                })
                let rudnya = try #require(byName[Harness.rudnya])
                // 50 even incidents; resolved are i % 5 == 4 among them: 4, 14, ..., 94 → 10.
                #expect(rudnya["complaints"]?.int == 50)
                #expect(rudnya["open"]?.int == 40)
                #expect(rudnya["per_1000"]?.double == 2.5)  // 50 per 20,000 inhabitants
                #expect(byName[Harness.smolensk]?["complaints"]?.int == 50)
            }
            try await client.execute(uri: "/ogc/collections/settlements/items", method: .get) { r in
                let doc = try Harness.json(r.body)
                let names = (doc["features"]?.list ?? []).compactMap { $0["properties"]?["name"]?.str }
                #expect(Set(names) == ["Рудня", "Сосновка"])
            }
            try await client.execute(uri: "/ogc/collections/hotspots/items", method: .get) { r in
                #expect(r.status == .ok)
                let _v21 = try Harness.json(r.body)["numberMatched"]?.int
                #expect(_v21 == 0)
            }
        }
    }

    @Test func tenThousandFeaturePageStreamsCompleteGeoJSON() async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        try await Harness.seed(store, count: 0)
        _ = try await store.insert((0..<10_050).map(Harness.incident), actor: "seed")
        let app = try Harness.app(store: store)
        try await app.test(.router) { client in
            try await client.execute(uri: "/ogc/collections/incidents/items?limit=10000", method: .get) { r in
                let doc = try Harness.json(r.body)
                #expect(doc["numberReturned"]?.int == 10_000)
                #expect(doc["features"]?.list.count == 10_000)
                #expect(doc["numberMatched"]?.int == 10_050)
                let ids = doc["features"]?.list.compactMap { $0["id"]?.int } ?? []
                #expect(ids == Array(1...10_000))
            }
        }
    }
}
