import Foundation

/// What the map page shows under its layers: an optional raster basemap (an XYZ tile URL template with
/// `{z}`, `{x}`, `{y}` and optionally `{s}`) and the attribution its licence requires. Without a basemap the
/// page draws the gazetteer's places and districts on a plain background, which needs no network.
/// The page reads these from `/web/config.json`; the Content-Security-Policy of HTML pages should allow
/// `basemapOrigin` in `img-src`.
public struct MapSettings: Sendable, Equatable {
    public var basemapURL: String?
    public var basemapAttribution: String?

    public init(basemapURL: String? = nil, basemapAttribution: String? = nil) {
        self.basemapURL = basemapURL
        self.basemapAttribution = basemapAttribution
    }

    /// `OTKLIK_BASEMAP` and `OTKLIK_BASEMAP_ATTRIBUTION`.
    public func overridden(by env: [String: String]) -> MapSettings {
        var s = self
        if let v = env["OTKLIK_BASEMAP"], !v.isEmpty { s.basemapURL = v }
        if let v = env["OTKLIK_BASEMAP_ATTRIBUTION"], !v.isEmpty { s.basemapAttribution = v }
        return s
    }

    /// Why the basemap URL cannot be used, or nil when it can (or none is set).
    public var problem: String? {
        guard let url = basemapURL else { return nil }
        guard basemapOrigin != nil else { return "basemap: expected an http(s) URL, got '\(url.prefix(100))'" }
        for part in ["{z}", "{x}", "{y}"] where !url.contains(part) {
            return "basemap: the URL template has no \(part) (expected e.g. https://tiles.example.org/{z}/{x}/{y}.png)"
        }
        return nil
    }

    /// `scheme://host[:port]` of the basemap, for a Content-Security-Policy; nil without a usable URL.
    /// A `{s}` subdomain placeholder becomes `*.` so that every subdomain is allowed.
    public var basemapOrigin: String? {
        guard let url = basemapURL else { return nil }
        for scheme in ["https://", "http://"] where url.lowercased().hasPrefix(scheme) {
            let rest = url.dropFirst(scheme.count)
            let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            guard !authority.isEmpty, !authority.contains("@"), !authority.contains(" ") else { return nil }
            return scheme + authority.lowercased().replacingOccurrences(of: "{s}.", with: "*.")
        }
        return nil
    }
}
