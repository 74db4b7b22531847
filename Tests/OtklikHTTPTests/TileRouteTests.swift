import Foundation
import Hummingbird
import HummingbirdTesting
import OtklikCore
import OtklikTiles
@testable import OtklikHTTP
import OtklikServices
import OtklikTestSupport
import Testing

@Suite struct TileRouteTests {
    /// The z10 tile of the Smolensk test district, and the z14 tile of its first incidents.
    static let smolenskZ10 = WebMercator.tile(containing: GeoPoint(lon: 31.95, lat: 54.74), z: 10)
    static let smolenskZ14 = WebMercator.tile(containing: Harness.incident(1).location, z: 14)

    static func uri(_ layer: String, _ t: TileID, _ query: String = "") -> String {
        "/tiles/\(layer)/\(t.z)/\(t.x)/\(t.y).mvt" + (query.isEmpty ? "" : "?" + query)
    }

    static func get(_ client: any TestClientProtocol, _ uri: String, _ headers: HTTPFields = [:]) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: headers) { $0 }
    }

    @Test func incidentTileIsAnMVTWithAStrongETagAndCacheValidation() async throws {
        try await Harness.withApp(count: 120) { client, _ in
            let r = try await Self.get(client, Self.uri("incidents", Self.smolenskZ10))
            #expect(r.status == .ok)
            #expect(r.headers[.contentType] == "application/vnd.mapbox-vector-tile")
            #expect(r.headers[.contentEncoding] == nil)
            let etag = try #require(r.headers[.eTag])
            #expect(etag.hasPrefix("\"") && etag.hasSuffix("\"") && !etag.hasPrefix("W/"))
            #expect(r.body.readableBytes > 0)
            let again = try await Self.get(client, Self.uri("incidents", Self.smolenskZ10), [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
            #expect(again.headers[.eTag] == etag)
            #expect(again.body.readableBytes == 0)
            let other = try await Self.get(client, Self.uri("incidents", Self.smolenskZ10), [.ifNoneMatch: "\"0-0\""])
            #expect(other.status == .ok)
        }
    }

    @Test func gzipIsSentOnlyToClientsThatAcceptItAndInflatesToTheSameTile() async throws {
        try await Harness.withApp(count: 120) { client, _ in
            let plain = try await Self.get(client, Self.uri("incidents", Self.smolenskZ10))
            let zipped = try await Self.get(client, Self.uri("incidents", Self.smolenskZ10), [.acceptEncoding: "br, gzip;q=0.8"])
            #expect(zipped.status == .ok)
            #expect(zipped.headers[.contentEncoding] == "gzip")
            #expect(zipped.headers[.vary] == "Accept-Encoding")
            let gz = Data(zipped.body.readableBytesView)
            #expect(Gzip.isGzipped(gz))
            #expect(try Gzip.decompress(gz) == Data(plain.body.readableBytesView))
            // The two codings are two representations: their strong validators differ.
            #expect(zipped.headers[.eTag] != plain.headers[.eTag])
            let refused = try await Self.get(client, Self.uri("incidents", Self.smolenskZ10), [.acceptEncoding: "gzip;q=0, identity"])
            #expect(refused.headers[.contentEncoding] == nil)
            let revalidated = try await Self.get(client, Self.uri("incidents", Self.smolenskZ10),
                                                 [.acceptEncoding: "gzip", .ifNoneMatch: zipped.headers[.eTag]!])
            #expect(revalidated.status == .notModified)
        }
    }

    @Test func emptyTileIsNoContentWithItsETag() async throws {
        try await Harness.withApp(count: 40) { client, _ in
            let r = try await Self.get(client, "/tiles/incidents/10/512/512.mvt")
            #expect(r.status == .noContent)
            #expect(r.body.readableBytes == 0)
            let etag = try #require(r.headers[.eTag])
            let again = try await Self.get(client, "/tiles/incidents/10/512/512.mvt", [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
            // No analysis configured: the hotspot layer is empty everywhere.
            #expect(try await Self.get(client, Self.uri("hotspots", Self.smolenskZ10)).status == .noContent)
        }
    }

    @Test(.requires(.mapboxVectorTile))
    func clusterCountsMatchTheStoreForTheTileAndFilter() async throws {
        try await Harness.withApp(count: 300) { client, store in
            for (query, categories, statuses) in [("", [String](), [IncidentStatus]()),
                                                  ("category=road.pothole&status=new", ["road.pothole"], [.new]),
                                                  ("since=2025-01-05", [], [])] {
                let r = try await Self.get(client, Self.uri("incidents", Self.smolenskZ10, query))
                #expect(r.status == .ok, "\(query)")
                let decoded = try TileTestSupport.decodeWithPython(Array(r.body.readableBytesView))
                let features = decoded["incidents"]?.list ?? []
                let sum = features.compactMap { $0["properties"]?["point_count"]?.int }.reduce(0, +)
                let window = query.hasPrefix("since") ? TimeWindow(start: Harness.start.addingTimeInterval(4 * 86_400)) : .all
                let expected = try await store.count(IncidentQuery(bbox: WebMercator.bounds(of: Self.smolenskZ10), window: window,
                                                                   categories: categories, statuses: statuses))
                #expect(expected > 0)
                #expect(sum == expected, "\(query)")
                #expect(features.allSatisfy { $0["type"]?.str == "Point" })
            }
        }
    }

    @Test(.requires(.mapboxVectorTile))
    func rawPointTileHoldsEveryIncidentOfTheTileAndBufferWithPublicFieldsOnly() async throws {
        try await Harness.withApp(count: 300) { client, store in
            let r = try await Self.get(client, Self.uri("incidents", Self.smolenskZ14))
            #expect(r.status == .ok)
            let features = try TileTestSupport.decodeWithPython(Array(r.body.readableBytesView))["incidents"]?.list ?? []
            let inStore = try await store.incidents(IncidentQuery(bbox: TileLayers.queryBounds(of: Self.smolenskZ14)))
            #expect(!inStore.isEmpty)
            #expect(features.compactMap { $0["id"]?.int }.sorted() == inStore.compactMap { $0.id.map(Int.init) }.sorted())
            let first = try #require(features.first?["properties"])
            #expect(Set(first.keys).isSubset(of: ["id", "category", "status", "date", "settlement", "district"]))
            #expect(first["district"]?.str == Harness.smolensk)
        }
    }

    @Test(.requires(.mapboxVectorTile))
    func districtTileCarriesNamesCountsAndRatesPerThousand() async throws {
        try await Harness.withApp(count: 100) { client, store in
            let t = WebMercator.tile(containing: GeoPoint(lon: 31.25, lat: 54.95), z: 8)
            let r = try await Self.get(client, Self.uri("districts", t))
            #expect(r.status == .ok)
            let features = try TileTestSupport.decodeWithPython(Array(r.body.readableBytesView))["districts"]?.list ?? []
            let stats = try await store.stats(IncidentQuery())
            let rudnya = try #require(features.first { $0["properties"]?["name"]?.str == Harness.rudnya })
            #expect(rudnya["type"]?.str == "Polygon")
            #expect(rudnya["properties"]?["complaints"]?.int == stats.byDistrict[Harness.rudnya])
            #expect(rudnya["properties"]?["population"]?.int == 20_000)
            #expect(rudnya["properties"]?["per_1000"]?.double == Double(stats.byDistrict[Harness.rudnya]!) * 1000 / 20_000)
        }
    }

    @Test func writtenIncidentAppearsInItsTileAtOnceWhileOtherTilesStayCached() async throws {
        try await TileTestSupport.withTileApp(count: 200) { client, wrapped in
            let spot = GeoPoint(lon: 31.055, lat: 54.835)   // among the Rudnya test incidents
            let touched = WebMercator.tile(containing: spot, z: 12)
            let untouched = WebMercator.tile(containing: Harness.incident(1).location, z: 12)
            #expect(touched != untouched)
            let before = try await Self.get(client, Self.uri("incidents", touched))
            let other = try await Self.get(client, Self.uri("incidents", untouched))
            #expect(before.status == .ok && other.status == .ok)
            let touchedKey = TileCacheKey(layer: TileLayers.incidents, tile: touched)
            let untouchedKey = TileCacheKey(layer: TileLayers.incidents, tile: untouched)
            #expect(wrapped.tiles.cache.contains(touchedKey) && wrapped.tiles.cache.contains(untouchedKey))

            let post = try await IncidentAPITests.post(client, IncidentAPITests.feature(externalID: "tile-1", lon: spot.lon, lat: spot.lat))
            #expect(post.status == .created)
            #expect(!wrapped.tiles.cache.contains(touchedKey))
            #expect(wrapped.tiles.cache.contains(untouchedKey))

            let after = try await Self.get(client, Self.uri("incidents", touched))
            #expect(after.status == .ok)
            #expect(after.headers[.eTag] != before.headers[.eTag])
            let otherAgain = try await Self.get(client, Self.uri("incidents", untouched), [.ifNoneMatch: other.headers[.eTag]!])
            #expect(otherAgain.status == .notModified)
            if try Peers.ifAvailable(.mapboxVectorTile) != nil {
                func total(_ r: TestResponse) throws -> Int {
                    try TileTestSupport.decodeWithPython(Array(r.body.readableBytesView))["incidents"]?.list
                        .compactMap { $0["properties"]?["point_count"]?.int }.reduce(0, +) ?? -1
                }
                #expect(try total(after) == total(before) + 1)
            }
        }
    }

    @Test func statusChangeAndNewIncidentsRefreshTiles() async throws {
        try await TileTestSupport.withTileApp(count: 60) { client, _ in
            let spot = GeoPoint(lon: 31.3, lat: 54.9)
            let z16 = WebMercator.tile(containing: spot, z: 16)
            #expect(try await Self.get(client, Self.uri("incidents", z16)).status == .noContent)
            let post = try await IncidentAPITests.post(client, IncidentAPITests.feature(externalID: "tile-2", lon: spot.lon, lat: spot.lat))
            #expect(post.status == .created)
            #expect(try await Self.get(client, Self.uri("incidents", z16)).status == .ok)
        }
        try await TileTestSupport.withTileApp(count: 60) { client, _ in
            let inc = Harness.incident(0)
            let z16 = WebMercator.tile(containing: inc.location, z: 16)
            let openOnly = Self.uri("incidents", z16, "status=new")
            let before = try await Self.get(client, openOnly)
            #expect(before.status == .ok)
            let r = try await client.execute(uri: "/api/v1/incidents/1", method: .patch, headers: Harness.bearer(Harness.operatorKey),
                                             body: ByteBuffer(string: "{\"status\":\"rejected\",\"note\":\"дубль\"}")) { $0 }
            #expect(r.status == .ok)
            let after = try await Self.get(client, openOnly)
            #expect(after.headers[.eTag] != before.headers[.eTag])
        }
    }

    @Test func tileJSONDescribesTheLayerWithAbsoluteURLsAndTheDataBounds() async throws {
        try await Harness.withApp(count: 40) { client, _ in
            let r = try await Self.get(client, "/tiles/incidents.json")
            #expect(r.status == .ok)
            #expect(r.headers[.contentType] == "application/json")
            let doc = try Harness.json(r.body)
            #expect(doc["tilejson"]?.str == "3.0.0")
            #expect(doc["tiles"]?.list.compactMap(\.str) == ["http://test.local/tiles/incidents/{z}/{x}/{y}.mvt"])
            #expect(doc["minzoom"]?.int == 0)
            #expect(doc["maxzoom"]?.int == 16)
            let b = BBox.enclosing((0..<40).map { Harness.incident($0).location })!
            #expect(doc["bounds"]?.list.compactMap(\.double) == [b.minLon, b.minLat, b.maxLon, b.maxLat])
            let layers = doc["vector_layers"]?.list ?? []
            #expect(layers.compactMap { $0["id"]?.str } == ["incidents"])
            #expect(layers.first?["fields"]?["point_count"]?.str == "Number")
            let districts = try Harness.json(try await Self.get(client, "/tiles/districts.json").body)
            #expect(districts["vector_layers"]?.list.first?["fields"]?["per_1000"]?.str == "Number")
            #expect(try await Self.get(client, "/tiles/roads.json").status == .notFound)
        }
    }

    @Test func impossibleTilesAndRefusedFiltersAreBadRequests() async throws {
        try await Harness.withApp(count: 10) { client, _ in
            for uri in ["/tiles/incidents/3/8/0.mvt", "/tiles/incidents/3/0/8.mvt", "/tiles/incidents/23/0/0.mvt",
                        "/tiles/incidents/-1/0/0.mvt", "/tiles/incidents/a/0/0.mvt",
                        "/tiles/incidents/5/19/10.mvt?category=nope", "/tiles/incidents/5/19/10.mvt?status=open",
                        "/tiles/incidents/5/19/10.mvt?since=yesterday", "/tiles/incidents/5/19/10.mvt?since=2025-01-01T10:00",
                        "/tiles/incidents/5/19/10.mvt?bbox=1,2,3,4", "/tiles/hotspots/5/19/10.mvt?status=new"] {
                let r = try await Self.get(client, uri)
                #expect(r.status == .badRequest, "\(uri)")
                #expect(r.headers[.contentType] == "application/problem+json", "\(uri)")
            }
            #expect(try await Self.get(client, "/tiles/roads/5/19/10.mvt").status == .notFound)
            #expect(try await Self.get(client, "/tiles/incidents/5/19/10.png").status == .notFound)
            #expect(try await Self.get(client, "/tiles/incidents/5/19/10.mvt?since=2025-01-01T10:00:00%2B03:00").status != .badRequest)
        }
    }

    @Test func leafletFilesAreServedAndTraversalIsRefused() async throws {
        try await Harness.withApp(count: 0) { client, _ in
            if FileManager.default.fileExists(atPath: "/usr/share/javascript/leaflet/leaflet.js") {
                let js = try await Self.get(client, "/vendor/leaflet/leaflet.js")
                #expect(js.status == .ok)
                #expect(js.headers[.contentType] == "application/javascript; charset=utf-8")
                #expect(String(buffer: js.body).contains("Leaflet"))
                #expect(try await Self.get(client, "/vendor/leaflet/leaflet.css").headers[.contentType] == "text/css; charset=utf-8")
                let png = try await Self.get(client, "/vendor/leaflet/images/marker-icon.png")
                #expect(png.status == .ok && png.headers[.contentType] == "image/png")
            }
            for uri in ["/vendor/leaflet/..%2F..%2F..%2Fetc%2Fpasswd", "/vendor/leaflet/%2E%2E", "/vendor/leaflet/.hidden.js",
                        "/vendor/leaflet/images/..%2Fleaflet.js", "/vendor/leaflet/../../etc/passwd", "/vendor/leaflet/passwd",
                        "/vendor/leaflet/leaflet.js.gz"] {
                let r = try await Self.get(client, uri)
                #expect(r.status == .notFound, "\(uri)")
                #expect(!String(buffer: r.body).contains("root:"), "\(uri)")
            }
        }
    }
}
