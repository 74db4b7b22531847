import OtklikCore
import OtklikServices
import OtklikInspection

extension OpenAPIDocument {
    /// The `/api/v1/routes` path item, built from the same lists the handler accepts.
    /// `OpenAPIDocument.build` adds it with `paths.append(routePlanningPath(taxonomy: taxonomy))`.
    static func routePlanningPath(taxonomy: Taxonomy) -> (String, JSONValue) {
        let lonLat: JSONValue = ["type": "string", "pattern": "^-?[0-9.]+,-?[0-9.]+$", "example": "31.1,54.95"]
        let area: JSONValue = ["type": "string", "minLength": 1, "maxLength": 200]
        let formats: [JSONValue] = RouteFormat.allCases.map { .string($0.rawValue) }
        let file: JSONValue = ["type": "string"]
        let content: JSONValue = .object(RouteFormat.allCases.map { f in
            (f.contentType.split(separator: ";").first.map(String.init) ?? f.contentType, ["schema": file])
        })
        let disposition: JSONValue = [
            "Content-Disposition": [
                "description": "attachment; filename=\"route-<area>.<ext>\" (ASCII) and filename* (RFC 5987, UTF-8)",
                "schema": ["type": "string"],
            ],
        ]
        let operation = op(
            "planRoute",
            "An inspection route over open hotspots or complaints, in visiting order with legs and ETAs. Stops are chosen by priority against the detour they cost when max_stops, max_km or max_hours do not allow them all; an area with nothing to visit gives an empty route with a message.",
            tags: ["Inspection"],
            parameters: [
                query("district", area, "District name (at most one of district, settlement, bbox; none: the whole region)"),
                query("settlement", area, "Settlement name"),
                query("bbox", ["type": "string"], "minLon,minLat,maxLon,maxLat (WGS84)"),
                query("category", ["type": "string"], "Category codes, comma-separated: \(taxonomy.codes.joined(separator: ", "))"),
                query("targets", ["type": "string", "enum": ["hotspots", "incidents"], "default": "hotspots"],
                      "Open hotspots, or single open complaints"),
                query("start", lonLat, "Start point lon,lat", required: true),
                query("round_trip", ["type": "boolean", "default": true], "Return to the start (default when no end is given); false: end at the last stop"),
                query("end", lonLat, "End point lon,lat (not with round_trip=true)"),
                query("max_stops", ["type": "integer", "minimum": 0, "maximum": .int(DistanceMatrix.maximumCount)], "At most this many stops (larger values are clamped)"),
                query("max_km", ["type": "number", "minimum": 0.001, "maximum": 100000], "At most this many road kilometres"),
                query("max_hours", ["type": "number", "minimum": 0.01, "maximum": 24], "A working day of at most this many hours, travel and stops"),
                query("depart", ["type": "string", "example": "2026-12-07T08:30"], "Departure: YYYY-MM-DDThh:mm in Moscow time (Europe/Moscow), or with an offset; default now"),
                query("speed", ["type": "number", "minimum": 1, "maximum": 200, "default": 40], "Travel speed, km/h"),
                query("detour", ["type": "number", "minimum": 1, "maximum": 5, "default": 1.3], "Road distance ÷ straight distance"),
                query("service_minutes", ["type": "number", "minimum": 0, "maximum": 600, "default": 10], "Minutes at each stop"),
                query("format", ["type": "string", "enum": .array(formats), "default": "gpx"], "GPX 1.1, KML 2.2, GeoJSON or CSV"),
            ],
            responses: [("200", ["description": "The route file", "headers": disposition, "content": content])] + problems([400, 404, 422]))
        return ("/api/v1/routes", ["get": operation])
    }
}
