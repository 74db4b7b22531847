import Foundation
import OtklikCore
import Testing
@testable import OtklikTiles

@Suite struct TileCacheTests {
    let smolensk = GeoPoint(lon: 32.0401, lat: 54.7801)

    @Test func aWrittenIncidentAppearsInItsTileAtOnce() throws {
        let cache = TileCache()
        var store: [TilePoint] = []
        let tile = WebMercator.tile(containing: smolensk, z: 15)
        let key = TileCacheKey(layer: TileLayers.incidents, tile: tile)
        func produce() -> Data {
            let q = TileLayers.queryBounds(of: tile)
            return MVTEncoder.encode([TileLayers.incidents(store.filter { q.contains($0.location) }, tile: tile)])
        }
        let before = try cache.tile(for: key, produce: produce)
        #expect(before.isEmpty)
        store.append(TilePoint(id: 77, location: smolensk, category: "pothole", status: "new", date: "2026-11-29"))
        // Still the cached empty tile until the write is announced…
        #expect(try cache.tile(for: key, produce: produce).isEmpty)
        cache.invalidate(point: smolensk)
        let after = try cache.tile(for: key, produce: produce)
        #expect(!after.isEmpty)
        #expect(after.etag != before.etag)
        #expect(try Gzip.decompress(after.gzipped) == after.data)
    }

    @Test func invalidationDropsOnlyTheTilesThatShowThePoint() throws {
        let cache = TileCache()
        let far = GeoPoint(lon: 33.5, lat: 55.5)
        for z in 9...14 {  // zooms where the two points have different tiles
            for p in [smolensk, far] {
                for f in ["", "category=pothole"] {
                    try cache.put(TileCacheKey(layer: TileLayers.incidents, tile: WebMercator.tile(containing: p, z: z), filter: f), data: Data([1]))
                }
            }
            try cache.put(TileCacheKey(layer: TileLayers.districts, tile: WebMercator.tile(containing: smolensk, z: z)), data: Data([1]))
        }
        let removed = cache.invalidate(point: smolensk)
        #expect(removed == 12)
        #expect(cache.count == 18)
        #expect(cache.contains(TileCacheKey(layer: TileLayers.incidents, tile: WebMercator.tile(containing: far, z: 9))))
        #expect(cache.contains(TileCacheKey(layer: TileLayers.districts, tile: WebMercator.tile(containing: smolensk, z: 9))))
        #expect(cache.invalidate(layer: TileLayers.districts) == 6)
    }

    @Test func aPointInTheBufferAlsoInvalidatesTheNeighbour() {
        // 10 grid units east of the west edge of 14/9650/5199: the western neighbour's buffer draws it.
        let t = TileID(z: 14, x: 9650, y: 5199)
        let b = WebMercator.bounds(of: t)
        let p = GeoPoint(lon: b.minLon + (b.maxLon - b.minLon) * 10 / 4096, lat: b.center.lat)
        let touched = Set(TileCache.tilesTouching(p, z: 14))
        #expect(touched == [t, TileID(z: 14, x: 9649, y: 5199)])
        let centre = Set(TileCache.tilesTouching(b.center, z: 14))
        #expect(centre == [t])
    }

    @Test func etagIsStrongAndFollowsTheBytes() throws {
        let a = try CachedTile(data: Data([1, 2, 3]))
        let b = try CachedTile(data: Data([1, 2, 3]))
        let c = try CachedTile(data: Data([1, 2, 4]))
        #expect(a.etag == b.etag)
        #expect(a.etag != c.etag)
        #expect(a.etag.hasPrefix("\"") && !a.etag.hasPrefix("W/"))
    }

    @Test func evictsTheLeastRecentlyUsedWhenFull() throws {
        let cache = TileCache(maxEntries: 10)
        for x in 0..<11 { try cache.put(TileCacheKey(layer: "incidents", tile: TileID(z: 5, x: x, y: 0)), data: Data([1])) }
        #expect(cache.count <= 10)
        #expect(cache.contains(TileCacheKey(layer: "incidents", tile: TileID(z: 5, x: 10, y: 0))))
        #expect(!cache.contains(TileCacheKey(layer: "incidents", tile: TileID(z: 5, x: 0, y: 0))))
    }

    @Test func filtersHaveOneCanonicalKey() {
        #expect(TileFilter(category: "pothole", status: nil, since: "2026-01-01").cacheKey == "category=pothole&since=2026-01-01")
        #expect(TileFilter().cacheKey == "")
    }
}
