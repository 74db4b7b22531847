import Foundation
import Hummingbird
import OtklikCore
import OtklikServices
import OtklikTiles

/// Vector tiles and their TileJSON, and the Leaflet files the map page loads.
///
/// - `GET /tiles/{layer}/{z}/{x}/{y}.mvt` (`.pbf` too) for `incidents`, `hotspots`, `districts`, with
///   `?category=&status=&since=` (`status` does not apply to `hotspots`). Answers:
///   200 with `application/vnd.mapbox-vector-tile` (gzipped with `Content-Encoding: gzip` when the client
///   accepts gzip); **204 No Content** for an empty tile (still with its ETag); 304 when `If-None-Match` holds
///   the tile's ETag; 400 for a tile address that does not exist (z outside 0...22, x or y outside 0..<2^z,
///   not whole numbers) or a refused filter; 404 for an unknown layer.
/// - `GET /tiles/{layer}.json`: TileJSON 3.0.0.
///
/// Tiles are cached in `TileState`; writes through the application's store drop exactly the incident tiles
/// they touch.
struct TileRoutes: Sendable {
    let services: AppServices
    let tiles: TileServing

    static let maxZoom = 22
    /// What TileJSON advertises: beyond z16 every tile holds raw points, so clients overzoom z16.
    static let publishedMaxZoom = 16
    static let contentType = "application/vnd.mapbox-vector-tile"

    init(services: AppServices) {
        self.services = services
        tiles = TileServing(state: services.core.tileState, producer: services.core.tiles)
        tiles.refreshPoints()
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/tiles/{layer}/{z}/{x}/{y}") { request, context in
            try await tile(request, context)
        }
        router.get("/tiles/{layer}") { request, context in
            try await tileJSON(request, context)
        }
        LeafletFiles().register(on: router)
    }

    static func layer(_ raw: String) throws(Problem) -> String {
        guard TileLayers.all.contains(raw) else {
            throw Problem.notFound("no tile layer '\(QueryParameters.shorten(raw))'; layers: \(TileLayers.all.joined(separator: ", "))")
        }
        return raw
    }

    private func tile(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let q = try QueryParameters(request: request)
        let layer = try Self.layer(context.parameters.get("layer") ?? "")
        try q.onlyAllow(layer == TileLayers.hotspots ? ["category", "since"] : ["category", "status", "since"])
        let rawY = context.parameters.get("y") ?? ""
        guard rawY.hasSuffix(".mvt") || rawY.hasSuffix(".pbf") else {
            throw Problem.notFound("tiles are addressed as /tiles/\(layer)/{z}/{x}/{y}.mvt")
        }
        let id: TileID
        do {
            id = try TileID.parse(z: context.parameters.get("z") ?? "", x: context.parameters.get("x") ?? "", y: rawY, maxZoom: Self.maxZoom)
        } catch {
            throw Problem(.badRequest, slug: "invalid-tile", title: "No such tile", detail: error.description)
        }
        let filter: IncidentFilter
        do {
            filter = try TileRequestFilter.parse(category: q["category"], status: q["status"], since: q["since"], taxonomy: services.taxonomy)
        } catch {
            throw Problem.badParameter(error.description)
        }
        let started = ContinuousClock.now
        let (served, produced) = try await tiles.tile(layer: layer, id: id, filter: filter)
        // Server-Timing (W3C): what making the tile cost inside the server, cache hit or miss, so that a client
        // or a benchmark can tell production time from the network.
        let ms = (ContinuousClock.now - started).milliseconds
        var response = Self.respond(served, request: request)
        response.headers[HTTPFields.Element.Name("Server-Timing")!] = "tile;desc=\(produced ? "miss" : "hit");dur=\(String(format: "%.3f", ms))"
        return response
    }

    /// The gzipped representation has its own strong ETag (the identity one with `-gz` before the closing
    /// quote): RFC 9110 wants different content codings to have different strong validators.
    static func respond(_ tile: CachedTile, request: Request) -> Response {
        let gzip = !tile.isEmpty && acceptsGzip(request.headers[.acceptEncoding])
        let etag = gzip ? String(tile.etag.dropLast()) + "-gz\"" : tile.etag
        var headers: HTTPFields = [.eTag: etag, .cacheControl: "no-cache", .vary: "Accept-Encoding"]
        if let inm = request.headers[.ifNoneMatch], matches(inm, etag: etag) {
            return Response(status: .notModified, headers: headers)
        }
        if tile.isEmpty { return Response(status: .noContent, headers: headers) }
        if gzip { headers[.contentEncoding] = "gzip" }
        return Respond.bytes(Array(gzip ? tile.gzipped : tile.data), contentType: contentType, headers: headers)
    }

    /// `gzip` (or `x-gzip`, or `*`) listed without `q=0`.
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        for part in header.split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = fields.first, ["gzip", "x-gzip", "*"].contains(coding) else { continue }
            let q = fields.dropFirst().first(where: { $0.hasPrefix("q=") }).flatMap { Double($0.dropFirst(2)) } ?? 1
            if q > 0 { return true }
        }
        return false
    }

    /// If-None-Match uses weak comparison (RFC 9110 §13.1.2): `W/` prefixes are ignored, `*` matches.
    static func matches(_ header: String, etag: String) -> Bool {
        for part in header.split(separator: ",") {
            var tag = part.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag = String(tag.dropFirst(2)) }
            if tag == etag { return true }
        }
        return false
    }

    private func tileJSON(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let raw = context.parameters.get("layer") ?? ""
        guard raw.hasSuffix(".json") else {
            throw Problem.notFound("no tile document '\(QueryParameters.shorten(raw))'; use /tiles/{layer}.json")
        }
        let layer = try Self.layer(String(raw.dropLast(5)))
        try QueryParameters(request: request).onlyAllow([])
        let extent = try await services.store.extent(IncidentQuery())
        // An empty database still gets a usable document: the oblast's box.
        let bounds = extent.bbox ?? BBox(minLon: 30.7, minLat: 53.3, maxLon: 35.4, maxLat: 56.1)
        let center = GeoPoint(lon: (bounds.minLon + bounds.maxLon) / 2, lat: (bounds.minLat + bounds.maxLat) / 2)
        let base = services.baseURL(for: request)
        let doc = TileJSON.document(
            name: "otklik-\(layer)", tileURL: "\(base)/tiles/\(layer)/{z}/{x}/{y}.mvt", minZoom: 0, maxZoom: Self.publishedMaxZoom,
            bounds: bounds, center: center, centerZoom: 8,
            layers: [try VectorLayerSpec.standard(layer, minZoom: 0, maxZoom: Self.publishedMaxZoom)],
            attribution: "Otklik", description: "Otklik \(layer) as Mapbox Vector Tiles 2.1")
        return Respond.bytes(Array(doc), contentType: "application/json")
    }
}
