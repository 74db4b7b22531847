import Foundation
import OtklikCore
import OtklikServices

/// Reads a POSTed GeoJSON Feature into an `IncidentInput`, refusing wrong JSON types with the path of the
/// offending member (`features[3].properties.category`), so that the 400 says exactly what to fix.
enum IncidentFeatureInput {
    static func features(from body: JSONValue, maxFeatures: Int) throws(Problem) -> (features: [JSONValue], isCollection: Bool) {
        guard case .object = body else { throw .badBody("body: expected a GeoJSON Feature or FeatureCollection object, got \(body.typeName)") }
        guard case .string(let type)? = body["type"] else { throw .badBody("type: required, \"Feature\" or \"FeatureCollection\"") }
        switch type {
        case "Feature":
            return ([body], false)
        case "FeatureCollection":
            guard case .array(let items)? = body["features"] else { throw .badBody("features: required array") }
            guard !items.isEmpty else { throw .badBody("features: the collection is empty") }
            guard items.count <= maxFeatures else {
                throw .badBody("features: \(items.count) features exceed the limit of \(maxFeatures) per request")
            }
            return (items, true)
        default:
            throw .badBody("type: '\(QueryParameters.shorten(type))' is not Feature or FeatureCollection")
        }
    }

    static func input(_ feature: JSONValue, path: String) throws(Problem) -> IncidentInput {
        func fail(_ member: String, _ reason: String) -> Problem { .badBody("\(path)\(member): \(reason)") }
        guard case .object = feature else { throw fail("", "expected a Feature object") }
        guard case .string("Feature")? = feature["type"] else { throw fail(".type", "must be \"Feature\"") }
        guard let geometry = feature["geometry"], case .object = geometry else { throw fail(".geometry", "required Point geometry") }
        guard case .string("Point")? = geometry["type"] else { throw fail(".geometry.type", "only Point is accepted") }
        guard case .array(let coords)? = geometry["coordinates"], coords.count == 2 || coords.count == 3 else {
            throw fail(".geometry.coordinates", "expected [lon, lat]")
        }
        guard case .number(let lon) = coords[0], case .number(let lat) = coords[1] else {
            throw fail(".geometry.coordinates", "lon and lat must be numbers")
        }
        let props: [(String, JSONValue)]
        switch feature["properties"] {
        case .object(let p)?: props = p
        case .null?, nil: throw fail(".properties", "required object with at least 'category'")
        case let other?: throw fail(".properties", "expected an object, got \(other.typeName)")
        }
        var input = IncidentInput(lon: lon, lat: lat)
        func text(_ key: String, _ value: JSONValue) throws(Problem) -> String? {
            switch value {
            case .string(let s): return s
            case .null: return nil
            default: throw fail(".properties.\(key)", "expected a string, got \(value.typeName)")
            }
        }
        for (key, value) in props {
            switch key {
            case "category": input.category = try text(key, value)
            case "source": input.source = try text(key, value)
            case "external_id":
                if case .number(let n) = value, n == n.rounded(), abs(n) < 1e15 {
                    input.externalID = String(Int64(n))
                } else {
                    input.externalID = try text(key, value)
                }
            case "reported_at": input.reportedAt = try text(key, value)
            case "status": input.status = try text(key, value)
            case "resolved_at": input.resolvedAt = try text(key, value)
            case "description": input.description = try text(key, value)
            case "address": input.address = try text(key, value)
            case "reporter":
                switch value {
                case .null: break
                case .object:
                    input.reporter = ReporterContact(
                        name: try value["name"].flatMap { v throws(Problem) in try text("reporter.name", v) },
                        phone: try value["phone"].flatMap { v throws(Problem) in try text("reporter.phone", v) },
                        email: try value["email"].flatMap { v throws(Problem) in try text("reporter.email", v) })
                default: throw fail(".properties.reporter", "expected an object with name, phone, email")
                }
            case "attributes":
                switch value {
                case .null: break
                case .object(let members):
                    for (k, v) in members {
                        switch v {
                        case .string(let s): input.attributes[k] = s
                        case .number(let n): input.attributes[k] = n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
                        case .bool(let b): input.attributes[k] = b ? "true" : "false"
                        default: throw fail(".properties.attributes.\(k)", "expected a string, number or boolean")
                        }
                    }
                default: throw fail(".properties.attributes", "expected an object")
                }
            default:
                // Derived or read-only fields a client may echo back from a GET; they are recomputed on write.
                let derived = ["id", "district", "settlement", "agency", "category_name", "approximate_location"]
                guard derived.contains(key) else {
                    throw fail(".properties.\(key)", "unknown property; accepted: category, source, external_id, reported_at, status, resolved_at, description, address, reporter, attributes")
                }
            }
        }
        return input
    }
}
