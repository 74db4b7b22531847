import Foundation
import Hummingbird
import HummingbirdTesting
import OtklikCore
import OtklikTiles
@testable import OtklikHTTP
@testable import OtklikServices
import Synchronization
import Testing

/// The server's read models: incident tiles encoded from the in-memory points, and remembered counts. Both must
/// give what the store gives, before and after writes.
@Suite struct ServingStoreTests {
    static func waitUntilReady(_ wrapped: ServingStore) async throws {
        for _ in 0..<500 where !wrapped.tiles.points.isReady { try await Task.sleep(for: .milliseconds(10)) }
        #expect(wrapped.tiles.points.isReady, "the in-memory points were not built within 5 s")
    }

    static let filters = ["", "category=road.pothole", "status=new", "since=2025-01-05", "category=waste.container_site&status=resolved",
                          "since=2025-01-05T00:00:00%2B03:00"]

    /// Every tile over the test districts at z8–z14, with each filter, as the store path encodes it.
    static func fromStore(_ wrapped: ServingStore, _ tile: TileID, _ query: String, taxonomy: Taxonomy) async throws -> Data {
        var fields: [String: String] = [:]
        for part in query.split(separator: "&") {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            fields[kv[0]] = kv[1].removingPercentEncoding!
        }
        let filter = try TileRequestFilter.parse(category: fields["category"], status: fields["status"], since: fields["since"],
                                                 taxonomy: taxonomy)
        return try await producer(wrapped.base).tile(layer: TileLayers.incidents, tile: tile, filter: filter)
    }

    /// A producer that reads the store directly, past the server's wrapper and caches.
    static func producer(_ store: any IncidentStore) -> TileProducer {
        ApplicationServices(store: store, taxonomy: Harness.taxonomy, analysis: NoAnalysis()).tiles
    }

    static func tiles() -> [TileID] {
        var out: Set<TileID> = []
        for i in stride(from: 0, to: 200, by: 7) {
            for z in [8, 10, 12, 14] { out.insert(WebMercator.tile(containing: Harness.incident(i).location, z: z)) }
        }
        return out.sorted()
    }

    @Test func tilesFromMemoryAreByteForByteTheStoreTiles() async throws {
        try await TileTestSupport.withTileApp(count: 200) { client, wrapped in
            try await Self.waitUntilReady(wrapped)
            let health = try Harness.json(try await TileRouteTests.get(client, "/healthz").body)
            #expect(health["tile_points"]?.str == "ready")
            let taxonomy = Harness.taxonomy
            var compared = 0
            for t in Self.tiles() {
                for q in Self.filters {
                    let served = try await TileRouteTests.get(client, TileRouteTests.uri("incidents", t, q))
                    let expected = try await Self.fromStore(wrapped, t, q, taxonomy: taxonomy)
                    #expect(Data(served.body.readableBytesView) == expected, "z\(t.z)/\(t.x)/\(t.y)?\(q)")
                    if !expected.isEmpty { compared += 1 }
                }
            }
            #expect(compared > 20, "the comparison must include non-empty tiles")
        }
    }

    @Test func aWriteShowsAtOnceAndTheRebuiltIndexAgreesWithTheStore() async throws {
        try await TileTestSupport.withTileApp(count: 200) { client, wrapped in
            try await Self.waitUntilReady(wrapped)
            let taxonomy = Harness.taxonomy
            let spot = Harness.incident(3).location
            let z12 = WebMercator.tile(containing: spot, z: 12)
            let box = TileLayers.queryBounds(of: z12)
            #expect(wrapped.tiles.points.points(in: box, filter: .all) != nil)
            let post = try await IncidentAPITests.post(client, IncidentAPITests.feature(externalID: "live-1", lon: spot.lon, lat: spot.lat))
            #expect(post.status == .created)
            // The box holds a write the index has not seen: it declines, and the tile comes from the store.
            #expect(wrapped.tiles.points.points(in: box, filter: .all) == nil)
            let served = try await TileRouteTests.get(client, TileRouteTests.uri("incidents", z12))
            #expect(Data(served.body.readableBytesView) == (try await Self.fromStore(wrapped, z12, "", taxonomy: taxonomy)))
            // A far box is still answered from memory.
            let far = TileLayers.queryBounds(of: WebMercator.tile(containing: GeoPoint(lon: 40, lat: 60), z: 12))
            #expect(wrapped.tiles.points.points(in: far, filter: .all) != nil)
            // After the rebuild (due LiveTilePoints.rebuildInterval after the last), memory answers again, with the write.
            for _ in 0..<600 where wrapped.tiles.points.points(in: box, filter: .all) == nil {
                wrapped.tiles.points.refreshIfDue(now: .distantFuture) { try await Self.producer(wrapped.base).allPoints() }
                try await Task.sleep(for: .milliseconds(10))
            }
            let fromMemory = try #require(wrapped.tiles.points.points(in: box, filter: .all))
            let inStore = try await wrapped.base.incidents(IncidentQuery(bbox: box))
            #expect(Set(fromMemory.ids) == Set(inStore.compactMap(\.id)))
        }
    }

    @Test func tilesSayWhatTheyCostInServerTiming() async throws {
        try await TileTestSupport.withTileApp(count: 60) { client, _ in
            let uri = TileRouteTests.uri("incidents", WebMercator.tile(containing: Harness.incident(1).location, z: 12))
            func timing(_ r: TestResponse) -> (String, Double)? {
                guard let h = r.headers[HTTPFields.Element.Name("Server-Timing")!] else { return nil }
                let parts = h.split(separator: ";").map(String.init)
                guard parts.count == 3, parts[0] == "tile", let dur = Double(parts[2].dropFirst(4)) else { return nil }
                return (String(parts[1].dropFirst(5)), dur)
            }
            let first = try #require(timing(try await TileRouteTests.get(client, uri)))
            let second = try #require(timing(try await TileRouteTests.get(client, uri)))
            #expect(first.0 == "miss" && second.0 == "hit")
            #expect(first.1 >= 0 && second.1 >= 0)
        }
    }

    @Test func areaChangesDropTheIndexUntilRebuilt() async throws {
        try await TileTestSupport.withTileApp(count: 50) { _, wrapped in
            try await Self.waitUntilReady(wrapped)
            _ = try await wrapped.replaceAreas([], level: .settlement)
            #expect(!wrapped.tiles.points.isReady)
            #expect(wrapped.tiles.points.points(in: .world, filter: .all) == nil)
        }
    }

    /// A reset while the points are read (the change feed's "everything" as a server starts, say) throws that read
    /// away; the points are read again without waiting for a tile request to ask.
    @Test func aReadThrownAwayByAResetIsReadAgainUnasked() async throws {
        try await TileTestSupport.withTileApp(count: 50) { _, wrapped in
            let producer = Self.producer(wrapped.base)
            let points = LiveTilePoints()
            let reads = Mutex(0)
            points.refreshIfDue {
                let n = reads.withLock { r in r += 1; return r }
                let table = try await producer.allPoints()
                if n == 1 { points.reset() }
                return table
            }
            for _ in 0..<500 where !points.isReady { try await Task.sleep(for: .milliseconds(10)) }
            #expect(points.isReady)
            #expect(reads.withLock { $0 } == 2)
            #expect(points.points(in: .world, filter: .all)?.count == 50)
        }
    }

    @Test func rememberedCountsFollowWritesThroughTheServer() async throws {
        try await TileTestSupport.withTileApp(count: 120) { client, wrapped in
            let box = BBox(minLon: 30, minLat: 50, maxLon: 40, maxLat: 60)
            let query = IncidentQuery(bbox: box, limit: 10)
            let first = try await wrapped.count(query)
            #expect(first == (try await wrapped.base.count(query)))
            #expect(first > 0)
            let spot = Harness.incident(5).location
            let post = try await IncidentAPITests.post(client, IncidentAPITests.feature(externalID: "count-1", lon: spot.lon, lat: spot.lat))
            #expect(post.status == .created)
            #expect(try await wrapped.count(query) == first + 1)
            // Paging does not change the count, and a count with another filter is its own.
            var paged = query
            paged.offset = 40
            #expect(try await wrapped.count(paged) == first + 1)
            var other = query
            other.statuses = [.rejected]
            #expect(try await wrapped.count(other) == (try await wrapped.base.count(other)))
        }
    }

    @Test func countsWrittenBehindTheServersBackAgeOut() async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        try await Harness.seed(store, count: 30)
        let remembering = ServingStore(store, countTTL: 3600)
        let fresh = ServingStore(store, countTTL: 0)
        let before = try await remembering.count(IncidentQuery())
        #expect(try await fresh.count(IncidentQuery()) == before)
        _ = try await store.insert([Harness.incident(500)], actor: "other-process")
        #expect(try await remembering.count(IncidentQuery()) == before, "within the TTL the remembered count stands")
        let wrapped = fresh
        #expect(try await wrapped.count(IncidentQuery()) == before + 1)
    }
}
