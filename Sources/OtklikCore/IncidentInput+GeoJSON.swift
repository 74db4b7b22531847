import Foundation

extension IncidentInput {
    /// Reads a GeoJSON Feature with a Point geometry. Property names follow the CSV columns
    /// (external_id, source, category, reported_at, status, resolved_at, description, address);
    /// the feature's `id` stands in for a missing external_id; `reporter` is an object {name, phone, email}.
    /// Wrong JSON types are refused with the field named, never coerced.
    public static func fromFeature(_ object: Any, field: String = "feature") throws(ValidationError) -> IncidentInput {
        guard let f = object as? [String: Any] else {
            throw .invalid(field: field, value: "\(type(of: object))", reason: "a feature must be a JSON object")
        }
        guard f["type"] as? String == "Feature" else {
            throw .invalid(field: "\(field).type", value: "\(f["type"] ?? "null")", reason: "expected \"Feature\"")
        }
        guard let geometry = f["geometry"] as? [String: Any] else { throw .missing(field: "\(field).geometry") }
        guard geometry["type"] as? String == "Point" else {
            throw .invalid(field: "\(field).geometry.type", value: "\(geometry["type"] ?? "null")", reason: "an incident is a Point")
        }
        guard let coords = geometry["coordinates"] as? [Any], coords.count == 2 || coords.count == 3 else {
            throw .invalid(field: "\(field).geometry.coordinates", value: "\(geometry["coordinates"] ?? "null")", reason: "expected [lon, lat]")
        }
        guard let lon = Geometry.number(coords[0]) else {
            throw .invalid(field: "lon", value: "\(coords[0])", reason: "not a number")
        }
        guard let lat = Geometry.number(coords[1]) else {
            throw .invalid(field: "lat", value: "\(coords[1])", reason: "not a number")
        }
        let props: [String: Any]
        if f["properties"] == nil || f["properties"] is NSNull {
            props = [:]
        } else if let p = f["properties"] as? [String: Any] {
            props = p
        } else {
            throw .invalid(field: "\(field).properties", value: "\(type(of: f["properties"]!))", reason: "must be an object or null")
        }
        func string(_ key: String) throws(ValidationError) -> String? {
            guard let v = props[key], !(v is NSNull) else { return nil }
            guard let s = v as? String else { throw .invalid(field: key, value: "\(v)", reason: "must be a string") }
            return s
        }
        var external = try string("external_id")
        if external == nil, let id = f["id"] {
            if let s = id as? String { external = s } else if let n = Geometry.number(id) { external = String(format: "%.0f", n) }
        }
        var reporter: ReporterContact?
        if let r = props["reporter"], !(r is NSNull) {
            guard let rd = r as? [String: Any] else { throw .invalid(field: "reporter", value: "\(r)", reason: "must be an object") }
            func rs(_ k: String) throws(ValidationError) -> String? {
                guard let v = rd[k], !(v is NSNull) else { return nil }
                guard let s = v as? String else { throw .invalid(field: "reporter.\(k)", value: "\(v)", reason: "must be a string") }
                return s
            }
            reporter = ReporterContact(name: try rs("name"), phone: try rs("phone"), email: try rs("email"))
        }
        var attributes: [String: String] = [:]
        if let a = props["attributes"], !(a is NSNull) {
            guard let ad = a as? [String: Any] else { throw .invalid(field: "attributes", value: "\(a)", reason: "must be an object") }
            for (k, v) in ad {
                if let s = v as? String { attributes[k] = s } else if let n = Geometry.number(v) { attributes[k] = "\(n)" } else {
                    throw .invalid(field: "attributes.\(k)", value: "\(v)", reason: "must be a string or a number")
                }
            }
        }
        return IncidentInput(source: try string("source"), externalID: external, category: try string("category"),
                             lon: lon, lat: lat, reportedAt: try string("reported_at"), status: try string("status"),
                             resolvedAt: try string("resolved_at"), description: try string("description"),
                             address: try string("address"), reporter: reporter, attributes: attributes)
    }
}
