public import OtklikCore

/// The `metadata` table of an MBTiles 1.3 vector tile set.
public struct MBTilesMetadata: Sendable, Hashable {
    public var name: String
    public var format: String
    public var bounds: BBox
    public var center: GeoPoint
    public var centerZoom: Int
    public var minZoom: Int
    public var maxZoom: Int
    /// The `json` row: `{"vector_layers": [...]}` (TileJSON's layer list), required for pbf tile sets.
    public var json: String
    public var description: String?
    public var attribution: String?
    /// Any further rows (e.g. `version`, `type`).
    public var extra: [String: String]

    public init(name: String, format: String = "pbf", bounds: BBox, center: GeoPoint? = nil, centerZoom: Int? = nil,
                minZoom: Int, maxZoom: Int, json: String, description: String? = nil, attribution: String? = nil,
                extra: [String: String] = [:]) {
        self.name = name
        self.format = format
        self.bounds = bounds
        self.center = center ?? bounds.center
        self.centerZoom = centerZoom ?? minZoom
        self.minZoom = minZoom
        self.maxZoom = maxZoom
        self.json = json
        self.description = description
        self.attribution = attribution
        self.extra = extra
    }

    /// The rows as MBTiles 1.3 spells them (bounds and center as comma-separated numbers).
    public var rows: [(String, String)] {
        var out: [(String, String)] = [
            ("name", name), ("format", format),
            ("bounds", "\(bounds.minLon),\(bounds.minLat),\(bounds.maxLon),\(bounds.maxLat)"),
            ("center", "\(center.lon),\(center.lat),\(centerZoom)"),
            ("minzoom", String(minZoom)), ("maxzoom", String(maxZoom)), ("json", json),
            ("type", extra["type"] ?? "overlay"), ("version", extra["version"] ?? "1"),
        ]
        if let description { out.append(("description", description)) }
        if let attribution { out.append(("attribution", attribution)) }
        for (k, v) in extra.sorted(by: { $0.key < $1.key }) where k != "type" && k != "version" { out.append((k, v)) }
        return out
    }
}
