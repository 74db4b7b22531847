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

    /// The one GeoJSON Feature reader in Core, refusing properties it does not know (a misspelt field must not
    /// be dropped in silence), its refusal worded as the 400's detail.
    static func input(_ feature: JSONValue, path: String) throws(Problem) -> IncidentInput {
        do {
            return try IncidentInput.fromFeature(feature, path: path, unknownProperties: .refuse)
        } catch {
            throw .badBody(error.description)
        }
    }
}
