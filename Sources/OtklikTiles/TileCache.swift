public import OtklikCore
public import Foundation

/// What identifies a cached tile. `filter` is the canonical query (see `TileFilter.cacheKey`), "" when none.
public struct TileCacheKey: Sendable, Hashable {
    public var layer: String
    public var tile: TileID
    public var filter: String

    public init(layer: String, tile: TileID, filter: String = "") {
        self.layer = layer
        self.tile = tile
        self.filter = filter
    }
}

/// The filters a tile request may carry, in one canonical form for cache keys.
public struct TileFilter: Sendable, Hashable {
    public var category: String?
    public var status: String?
    /// An ISO 8601 date or instant, kept as text: the HTTP layer validates it.
    public var since: String?

    public init(category: String? = nil, status: String? = nil, since: String? = nil) {
        self.category = category
        self.status = status
        self.since = since
    }

    public var cacheKey: String {
        var parts: [String] = []
        if let category, !category.isEmpty { parts.append("category=\(category)") }
        if let status, !status.isEmpty { parts.append("status=\(status)") }
        if let since, !since.isEmpty { parts.append("since=\(since)") }
        return parts.joined(separator: "&")
    }
}

/// A tile ready to serve. An empty tile (no features) has `isEmpty` true and zero-length `data`:
/// the HTTP layer answers it with **204 No Content** (and still sends the ETag).
public struct CachedTile: Sendable, Hashable {
    public var data: Data
    /// The same bytes gzipped, for clients that send `Accept-Encoding: gzip`.
    public var gzipped: Data
    /// A strong ETag (quoted), derived from the uncompressed bytes only.
    public var etag: String
    public var isEmpty: Bool { data.isEmpty }

    public init(data: Data) throws(TilesError) {
        self.data = data
        // Level 1: a cold tile is compressed while its client waits, and level 6 took longer than the encode;
        // the tiles come out only a few per cent larger. MBTiles files, built once, keep the default.
        self.gzipped = data.isEmpty ? Data() : try Gzip.compress(data, level: 1)
        self.etag = CachedTile.etag(for: data)
    }

    /// `"<fnv1a-64 hex>-<length hex>"`: a strong validator, equal exactly when the bytes are (barring a
    /// 64-bit collision among tiles of the same length).
    public static func etag(for data: Data) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        data.withUnsafeBytes { raw in
            for b in raw {
                h ^= UInt64(b)
                h = h &* 0x0000_0100_0000_01b3
            }
        }
        return "\"\(String(h, radix: 16))-\(String(data.count, radix: 16))\""
    }
}

/// A bounded in-memory tile cache, safe to share between request handlers (one lock, short critical sections).
/// Writing an incident invalidates only the tiles that can show it: at every cached zoom, the tile that
/// contains the point and the neighbours whose buffer reaches it.
public final class TileCache: @unchecked Sendable {
    private struct Entry {
        var tile: CachedTile
        var lastUse: UInt64
    }

    private let lock = NSLock()
    private var entries: [TileCacheKey: Entry] = [:]
    private var byTile: [TileID: Set<TileCacheKey>] = [:]
    private var clock: UInt64 = 0
    /// Bumped by every invalidation, so a tile produced before an invalidation is not stored after it.
    private var generation: UInt64 = 0
    public let maxEntries: Int
    public let options: TileOptions

    public init(maxEntries: Int = 50_000, options: TileOptions = .standard) {
        self.maxEntries = max(1, maxEntries)
        self.options = options
    }

    public var count: Int { lock.withLock { entries.count } }

    public func get(_ key: TileCacheKey) -> CachedTile? {
        lock.withLock {
            guard var e = entries[key] else { return nil }
            clock += 1
            e.lastUse = clock
            entries[key] = e
            return e.tile
        }
    }

    /// The cached tile, or `produce()`'s bytes, stored unless an invalidation happened meanwhile.
    public func tile(for key: TileCacheKey, produce: () throws -> Data) throws -> CachedTile {
        if let hit = get(key) { return hit }
        let start = lock.withLock { generation }
        let built = try CachedTile(data: try produce())
        lock.withLock {
            if generation == start { store(key, built) }
        }
        return built
    }

    @discardableResult
    public func put(_ key: TileCacheKey, data: Data) throws -> CachedTile {
        let built = try CachedTile(data: data)
        lock.withLock { store(key, built) }
        return built
    }

    private func store(_ key: TileCacheKey, _ tile: CachedTile) {
        clock += 1
        entries[key] = Entry(tile: tile, lastUse: clock)
        byTile[key.tile, default: []].insert(key)
        if entries.count > maxEntries { evictOldestHalf() }
    }

    private func evictOldestHalf() {
        // Sorting once per overflow keeps eviction amortised O(log n) per insert.
        let victims = entries.sorted { $0.value.lastUse < $1.value.lastUse }.prefix(entries.count - maxEntries / 2)
        for (key, _) in victims { remove(key) }
    }

    private func remove(_ key: TileCacheKey) {
        entries[key] = nil
        byTile[key.tile]?.remove(key)
        if byTile[key.tile]?.isEmpty == true { byTile[key.tile] = nil }
    }

    /// The tiles at zoom `z` that draw a point: its own tile and those whose buffer reaches it.
    public static func tilesTouching(_ p: GeoPoint, z: Int, options: TileOptions = .standard) -> [TileID] {
        let own = WebMercator.tile(containing: p, z: z)
        let t = WebMercator.tilePoint(p, in: own, extent: options.extent)
        let b = Double(options.buffer), e = Double(options.extent)
        let n = 1 << z
        var dxs = [0], dys = [0]
        if t.x <= b { dxs.append(-1) }
        if t.x >= e - b { dxs.append(1) }
        if t.y <= b { dys.append(-1) }
        if t.y >= e - b { dys.append(1) }
        var out: [TileID] = []
        for dy in dys { for dx in dxs {
            let x = own.x + dx, y = own.y + dy
            if x >= 0, x < n, y >= 0, y < n { out.append(TileID(z: z, x: x, y: y)) }
        } }
        return out
    }

    /// Drops every cached tile of `layers` (all layers when nil) that shows `point`, at zooms 0...`maxZoom`,
    /// whatever its filter. Returns how many entries went.
    @discardableResult
    public func invalidate(point: GeoPoint, layers: Set<String>? = [TileLayers.incidents], maxZoom: Int = 24) -> Int {
        var touched: [TileID] = []
        for z in 0...maxZoom { touched += TileCache.tilesTouching(point, z: z, options: options) }
        return lock.withLock {
            generation += 1
            var removed = 0
            for t in touched {
                guard let keys = byTile[t] else { continue }
                for key in keys where layers?.contains(key.layer) ?? true {
                    remove(key)
                    removed += 1
                }
            }
            return removed
        }
    }

    /// Drops a whole layer, e.g. `districts` and `hotspots` after a hotspot run recomputes their figures.
    @discardableResult
    public func invalidate(layer: String) -> Int {
        lock.withLock {
            generation += 1
            let keys = entries.keys.filter { $0.layer == layer }
            for key in keys { remove(key) }
            return keys.count
        }
    }

    public func removeAll() {
        lock.withLock {
            generation += 1
            entries.removeAll()
            byTile.removeAll()
        }
    }

    public func contains(_ key: TileCacheKey) -> Bool { lock.withLock { entries[key] != nil } }
}
