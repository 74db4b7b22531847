import Foundation
import Hummingbird
import OtklikCore
import OtklikServices

/// OGC API – Features, Part 1 Core with GeoJSON, rooted at /ogc.
struct OGCRoutes: Sendable {
    let services: AppServices
    static let chunkSize = 1000

    func register(on router: Router<BasicRequestContext>) {
        router.get("/ogc") { request, _ in try landing(request) }
        router.get("/ogc/conformance") { request, _ in
            try QueryParameters(request: request).onlyAllow(["f"])
            return Respond.json(OGCDocuments.conformanceDocument())
        }
        router.get("/ogc/collections") { request, _ in try await collections(request) }
        router.get("/ogc/collections/{collectionId}") { request, context in
            try QueryParameters(request: request).onlyAllow(["f"])
            let id = try collectionID(context)
            let base = services.baseURL(for: request)
            return Respond.json(OGCDocuments.collection(id, base: base, extent: try await extent(of: id)))
        }
        router.get("/ogc/collections/{collectionId}/items") { request, context in
            try await items(request, collection: try collectionID(context))
        }
        router.get("/ogc/collections/{collectionId}/items/{featureId}") { request, context in
            try QueryParameters(request: request).onlyAllow(["f"])
            return try await item(request, collection: try collectionID(context), featureID: context.parameters.get("featureId") ?? "")
        }
    }

    private func landing(_ request: Request) throws -> Response {
        try QueryParameters(request: request).onlyAllow(["f"])
        return Respond.json(OGCDocuments.landing(base: services.baseURL(for: request)))
    }

    private func collectionID(_ context: BasicRequestContext) throws(Problem) -> OGCCollectionID {
        let raw = context.parameters.get("collectionId") ?? ""
        guard let id = OGCCollectionID(rawValue: raw) else {
            throw .notFound("collection '\(QueryParameters.shorten(raw))' does not exist; collections: \(OGCCollectionID.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return id
    }

    private func collections(_ request: Request) async throws -> Response {
        try QueryParameters(request: request).onlyAllow(["f"])
        let base = services.baseURL(for: request)
        var list: [JSONValue] = []
        for id in OGCCollectionID.allCases {
            list.append(OGCDocuments.collection(id, base: base, extent: try await extent(of: id)))
        }
        return Respond.json([
            "links": [OGCDocuments.link(base + "/ogc/collections", rel: "self", type: "application/json")],
            "collections": .array(list),
        ])
    }

    func extent(of id: OGCCollectionID) async throws -> Extent {
        switch id {
        case .incidents:
            return try await services.store.extent(IncidentQuery())
        case .districts, .settlements:
            // Geometry only: the extent must not pay for the statistics scan.
            let areas = try await services.store.areas(level: id == .districts ? .district : .settlement)
            let boxes = areas.compactMap { a -> BBox? in id == .settlements ? (a.point.map { .point($0) } ?? a.geometry).bbox : a.geometry.bbox }
            let corners = boxes.flatMap { [GeoPoint(lon: $0.minLon, lat: $0.minLat), GeoPoint(lon: $0.maxLon, lat: $0.maxLat)] }
            // Areas have no time of their own; their statistics cover the incidents' span.
            let e = try await services.store.extent(IncidentQuery())
            return Extent(bbox: BBox.enclosing(corners), first: e.first, last: e.last)
        default:
            let all = try await memoryFeatures(id, filter: .all)
            var box: BBox?
            var first: Date?, last: Date?
            for f in all {
                if let b = f.bbox { box = box.map { var x = $0; x.extend(GeoPoint(lon: b.minLon, lat: b.minLat)); x.extend(GeoPoint(lon: b.maxLon, lat: b.maxLat)); return x } ?? b }
                if let d = f.first { first = min(first ?? d, d) }
                if let d = f.last { last = max(last ?? d, d) }
            }
            return Extent(bbox: box, first: first, last: last)
        }
    }

    // MARK: items

    private func items(_ request: Request, collection: OGCCollectionID) async throws -> Response {
        let q = try QueryParameters(request: request)
        var items = try ItemsRequest(q, collection: collection, config: services.config, taxonomy: services.taxonomy)
        try await items.resolvePlaces(services.store.places)
        let base = services.baseURL(for: request)
        let path = "/ogc/collections/\(collection.rawValue)/items"
        if collection == .incidents { return try await incidentItems(items, base: base, path: path) }

        let filter = IncidentFilter(window: items.window ?? .all, categories: items.categories)
        var all = try await memoryFeatures(collection, filter: filter)
        if let b = items.bbox { all = all.filter { $0.bbox.map { b.intersects($0) } ?? false } }
        // Areas are timeless: `datetime` is accepted for them (clients send it to every layer) and selects all.
        let page = all.dropFirst(items.offset).prefix(items.limit)
        var writer = FeaturePageWriter()
        for f in page {
            writer.separator()
            writer.feature(json: f.json)
        }
        writer.finish(matched: all.count, request: items, base: base, path: path)
        return Response(status: .ok, headers: [.contentType: "application/geo+json"], body: .init(byteBuffer: writer.buffer))
    }

    private func incidentItems(_ items: ItemsRequest, base: String, path: String) async throws -> Response {
        let store = services.store
        let names = CategoryNames(services.taxonomy)
        let query = items.incidentQuery
        // Taken before anything is read, and held by the body until it is written out (see `PageGate`).
        let slot = try services.largePages.admit(features: items.limit)
        let matched = try await store.count(query)
        // The first chunk is read before the head is sent, so that a storage error is still a proper 500.
        var first = query
        if let after = items.after {
            first.afterID = after
        } else {
            first.offset = items.offset
        }
        first.limit = min(items.limit, Self.chunkSize)
        let firstChunk = items.offset >= matched ? IncidentTextPage() : try await store.incidentText(first)
        let firstSize = first.limit ?? Self.chunkSize
        let body = ResponseBody { writer in
            var page = FeaturePageWriter()
            var chunk = firstChunk
            var asked = firstSize
            var remaining = items.limit
            var lastID: Int64?
            while true {
                let take = min(chunk.count, remaining)
                remaining -= take
                // The next chunk is read on a database thread while this one is written out: the read and the
                // writing each take about half of a page's time, and they need not wait for each other.
                let next: IncidentQuery? = if remaining > 0, chunk.count == asked, let last = chunk.rows.last?.id {
                    query.continuing(after: last, limit: min(remaining, Self.chunkSize))
                } else {
                    nil
                }
                async let following = Self.read(store, next)
                for i in 0..<take {
                    page.separator()
                    page.incident(chunk, row: i, names: names)
                    lastID = chunk.rows[i].id
                    try await page.flushIfFull(&writer)
                }
                guard let asking = next?.limit else { break }
                asked = asking
                chunk = try await following
            }
            page.finish(matched: max(matched, items.offset + page.returned), request: items, base: base, path: path, lastID: lastID)
            try await page.flush(&writer)
            try await writer.finish(nil)
            withExtendedLifetime(slot) {}
        }
        return Response(status: .ok, headers: [.contentType: "application/geo+json"], body: body)
    }

    /// One chunk of a page, or none when there is nothing left to read.
    private static func read(_ store: any IncidentRepository, _ query: IncidentQuery?) async throws -> IncidentTextPage {
        guard let query else { return IncidentTextPage() }
        return try await store.incidentText(query)
    }

    private func item(_ request: Request, collection: OGCCollectionID, featureID: String) async throws -> Response {
        let base = services.baseURL(for: request)
        let selfLink = base + "/ogc/collections/\(collection.rawValue)/items/\(percentEncode(featureID))"
        let links: [(String, JSONValue)] = [("links", [
            OGCDocuments.link(selfLink, rel: "self", type: "application/geo+json"),
            OGCDocuments.link(base + "/ogc/collections/\(collection.rawValue)", rel: "collection", type: "application/json"),
        ])]
        if collection == .incidents {
            guard let id = Int64(featureID), id > 0, let inc = try await services.store.incident(id: id) else {
                throw Problem.notFound("incident '\(QueryParameters.shorten(featureID))' does not exist")
            }
            var w = JSONWriter()
            w.incident(inc, taxonomy: services.taxonomy)
            w.bytes.removeLast()  // reopen the feature object to add its links
            w.raw(",")
            w.key("links")
            w.value(links[0].1)
            w.raw("}")
            return Respond.bytes(w.bytes, contentType: "application/geo+json")
        }
        let all = try await memoryFeatures(collection, filter: .all)
        guard let f = all.first(where: { $0.id == featureID }) else {
            throw Problem.notFound("feature '\(QueryParameters.shorten(featureID))' does not exist in \(collection.rawValue)")
        }
        var bytes = f.json
        bytes.removeLast()
        var w = JSONWriter()
        w.raw(",")
        w.key("links")
        w.value(links[0].1)
        w.raw("}")
        bytes.append(contentsOf: w.bytes)
        return Respond.bytes(bytes, contentType: "application/geo+json")
    }

    // MARK: in-memory collections

    struct MemoryFeature: Sendable {
        var id: String
        var bbox: BBox?
        var first: Date?
        var last: Date?
        var json: [UInt8]
    }

    func memoryFeatures(_ id: OGCCollectionID, filter: IncidentFilter) async throws -> [MemoryFeature] {
        switch id {
        case .incidents:
            return []
        case .districts:
            return try await services.core.areas.districts().map { Self.memory($0) }
        case .settlements:
            return try await services.core.areas.settlements().map { Self.memory($0) }
        case .hotspots:
            return try await services.analysis.hotspots(filter).map { Self.memory($0, first: $0.firstReport, last: $0.lastReport) }
        case .hotspotGrid:
            return try await services.analysis.hotspotGrid(filter).map { Self.memory($0) }
        }
    }

    /// A published thing as an items-page feature, written once from its vocabulary.
    static func memory<T: PublishedFeature>(_ x: T, first: Date? = nil, last: Date? = nil) -> MemoryFeature {
        var w = JSONWriter(capacity: 1024)
        PublishedJSON.feature(x, into: &w)
        let g = x.geometry
        return MemoryFeature(id: x.id, bbox: g.bbox, first: first, last: last, json: w.bytes)
    }
}

private extension IncidentQuery {
    /// The same query, from the row after `id`, `limit` rows.
    func continuing(after id: Int64, limit: Int) -> IncidentQuery {
        var q = self
        q.afterID = id
        q.limit = limit
        return q
    }
}
