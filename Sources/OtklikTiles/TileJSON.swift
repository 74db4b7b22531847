public import OtklikCore
public import Foundation

/// One entry of TileJSON's `vector_layers` (and of MBTiles' `json` metadata).
public struct VectorLayerSpec: Sendable, Hashable {
    public var id: String
    public var description: String
    public var minZoom: Int
    public var maxZoom: Int
    /// Field name → type as TileJSON expects ("String", "Number", "Boolean").
    public var fields: [String: String]

    public init(id: String, description: String, minZoom: Int, maxZoom: Int, fields: [String: String]) {
        self.id = id
        self.description = description
        self.minZoom = minZoom
        self.maxZoom = maxZoom
        self.fields = fields
    }

    func jsonObject() -> [String: Any] {
        ["id": id, "description": description, "minzoom": minZoom, "maxzoom": maxZoom, "fields": fields]
    }

    /// The published layers with their fields, for zooms `minZoom...maxZoom`.
    public static func standard(_ layer: String, minZoom: Int = 0, maxZoom: Int = 16) throws(TilesError) -> VectorLayerSpec {
        switch layer {
        case TileLayers.incidents:
            return VectorLayerSpec(
                id: layer, description: "Complaints: grid clusters (point_count) at low zoom, points at high zoom",
                minZoom: minZoom, maxZoom: maxZoom,
                fields: ["id": "Number", "category": "String", "status": "String", "date": "String",
                         "settlement": "String", "district": "String", "point_count": "Number", "cluster": "Boolean"])
        case TileLayers.hotspots:
            return VectorLayerSpec(
                id: layer, description: "Hotspot areas scored by density, recurrence and open complaints",
                minZoom: minZoom, maxZoom: maxZoom,
                fields: ["id": "Number", "score": "Number", "recurring": "Boolean", "category": "String",
                         "count": "Number", "open_count": "Number", "settlement": "String"])
        case TileLayers.districts:
            return VectorLayerSpec(
                id: layer, description: "Municipal districts with complaints per 1,000 residents",
                minZoom: minZoom, maxZoom: maxZoom,
                fields: ["name": "String", "per_1000": "Number", "count": "Number", "population": "Number"])
        default:
            throw .unknownLayer(layer)
        }
    }
}

/// TileJSON 3.0.0 documents and the `json` metadata value of MBTiles.
public enum TileJSON {
    /// - Parameter tileURL: an absolute template such as `http://host:8080/tiles/incidents/{z}/{x}/{y}.mvt`.
    public static func document(name: String, tileURL: String, minZoom: Int, maxZoom: Int, bounds: BBox,
                                center: GeoPoint, centerZoom: Int, layers: [VectorLayerSpec],
                                attribution: String? = nil, description: String? = nil) -> Data {
        var doc: [String: Any] = [
            "tilejson": "3.0.0",
            "name": name,
            "scheme": "xyz",
            "tiles": [tileURL],
            "minzoom": minZoom,
            "maxzoom": maxZoom,
            "bounds": [bounds.minLon, bounds.minLat, bounds.maxLon, bounds.maxLat],
            "center": [center.lon, center.lat, Double(centerZoom)],
            "vector_layers": layers.map { $0.jsonObject() },
        ]
        if let attribution { doc["attribution"] = attribution }
        if let description { doc["description"] = description }
        return serialise(doc)
    }

    /// `{"vector_layers": [...]}` for the MBTiles `json` metadata row.
    public static func vectorLayersJSON(_ layers: [VectorLayerSpec]) -> String {
        String(decoding: serialise(["vector_layers": layers.map { $0.jsonObject() }]), as: UTF8.self)
    }

    private static func serialise(_ object: [String: Any]) -> Data {
        // Sorted keys give stable bytes (and ETags); the inputs are plain JSON types, so this cannot fail.
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }
}
