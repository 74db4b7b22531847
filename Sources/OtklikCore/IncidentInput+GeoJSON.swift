extension IncidentInput {
    /// What to do with a property the reader does not know. The API refuses it, so that a misspelt field is not
    /// silently dropped; an import ignores it, since files from other systems carry columns of their own.
    public enum UnknownProperties: Sendable {
        case refuse, ignore
    }

    /// A GeoJSON Feature that cannot be read as an incident: the member at `path` (`features[3].properties.status`)
    /// and why. `field` is our field it was for (`status`, `lat`, `geometry`), by which an import counts its refusals.
    public struct FeatureError: Error, Sendable, Equatable, CustomStringConvertible {
        public var path: String
        public var field: String
        public var reason: String

        public init(path: String, field: String, reason: String) {
            self.path = path
            self.field = field
            self.reason = reason
        }

        public var description: String { "\(path): \(reason)" }
    }

    /// The properties a feature may set, in the order the refusal of an unknown one lists them.
    public static let featureProperties = ["category", "source", "external_id", "reported_at", "status", "resolved_at",
                                           "description", "address", "reporter", "attributes"]
    /// Derived or read-only properties a client may echo back from a GET; they are recomputed on write.
    public static let derivedFeatureProperties = ["id", "district", "settlement", "agency", "category_name", "approximate_location"]

    /// Reads a GeoJSON Feature with a Point geometry: the one reader for the API and for imports.
    ///
    /// Property names follow the CSV columns; the feature's `id` stands in for a missing external_id; `reporter`
    /// is an object {name, phone, email}; `attributes` holds strings, numbers and booleans, kept as text.
    /// Wrong JSON types are refused with the member's path, never coerced. Only the types are checked here;
    /// `validate` checks the values.
    public static func fromFeature(_ feature: JSONValue, path: String = "feature",
                                   unknownProperties: UnknownProperties) throws(FeatureError) -> IncidentInput {
        func fail(_ member: String, _ field: String, _ reason: String) -> FeatureError {
            FeatureError(path: path + member, field: field, reason: reason)
        }
        guard case .object = feature else { throw fail("", "feature", "expected a Feature object, got \(feature.typeName)") }
        guard case .string("Feature")? = feature["type"] else { throw fail(".type", "type", "must be \"Feature\"") }
        guard let geometry = feature["geometry"], case .object = geometry else { throw fail(".geometry", "geometry", "required Point geometry") }
        guard case .string("Point")? = geometry["type"] else { throw fail(".geometry.type", "geometry", "only Point is accepted") }
        guard case .array(let coords)? = geometry["coordinates"], coords.count == 2 || coords.count == 3 else {
            throw fail(".geometry.coordinates", "geometry", "expected [lon, lat]")
        }
        guard case .number(let lon) = coords[0] else {
            throw fail(".geometry.coordinates", "lon", "lon and lat must be numbers, got \(coords[0].typeName) for lon")
        }
        guard case .number(let lat) = coords[1] else {
            throw fail(".geometry.coordinates", "lat", "lon and lat must be numbers, got \(coords[1].typeName) for lat")
        }
        let props: [(String, JSONValue)]
        switch feature["properties"] {
        case .object(let p)?: props = p
        case .null?, nil: throw fail(".properties", "properties", "required object with at least 'category'")
        case let other?: throw fail(".properties", "properties", "expected an object, got \(other.typeName)")
        }

        func text(_ key: String, _ value: JSONValue) throws(FeatureError) -> String? {
            switch value {
            case .string(let s): return s
            case .null: return nil
            default: throw fail(".properties.\(key)", key, "expected a string, got \(value.typeName)")
            }
        }
        /// An identifier may be a string or a whole number, as a GeoJSON feature id may.
        func identifier(_ member: String, _ value: JSONValue) throws(FeatureError) -> String? {
            switch value {
            case .string(let s): return s
            case .null: return nil
            case .number(let n) where Self.isWhole(n): return Self.text(n)
            case .number(let n): throw fail(member, "external_id", "expected a string or a whole number, got \(n)")
            default: throw fail(member, "external_id", "expected a string or a whole number, got \(value.typeName)")
            }
        }

        var input = IncidentInput(lon: lon, lat: lat)
        for (key, value) in props {
            switch key {
            case "category": input.category = try text(key, value)
            case "source": input.source = try text(key, value)
            case "external_id": input.externalID = try identifier(".properties.external_id", value)
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
                        name: try value["name"].flatMap { v throws(FeatureError) in try text("reporter.name", v) },
                        phone: try value["phone"].flatMap { v throws(FeatureError) in try text("reporter.phone", v) },
                        email: try value["email"].flatMap { v throws(FeatureError) in try text("reporter.email", v) })
                default: throw fail(".properties.reporter", "reporter", "expected an object with name, phone, email")
                }
            case "attributes":
                switch value {
                case .null: break
                case .object(let members):
                    for (k, v) in members {
                        switch v {
                        case .string(let s): input.attributes[k] = s
                        case .number(let n): input.attributes[k] = Self.text(n)
                        case .bool(let b): input.attributes[k] = b ? "true" : "false"
                        default: throw fail(".properties.attributes.\(k)", "attributes", "expected a string, number or boolean")
                        }
                    }
                default: throw fail(".properties.attributes", "attributes", "expected an object")
                }
            default:
                guard unknownProperties == .refuse, !derivedFeatureProperties.contains(key) else { continue }
                throw fail(".properties.\(key)", key, "unknown property; accepted: \(featureProperties.joined(separator: ", "))")
            }
        }
        if input.externalID == nil, let id = feature["id"] {
            input.externalID = try identifier(".id", id)
        }
        return input
    }

    private static func isWhole(_ n: Double) -> Bool { n == n.rounded() && abs(n) < 1e15 }

    /// A number as text the way a person wrote it: 7, not 7.0.
    private static func text(_ n: Double) -> String { isWhole(n) ? String(Int64(n)) : String(n) }
}
