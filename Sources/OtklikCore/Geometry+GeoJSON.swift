public import Foundation

/// Reading and writing GeoJSON geometries and area features (RFC 7946).
extension Geometry {
    /// Parses a GeoJSON geometry object (as from JSONSerialization). Positions must be finite and in range.
    public static func fromGeoJSON(_ object: Any, field: String = "geometry") throws(ValidationError) -> Geometry {
        guard let dict = object as? [String: Any] else { throw .invalid(field: field, value: "\(type(of: object))", reason: "not an object") }
        guard let type = dict["type"] as? String else { throw .missing(field: "\(field).type") }
        guard let coords = dict["coordinates"] else { throw .missing(field: "\(field).coordinates") }
        func position(_ any: Any) throws(ValidationError) -> GeoPoint {
            guard let arr = any as? [Any], arr.count >= 2, let lon = Self.number(arr[0]), let lat = Self.number(arr[1]) else {
                throw .invalid(field: "\(field).coordinates", value: "\(any)", reason: "a position is [lon, lat]")
            }
            return try GeoPoint.validated(lon: lon, lat: lat)
        }
        func ring(_ any: Any) throws(ValidationError) -> [GeoPoint] {
            guard let arr = any as? [Any] else { throw .invalid(field: "\(field).coordinates", value: "\(any)", reason: "a ring is an array") }
            var pts: [GeoPoint] = []
            for p in arr { pts.append(try position(p)) }
            guard pts.count >= 4 else { throw .invalid(field: "\(field).coordinates", value: "\(pts.count) positions", reason: "a ring needs at least 4 positions") }
            if pts.first != pts.last { pts.append(pts[0]) }
            return pts
        }
        func polygon(_ any: Any) throws(ValidationError) -> [[GeoPoint]] {
            guard let arr = any as? [Any], !arr.isEmpty else { throw .invalid(field: "\(field).coordinates", value: "\(any)", reason: "a polygon is a non-empty array of rings") }
            var rings: [[GeoPoint]] = []
            for r in arr { rings.append(try ring(r)) }
            return rings
        }
        switch type {
        case "Point": return .point(try position(coords))
        case "Polygon": return .polygon(try polygon(coords))
        case "MultiPolygon":
            guard let arr = coords as? [Any] else { throw .invalid(field: "\(field).coordinates", value: "\(coords)", reason: "not an array") }
            var polys: [[[GeoPoint]]] = []
            for p in arr { polys.append(try polygon(p)) }
            return .multiPolygon(polys)
        default:
            throw .unknownValue(field: "\(field).type", value: type, allowed: ["Point", "Polygon", "MultiPolygon"])
        }
    }

    static func number(_ any: Any) -> Double? {
        // JSONSerialization gives booleans as NSNumber too; their type code is "c".
        guard let n = any as? NSNumber, String(cString: n.objCType) != "c" else { return nil }
        return n.doubleValue
    }

    /// The geometry as a GeoJSON object for JSONSerialization.
    public var geoJSONObject: [String: Any] {
        func pos(_ p: GeoPoint) -> [Double] { [p.lon, p.lat] }
        switch self {
        case .point(let p): return ["type": "Point", "coordinates": pos(p)]
        case .polygon(let rings): return ["type": "Polygon", "coordinates": rings.map { $0.map(pos) }]
        case .multiPolygon(let polys): return ["type": "MultiPolygon", "coordinates": polys.map { $0.map { $0.map(pos) } }]
        }
    }

    /// Well-known text, for handing polygons to SpatiaLite.
    public var wkt: String {
        func pos(_ p: GeoPoint) -> String { "\(p.lon) \(p.lat)" }
        func poly(_ rings: [[GeoPoint]]) -> String { "(" + rings.map { "(" + $0.map(pos).joined(separator: ",") + ")" }.joined(separator: ",") + ")" }
        switch self {
        case .point(let p): return "POINT(\(pos(p)))"
        case .polygon(let rings): return "POLYGON\(poly(rings))"
        case .multiPolygon(let polys): return "MULTIPOLYGON(" + polys.map(poly).joined(separator: ",") + ")"
        }
    }
}

extension Area {
    /// Reads a GeoJSON FeatureCollection of districts or settlements.
    /// Name from `nameField` (default `name`); population from `population` or `population_2010`;
    /// a settlement's district from `district`; `approximate` is carried through.
    public static func fromGeoJSON(_ data: Data, level: AreaLevel, nameField: String = "name") throws -> [Area] {
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: data) } catch {
            throw ValidationError.invalid(field: "file", value: "GeoJSON", reason: "not valid JSON: \(error.localizedDescription)")
        }
        guard let fc = root as? [String: Any], fc["type"] as? String == "FeatureCollection",
              let features = fc["features"] as? [Any] else {
            throw ValidationError.invalid(field: "file", value: "GeoJSON", reason: "expected a FeatureCollection")
        }
        var out: [Area] = []
        for (i, f) in features.enumerated() {
            guard let feature = f as? [String: Any], let geom = feature["geometry"] else {
                throw ValidationError.invalid(field: "features[\(i)]", value: "feature", reason: "no geometry")
            }
            let props = feature["properties"] as? [String: Any] ?? [:]
            guard let name = props[nameField] as? String, !name.isEmpty else {
                throw ValidationError.missing(field: "features[\(i)].properties.\(nameField)")
            }
            let geometry = try Geometry.fromGeoJSON(geom, field: "features[\(i)].geometry")
            if level == .district, case .point = geometry {
                throw ValidationError.invalid(field: "features[\(i)].geometry", value: "Point", reason: "a district needs a polygon")
            }
            let population = (props["population"] ?? props["population_2010"] ?? props["population_2010_sum"]).flatMap(Geometry.number).map { Int($0) }
            var flat: [String: String] = [:]
            for (k, v) in props where k != nameField {
                if let s = v as? String { flat[k] = s } else if let n = Geometry.number(v) { flat[k] = "\(n)" }
            }
            var point: GeoPoint?
            if case .point(let p) = geometry { point = p }
            if let c = props["center"] as? [Any], c.count == 2, let lon = Geometry.number(c[0]), let lat = Geometry.number(c[1]) {
                point = try GeoPoint.validated(lon: lon, lat: lat)
            }
            out.append(Area(level: level, name: name, parent: props["district"] as? String,
                            kind: (props["kind"] ?? props["type"]) as? String, population: population, geometry: geometry,
                            point: point, approximate: props["approximate"] as? Bool ?? false, properties: flat))
        }
        return out
    }
}
