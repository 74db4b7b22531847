import Foundation
import OtklikCore
import OtklikServices

/// The static-shaped OGC API – Features documents: landing page, conformance, collection descriptions.
enum OGCDocuments {
    static let crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

    static let conformance: [String] = [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    ]

    static func link(_ href: String, rel: String, type: String, title: String? = nil) -> JSONValue {
        var m: [(String, JSONValue)] = [("href", .string(href)), ("rel", .string(rel)), ("type", .string(type))]
        if let title { m.append(("title", .string(title))) }
        return .object(m)
    }

    static func landing(base: String) -> JSONValue {
        [
            "title": "Otklik: citizen complaints of Smolensk Oblast",
            "description": "Complaints, hotspots and area statistics as OGC API – Features.",
            "links": [
                link(base + "/ogc", rel: "self", type: "application/json", title: "This document"),
                link(base + "/openapi.json", rel: "service-desc", type: "application/vnd.oai.openapi+json;version=3.0",
                     title: "The API definition"),
                link(base + "/ogc/conformance", rel: "conformance", type: "application/json", title: "Conformance classes"),
                link(base + "/ogc/collections", rel: "data", type: "application/json", title: "Collections"),
            ],
        ]
    }

    static func conformanceDocument() -> JSONValue {
        ["conformsTo": .array(conformance.map { .string($0) })]
    }

    static func collection(_ id: OGCCollectionID, base: String, extent: Extent) -> JSONValue {
        var spatial: [(String, JSONValue)] = []
        if let b = extent.bbox {
            spatial.append(("bbox", [[.number(b.minLon), .number(b.minLat), .number(b.maxLon), .number(b.maxLat)]]))
        } else {
            spatial.append(("bbox", [[-180, -90, 180, 90]]))
        }
        spatial.append(("crs", .string(crs84)))
        let temporal: JSONValue = [
            "interval": [[.optional(extent.first.map(Timestamp.format)), .optional(extent.last.map(Timestamp.format))]],
            "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        ]
        let href = base + "/ogc/collections/" + id.rawValue
        return [
            "id": .string(id.rawValue),
            "title": .string(id.title),
            "description": .string(id.description),
            "itemType": "feature",
            "crs": [.string(crs84)],
            "extent": ["spatial": .object(spatial), "temporal": temporal],
            "links": [
                link(href, rel: "self", type: "application/json", title: "This collection"),
                link(href + "/items", rel: "items", type: "application/geo+json", title: "Items as GeoJSON"),
            ],
        ]
    }
}
