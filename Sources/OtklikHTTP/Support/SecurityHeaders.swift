import Hummingbird

/// Headers that make the HTML pages harder to abuse: no framing (clickjacking), no content sniffing, no referrer
/// leaking a filter to other sites, and a Content-Security-Policy that allows only what the map page loads:
/// its own scripts and styles (/web, /vendor/leaflet), tiles and JSON from this origin, `data:`/`blob:` images
/// (Leaflet's icons, the page's favicon). Inline `style` attributes stay allowed because Leaflet positions its
/// panes and the legend with them; inline scripts do not.
enum SecurityHeaders {
    /// The policy, with the configured basemap's origin (`MapSettings.basemapOrigin`) allowed as an image source.
    static func contentSecurityPolicy(basemapOrigin: String? = nil) -> String {
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data: blob:\(basemapOrigin.map { " " + $0 } ?? ""); connect-src 'self'; worker-src 'self' blob:; "
            + "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    }
    static let xFrameOptions = HTTPFields.Element.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPFields.Element.Name("Referrer-Policy")!

    static let readMethods: Set<HTTPRequest.Method> = [.get, .head]
    static let allowedHeaders = "Accept, Accept-Language, If-None-Match, If-Modified-Since, Range"
    static let exposedHeaders = "ETag, Link, Location, Content-Disposition, Content-Crs, Retry-After, Server-Timing"
}

struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    let contentSecurityPolicy: String

    init(map: MapSettings = MapSettings()) {
        contentSecurityPolicy = SecurityHeaders.contentSecurityPolicy(basemapOrigin: map.basemapOrigin)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        if let type = response.headers[.contentType], type.lowercased().hasPrefix("text/html") {
            response.headers[.contentSecurityPolicy] = contentSecurityPolicy
            response.headers[SecurityHeaders.xFrameOptions] = "DENY"
            response.headers[SecurityHeaders.referrerPolicy] = "no-referrer"
        }
        return response
    }
}

/// CORS for the public layers only: any origin may GET or HEAD them (planners' own web maps read the layers),
/// without credentials and without sending a key; preflights for anything else (POST, PATCH, DELETE, an
/// `Authorization` header) get no CORS headers, so browsers on other origins cannot use the write API.
struct PublicCORSMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.headers[.origin] != nil, SecurityHeaders.isPublic(request.uri.path) else {
            return try await next(request, context)
        }
        if request.method == .options, let asked = request.headers[.accessControlRequestMethod] {
            var headers: HTTPFields = [.vary: "Origin"]
            if SecurityHeaders.readMethods.contains(where: { $0.rawValue == asked.uppercased() }) {
                headers[.accessControlAllowOrigin] = "*"
                headers[.accessControlAllowMethods] = "GET, HEAD"
                headers[.accessControlAllowHeaders] = SecurityHeaders.allowedHeaders
                headers[.accessControlMaxAge] = "600"
            }
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        if SecurityHeaders.readMethods.contains(request.method) {
            response.headers[.accessControlAllowOrigin] = "*"
            response.headers[.accessControlExposeHeaders] = SecurityHeaders.exposedHeaders
        }
        return response
    }
}

extension SecurityHeaders {
    /// The published layers and documents: everything but the operators' /metrics.
    static func isPublic(_ path: String) -> Bool { path != "/metrics" }
}
