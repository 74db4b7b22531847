import Foundation
import Hummingbird
import OtklikCore
import OtklikServices

/// /openapi.json, /metrics, the map page and its settings (/web/config.json).
struct OperationsRoutes: Sendable {
    let services: AppServices

    func register(on router: Router<BasicRequestContext>) {
        let openAPI = OpenAPIDocument.build(config: services.config, taxonomy: services.taxonomy).encoded()
        router.get("/openapi.json") { request, _ in
            try QueryParameters(request: request).onlyAllow([])
            return Respond.bytes(openAPI, contentType: "application/vnd.oai.openapi+json;version=3.0")
        }
        router.get("/metrics") { request, _ in
            try QueryParameters(request: request).onlyAllow([])
            let size = try? services.store.databaseSize()
            let count = try await services.store.count(IncidentQuery())
            let text = services.metrics.render(gauges: [
                ("otklik_db_size_bytes", "Size of the database file in bytes.", size.map(Double.init)),
                ("otklik_incidents", "Incidents stored.", Double(count)),
                ("otklik_uptime_seconds", "Seconds since the service started.", Date().timeIntervalSince(services.startedAt).rounded()),
            ])
            return Respond.text(text, contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/") { request, _ in try webFile("index.html") }
        // Before /web/{file}: the page's settings come from the server's configuration, not from a file, and
        // never from an inline script (the Content-Security-Policy of HTML pages forbids those).
        let mapConfig = Self.mapConfig(services.config.map).encoded()
        router.get("/web/config.json") { request, _ in
            try QueryParameters(request: request).onlyAllow([])
            return Respond.bytes(mapConfig, contentType: "application/json", headers: [.cacheControl: "no-cache"])
        }
        router.get("/web/{file}") { request, context in try webFile(context.parameters.get("file") ?? "") }
    }

    /// `{"basemap": {"url": …, "attribution": …}}`, or `{"basemap": null}` without a usable basemap.
    static func mapConfig(_ map: MapSettings) -> JSONValue {
        guard let url = map.basemapURL, map.problem == nil else { return .object([("basemap", .null)]) }
        return .object([("basemap", .object([("url", .string(url)), ("attribution", map.basemapAttribution.map { .string($0) } ?? .null)]))])
    }

    static let webTypes = ["html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8",
                           "css": "text/css; charset=utf-8", "json": "application/json", "png": "image/png", "svg": "image/svg+xml"]

    /// Serves files of Resources/web by bare name only; no path can leave that folder.
    private func webFile(_ name: String) throws -> Response {
        let ext = name.split(separator: ".").last.map(String.init) ?? ""
        guard !name.hasPrefix("."), !name.contains("/"), !name.contains("\\"), let type = Self.webTypes[ext],
              let dir = Bundle.module.url(forResource: "web", withExtension: nil, subdirectory: "Resources")
                ?? Bundle.module.resourceURL?.appendingPathComponent("Resources/web"),
              let data = try? Data(contentsOf: dir.appendingPathComponent(name)) else {
            throw Problem.notFound("no file '\(QueryParameters.shorten(name))' in the web folder")
        }
        return Respond.bytes(Array(data), contentType: type)
    }
}
