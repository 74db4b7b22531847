import OtklikCore
import OtklikServices

/// The OpenAPI 3.0 description of every route, built from the same constants the routes use (collection ids,
/// limits, categories) so that it cannot drift from them. Served at /openapi.json.
enum OpenAPIDocument {
    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }
    static func param(_ name: String) -> JSONValue { ["$ref": .string("#/components/parameters/\(name)")] }

    static func content(_ type: String, _ schema: JSONValue) -> JSONValue { .object([(type, JSONValue.object([("schema", schema)]))]) }

    static func response(_ description: String, _ type: String? = nil, _ schema: JSONValue? = nil, headers: JSONValue? = nil) -> JSONValue {
        var m: [(String, JSONValue)] = [("description", .string(description))]
        if let headers { m.append(("headers", headers)) }
        if let type, let schema { m.append(("content", content(type, schema))) }
        return .object(m)
    }

    static let problem = response("Problem details (RFC 9457)", "application/problem+json", ref("Problem"))

    static func problems(_ codes: [Int]) -> [(String, JSONValue)] {
        codes.map { (String($0), problem) }
    }

    static func op(_ id: String, _ summary: String, tags: [String], parameters: [JSONValue] = [], body: JSONValue? = nil,
                   responses: [(String, JSONValue)], secured: Bool = false) -> JSONValue {
        var m: [(String, JSONValue)] = [("operationId", .string(id)), ("summary", .string(summary)),
                                        ("tags", .array(tags.map { .string($0) }))]
        if !parameters.isEmpty { m.append(("parameters", .array(parameters))) }
        if let body { m.append(("requestBody", body)) }
        m.append(("responses", .object(responses)))
        if secured { m.append(("security", [["bearerAuth": []]])) }
        return .object(m)
    }

    static func query(_ name: String, _ schema: JSONValue, _ description: String, required: Bool = false) -> JSONValue {
        ["name": .string(name), "in": "query", "required": .bool(required), "description": .string(description), "schema": schema]
    }

    static func path(_ name: String, _ schema: JSONValue, _ description: String) -> JSONValue {
        ["name": .string(name), "in": "path", "required": true, "description": .string(description), "schema": schema]
    }

    static let fParam = query("f", ["type": "string", "enum": ["json"]], "Output format; only JSON is offered.")

    static func build(config: AppConfiguration, taxonomy: Taxonomy) -> JSONValue {
        let categoryCodes: JSONValue = .array(taxonomy.codes.map { .string($0) })
        let collectionIDs: JSONValue = .array(OGCCollectionID.allCases.map { .string($0.rawValue) })
        let format: JSONValue = query("format", ["type": "string", "enum": ["json", "csv", "html"], "default": "json"],
                                      "json, csv (UTF-8 with a byte order mark, so that LibreOffice Calc and Excel detect the encoding) or printable html.")
        let areaReportFilter: [JSONValue] = [
            query("category", ["type": "string", "enum": categoryCodes], "Category code"),
            query("since", ["type": "string"], "Start (ISO 8601 date or instant)"),
            query("until", ["type": "string"], "End (ISO 8601 date or instant)"),
        ]
        let reportContent: (String) -> JSONValue = { schema in
            .object([
                ("application/json", ["schema": ref(schema)]),
                ("text/csv", ["schema": ["type": "string"]]),
                ("text/html", ["schema": ["type": "string"]]),
            ])
        }

        var paths: [(String, JSONValue)] = []
        paths.append(("/healthz", ["get": op("health", "Liveness check", tags: ["Operations"],
                                             responses: [("200", response("Healthy", "application/json", ref("Health")))] + problems([400]))]))
        paths.append(("/metrics", ["get": op("metrics", "Prometheus metrics: request counts and latency histograms per route, database size, incident count",
                                             tags: ["Operations"],
                                             responses: [("200", response("Prometheus text format", "text/plain", ["type": "string"]))] + problems([400]))]))
        paths.append(("/openapi.json", ["get": op("openapi", "This document", tags: ["Operations"],
                                                  responses: [("200", response("OpenAPI 3.0", "application/vnd.oai.openapi+json;version=3.0", ["type": "object"]))] + problems([400]))]))
        paths.append(("/ogc", ["get": op("landingPage", "OGC API landing page", tags: ["OGC API Features"], parameters: [fParam],
                                         responses: [("200", response("Landing page", "application/json", ref("LandingPage")))] + problems([400]))]))
        paths.append(("/ogc/conformance", ["get": op("conformance", "Conformance classes", tags: ["OGC API Features"], parameters: [fParam],
                                                     responses: [("200", response("Conformance", "application/json", ref("Conformance")))] + problems([400]))]))
        paths.append(("/ogc/collections", ["get": op("collections", "Feature collections", tags: ["OGC API Features"], parameters: [fParam],
                                                     responses: [("200", response("Collections", "application/json", ref("Collections")))] + problems([400]))]))
        let collectionParam = path("collectionId", ["type": "string", "enum": collectionIDs], "Collection identifier")
        paths.append(("/ogc/collections/{collectionId}", ["get": op(
            "describeCollection", "One collection with its extent computed from the data", tags: ["OGC API Features"],
            parameters: [collectionParam, fParam],
            responses: [("200", response("Collection", "application/json", ref("Collection")))] + problems([400, 404]))]))
        let itemParams: [JSONValue] = [
            collectionParam,
            query("bbox", ["type": "array", "minItems": 4, "maxItems": 4, "items": ["type": "number"]],
                  "minLon,minLat,maxLon,maxLat in CRS84 (WGS84 longitude/latitude)").merging(["style": "form", "explode": false]),
            query("datetime", ["type": "string"],
                  "An instant (2025-03-01T10:00:00Z or 2025-03-01) or an interval start/end with '..' for an open end; applies to reported_at for incidents."),
            query("limit", ["type": "integer", "minimum": 1, "maximum": .int(config.maxItemsLimit), "default": .int(config.defaultItemsLimit)],
                  "Page size. Values above \(config.maxItemsLimit) are clamped to \(config.maxItemsLimit)."),
            query("offset", ["type": "integer", "minimum": 0, "maximum": .int(ItemsRequest.maxOffset), "default": 0], "Features to skip; the next link carries it."),
            query("after", ["type": "integer", "minimum": 0],
                  "Incidents only: the page starts after this feature id (the next link carries it, beside offset, so deep pages cost no more than the first)."),
            query("category", ["type": "string"], "Incidents, hotspots, grid: category code(s), comma-separated. Known: \(taxonomy.codes.joined(separator: ", "))."),
            query("status", ["type": "string"], "Incidents only: new, in_progress, resolved, rejected (comma-separated)."),
            query("district", ["type": "string", "minLength": 1, "maxLength": 200], "Incidents only: district name, exact."),
            query("settlement", ["type": "string", "minLength": 1, "maxLength": 200], "Incidents only: settlement name, exact."),
            query("f", ["type": "string", "enum": ["json", "geojson"]], "Output format; GeoJSON only."),
        ]
        paths.append(("/ogc/collections/{collectionId}/items", ["get": op(
            "getFeatures", "Features of a collection, paged with next/prev links; large pages are streamed",
            tags: ["OGC API Features"], parameters: itemParams,
            responses: [("200", response("A page of features", "application/geo+json", ref("FeatureCollection")))] + problems([400, 404]))]))
        paths.append(("/ogc/collections/{collectionId}/items/{featureId}", ["get": op(
            "getFeature", "One feature", tags: ["OGC API Features"],
            parameters: [collectionParam, path("featureId", ["type": "string"], "Feature identifier"), fParam],
            responses: [("200", response("Feature", "application/geo+json", ref("Feature")))] + problems([400, 404]))]))

        paths.append(("/api/v1/categories", ["get": op("categories", "The category taxonomy", tags: ["Incidents"],
                                                       responses: [("200", response("Categories", "application/json", ref("Categories")))] + problems([400]))]))
        let locationHeader: JSONValue = ["Location": ["description": "URL of the first incident", "schema": ["type": "string"]]]
        paths.append(("/api/v1/incidents", ["post": op(
            "createIncidents",
            "Create incidents from a GeoJSON Feature (operator) or FeatureCollection of up to \(config.maxFeaturesPerPost) features (admin). All or nothing; idempotent on (source, external_id).",
            tags: ["Incidents"],
            parameters: [query("allow_outside", ["type": "boolean", "default": false],
                               "Store points outside the region (the districts' extent plus 0.5°) on purpose; otherwise they are a 422")],
            body: ["required": true, "content": .object([
                ("application/geo+json", ["schema": ref("IncidentInputDocument")]),
                ("application/json", ["schema": ref("IncidentInputDocument")]),
            ])],
            responses: [
                ("201", response("Created (at least one new incident)", "application/json", ref("CreateResult"), headers: locationHeader)),
                ("200", response("Every incident already existed (a replay)", "application/json", ref("CreateResult"), headers: locationHeader)),
            ] + problems([400, 401, 403, 413, 422, 429, 503]), secured: true)]))
        paths.append(("/api/v1/incidents/nearby", ["get": op(
            "nearbyIncidents", "Open incidents within a radius of a point, newest first (duplicate suggestion)", tags: ["Incidents"],
            parameters: [
                query("lon", ["type": "number", "minimum": -180, "maximum": 180], "Longitude (WGS84)", required: true),
                query("lat", ["type": "number", "minimum": -90, "maximum": 90], "Latitude (WGS84)", required: true),
                query("radius", ["type": "number", "minimum": 1, "maximum": 5000, "default": 100], "Metres"),
                query("category", ["type": "string", "enum": categoryCodes], "Category code"),
                query("limit", ["type": "integer", "minimum": 1, "maximum": 200, "default": 20], "At most this many (larger values are clamped)"),
            ],
            responses: [("200", response("Nearby open incidents", "application/geo+json", ref("NearbyCollection")))] + problems([400]))]))
        let idParam = path("id", ["type": "integer", "format": "int64", "minimum": 1], "Incident id")
        paths.append(("/api/v1/incidents/{id}", [
            "get": op("getIncident", "One incident; an authenticated operator also sees the reporter's contact and the status events",
                      tags: ["Incidents"], parameters: [idParam],
                      responses: [("200", response("Incident", "application/geo+json", ref("IncidentFeature")))] + problems([400, 401, 404, 429])),
            "patch": op("changeIncidentStatus", "Change the status through the state machine (new → in_progress/resolved/rejected, in_progress → resolved/rejected, resolved/rejected → in_progress); the note and the actor are recorded",
                        tags: ["Incidents"], parameters: [idParam],
                        body: ["required": true, "content": ["application/json": ["schema": ref("StatusChange")]]],
                        responses: [("200", response("Updated incident", "application/geo+json", ref("IncidentFeature")))] + problems([400, 401, 403, 404, 409, 413, 429]),
                        secured: true),
        ]))
        paths.append(("/api/v1/reports/hotspots", ["get": op(
            "hotspotReport", "Ranked hotspots with score components, counts, episodes, repeat-after-fix and overdue", tags: ["Reports"],
            parameters: [
                query("district", ["type": "string", "minLength": 1, "maxLength": 200], "District name (any case, ё/е, Russian case endings; unknown: 404)"),
                query("category", ["type": "string", "enum": categoryCodes], "Category code"),
                query("since", ["type": "string"], "Start (ISO 8601 date or instant)"),
                query("until", ["type": "string"], "End (ISO 8601 date or instant)"),
                query("limit", ["type": "integer", "minimum": 1, "maximum": 1000, "default": 50], "Rows (larger values are clamped)"),
                format,
            ],
            responses: [("200", ["description": "The report", "content": reportContent("HotspotReport")])] + problems([400, 404]))]))
        paths.append(("/api/v1/reports/districts", ["get": op(
            "districtReport", "Per-district summary: complaints, open, overdue, per 1,000 inhabitants, recurring hotspots; repeat-after-fix rate per agency",
            tags: ["Reports"], parameters: areaReportFilter + [format],
            responses: [("200", ["description": "The report", "content": reportContent("DistrictReport")])] + problems([400]))]))
        paths.append(("/api/v1/reports/settlements", ["get": op(
            "settlementReport", "Per-settlement summary: complaints, open, overdue, per 1,000 inhabitants; the HTML links each place to the map",
            tags: ["Reports"],
            parameters: [query("district", ["type": "string", "minLength": 1, "maxLength": 200], "Only this district's settlements (unknown: 404)")]
                + areaReportFilter + [format],
            responses: [("200", ["description": "The report", "content": reportContent("SettlementReport")])] + problems([400, 404]))]))
        paths.append(routePlanningPath(taxonomy: taxonomy))
        let layer = path("layer", ["type": "string", "enum": ["incidents", "hotspots", "districts"]], "Tile layer")
        let binary: JSONValue = ["type": "string", "format": "binary"]
        paths.append(("/tiles/{layer}/{z}/{x}/{y}.mvt", ["get": op(
            "tile", "Mapbox Vector Tile 2.1 (extent 4096); low zooms aggregate incidents into clusters with point_count; gzip when accepted; strong ETag",
            tags: ["Tiles"],
            parameters: [
                layer,
                path("z", ["type": "integer", "minimum": 0, "maximum": 22], "Zoom"),
                path("x", ["type": "integer", "minimum": 0], "Column"),
                path("y", ["type": "integer", "minimum": 0], "Row (XYZ)"),
                query("category", ["type": "string", "enum": categoryCodes], "Category code"),
                query("status", ["type": "string", "enum": ["new", "in_progress", "resolved", "rejected"]], "Status (not on hotspots)"),
                query("since", ["type": "string"], "Reported on or after (ISO 8601 date or instant)"),
            ],
            responses: [("200", response("The tile", "application/vnd.mapbox-vector-tile", binary)),
                        ("204", ["description": "Empty tile"]), ("304", ["description": "Not modified (If-None-Match)"])]
                + problems([400, 404]))]))
        paths.append(("/tiles/{layer}.json", ["get": op(
            "tileJSON", "TileJSON 3.0.0 for a layer", tags: ["Tiles"], parameters: [layer],
            responses: [("200", response("TileJSON", "application/json", ["type": "object"]))] + problems([404]))]))
        let fmt = path("format", ["type": "string", "enum": ["json", "xml"]], "Response format")
        let open311: JSONValue = ["type": "string"]
        for (p, id, summary) in [("/open311/v2/discovery.{format}", "open311Discovery", "GeoReport v2 discovery"),
                                 ("/open311/v2/services.{format}", "open311Services", "GeoReport v2 service list (one per category)"),
                                 ("/open311/v2/requests/{id}.{format}", "open311Request", "GeoReport v2 one service request")] {
            var params = [fmt]
            if p.contains("{id}") { params.insert(path("id", ["type": "string"], "service_request_id"), at: 0) }
            paths.append((p, ["get": op(id, summary, tags: ["Open311"], parameters: params,
                                        responses: [("200", response("GeoReport v2 document (JSON array or XML)", "application/json", open311)),
                                                    ("400", ["description": "GeoReport error list"]), ("404", ["description": "GeoReport error list"])])]))
        }
        paths.append(("/open311/v2/services/{service_code}.{format}", ["get": op(
            "open311ServiceDefinition", "GeoReport v2 service definition (attributes)", tags: ["Open311"],
            parameters: [path("service_code", ["type": "string", "enum": categoryCodes], "Category code"), fmt],
            responses: [("200", response("Service definition", "application/json", open311)), ("404", ["description": "GeoReport error list"])])]))
        paths.append(("/open311/v2/requests.{format}", [
            "get": op("open311Requests", "GeoReport v2 service requests (90 days and 1,000 requests by default)", tags: ["Open311"],
                      parameters: [fmt, query("service_request_id", ["type": "string"], "Comma-separated ids"),
                                   query("service_code", ["type": "string"], "Category code"),
                                   query("start_date", ["type": "string"], "W3C datetime"), query("end_date", ["type": "string"], "W3C datetime"),
                                   query("status", ["type": "string", "enum": ["open", "closed"]], "open or closed"),
                                   query("page", ["type": "integer", "minimum": 1], "Page"), query("page_size", ["type": "integer", "minimum": 1, "maximum": 1000], "Page size"),
                                   query("lat", ["type": "number"], "Latitude"), query("long", ["type": "number"], "Longitude"),
                                   query("radius", ["type": "number"], "Metres")],
                      responses: [("200", response("Service requests", "application/json", open311)), ("400", ["description": "GeoReport error list"])]),
            "post": op("open311CreateRequest", "GeoReport v2 new service request (form encoded, api_key)", tags: ["Open311"],
                       parameters: [fmt],
                       body: ["required": true, "content": ["application/x-www-form-urlencoded": ["schema": ["type": "object", "required": ["api_key", "service_code"],
                              "properties": ["api_key": ["type": "string"], "service_code": ["type": "string"], "lat": ["type": "number"], "long": ["type": "number"],
                                             "address_string": ["type": "string"], "description": ["type": "string", "maxLength": 4000],
                                             "email": ["type": "string"], "first_name": ["type": "string"], "last_name": ["type": "string"],
                                             "phone": ["type": "string"], "media_url": ["type": "string"]]]]]],
                       responses: [("200", response("Created: service_request_id, service_notice, account_id", "application/json", open311)),
                                   ("400", ["description": "GeoReport error list"]), ("403", ["description": "GeoReport error list (api_key)"]),
                                   ("404", ["description": "GeoReport error list (service_code)"])]),
        ]))

        return [
            "openapi": "3.0.3",
            "info": [
                "title": "Otklik",
                "version": "1.0.0",
                "description": .string("Citizen complaints of Smolensk Oblast: OGC API – Features layers, the incident API and reports. Every error is application/problem+json (RFC 9457). Request bodies are limited to \(config.maxBodyBytes) bytes (413 beyond)."),
            ],
            "tags": [["name": "OGC API Features"], ["name": "Incidents"], ["name": "Reports"], ["name": "Inspection"], ["name": "Tiles"],
                     ["name": "Open311"], ["name": "Operations"]],
            "paths": .object(paths),
            "components": [
                "securitySchemes": ["bearerAuth": ["type": "http", "scheme": "bearer", "description": "API key with role operator or admin"]],
                "schemas": schemas(taxonomy: taxonomy),
            ],
        ]
    }

    static func obj(_ props: [(String, JSONValue)], required: [String] = []) -> JSONValue {
        var m: [(String, JSONValue)] = [("type", "object")]
        if !required.isEmpty { m.append(("required", .array(required.map { .string($0) }))) }
        m.append(("properties", .object(props)))
        return .object(m)
    }

    static let string: JSONValue = ["type": "string"]
    static let nullableString: JSONValue = ["type": "string", "nullable": true]
    static let integer: JSONValue = ["type": "integer"]
    static let nullableInteger: JSONValue = ["type": "integer", "nullable": true]
    static let number: JSONValue = ["type": "number"]
    static let nullableNumber: JSONValue = ["type": "number", "nullable": true]

    static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }

    /// The schema of a published thing's properties, from its vocabulary.
    static func published<T: PublishedFeature>(_: T.Type) -> [(String, JSONValue)] {
        T.fields.map { f in
            let type: JSONValue
            switch f.kind {
            case .int: type = integer
            case .double: type = number
            case .string: type = string
            case .bool: type = ["type": "boolean"]
            case .list: type = array(["type": "number"])
            case .records: type = array(["type": "object"])
            }
            return (f.name, f.nullable ? type.merging(["nullable": true]) : type)
        }
    }

    static func schemas(taxonomy: Taxonomy) -> JSONValue {
        let statuses: JSONValue = .array(IncidentStatus.allCases.map { .string($0.rawValue) })
        let geometry = obj([("type", ["type": "string", "enum": ["Point", "Polygon", "MultiPolygon"]]), ("coordinates", ["type": "array", "items": [:]])],
                           required: ["type", "coordinates"])
        let incidentProperties = obj([
            ("id", integer), ("source", string), ("external_id", string), ("category", string), ("category_name", nullableString),
            ("status", ["type": "string", "enum": statuses]), ("reported_at", ["type": "string", "format": "date-time"]),
            ("resolved_at", ["type": "string", "format": "date-time", "nullable": true]), ("description", string), ("address", string),
            ("district", nullableString), ("settlement", nullableString), ("agency", string), ("approximate_location", ["type": "boolean"]),
            ("reporter", ["type": "object", "nullable": true, "description": "Only for an authenticated operator",
                          "properties": ["name": nullableString, "phone": nullableString, "email": nullableString]]),
            ("attributes", ["type": "object", "additionalProperties": string]),
            ("events", array(ref("StatusEvent"))),
            ("distance_m", number),
        ], required: ["id", "category", "status", "reported_at"])
        let link = obj([("href", string), ("rel", string), ("type", string), ("title", string)], required: ["href", "rel"])
        return [
            "Problem": obj([("type", string), ("title", string), ("status", integer), ("detail", string), ("instance", string)],
                           required: ["type", "title", "status", "detail"]),
            "Health": obj([("status", string)], required: ["status"]),
            "Link": link,
            "LandingPage": obj([("title", string), ("description", string), ("links", array(ref("Link")))], required: ["links"]),
            "Conformance": obj([("conformsTo", array(string))], required: ["conformsTo"]),
            "Extent": obj([
                ("spatial", obj([("bbox", array(["type": "array", "minItems": 4, "maxItems": 4, "items": number])), ("crs", string)])),
                ("temporal", obj([("interval", array(["type": "array", "minItems": 2, "maxItems": 2, "items": nullableString])), ("trs", string)])),
            ]),
            "Collection": obj([("id", string), ("title", string), ("description", string), ("itemType", string), ("crs", array(string)),
                               ("extent", ref("Extent")), ("links", array(ref("Link")))], required: ["id", "links"]),
            "Collections": obj([("links", array(ref("Link"))), ("collections", array(ref("Collection")))], required: ["links", "collections"]),
            "Geometry": geometry,
            "Feature": obj([("type", ["type": "string", "enum": ["Feature"]]), ("id", [:]), ("geometry", ref("Geometry")),
                            ("properties", ["type": "object"]), ("links", array(ref("Link")))], required: ["type", "geometry", "properties"]),
            "FeatureCollection": obj([
                ("type", ["type": "string", "enum": ["FeatureCollection"]]), ("features", array(ref("Feature"))),
                ("numberMatched", ["type": "integer", "minimum": 0]), ("numberReturned", ["type": "integer", "minimum": 0]),
                ("timeStamp", ["type": "string", "format": "date-time"]), ("links", array(ref("Link"))),
            ], required: ["type", "features", "numberMatched", "numberReturned", "links"]),
            "IncidentProperties": incidentProperties,
            "IncidentFeature": obj([("type", ["type": "string", "enum": ["Feature"]]), ("id", integer), ("geometry", ref("Geometry")),
                                    ("properties", ref("IncidentProperties"))], required: ["type", "id", "geometry", "properties"]),
            "NearbyCollection": obj([("type", ["type": "string", "enum": ["FeatureCollection"]]), ("features", array(ref("IncidentFeature"))),
                                     ("numberReturned", integer)], required: ["type", "features", "numberReturned"]),
            "StatusEvent": obj([("from", ["type": "string", "nullable": true]), ("to", string), ("at", string), ("actor", string), ("note", string),
                                ("visibility", ["type": "string", "enum": ["public", "internal"]])]),
            "IncidentInputFeature": obj([
                ("type", ["type": "string", "enum": ["Feature"]]),
                ("geometry", obj([("type", ["type": "string", "enum": ["Point"]]),
                                  ("coordinates", ["type": "array", "minItems": 2, "maxItems": 3, "items": number])], required: ["type", "coordinates"])),
                ("properties", obj([
                    ("category", ["type": "string", "enum": .array(taxonomy.codes.map { .string($0) })]),
                    ("source", ["type": "string", "enum": .array(IncidentSource.allCases.map { .string($0.rawValue) }), "default": "portal"]),
                    ("external_id", ["type": "string", "description": "Unique per source; generated when absent"]),
                    ("reported_at", ["type": "string", "format": "date-time", "description": "With a UTC offset; defaults to now"]),
                    ("status", ["type": "string", "enum": statuses]), ("resolved_at", ["type": "string", "format": "date-time"]),
                    ("description", ["type": "string", "maxLength": 4000]), ("address", string),
                    ("reporter", obj([("name", string), ("phone", string), ("email", string)])),
                    ("attributes", ["type": "object", "additionalProperties": string]),
                ], required: ["category"])),
            ], required: ["type", "geometry", "properties"]),
            "IncidentInputDocument": ["oneOf": [
                ref("IncidentInputFeature"),
                obj([("type", ["type": "string", "enum": ["FeatureCollection"]]),
                     ("features", ["type": "array", "minItems": 1, "maxItems": 10000, "items": ref("IncidentInputFeature")])],
                    required: ["type", "features"]),
            ]],
            "CreateResult": obj([
                ("ids", array(integer)), ("created", integer), ("existing", integer),
                ("items", array(obj([("id", integer), ("source", string), ("external_id", string), ("created", ["type": "boolean"]), ("href", string)]))),
            ], required: ["ids", "created", "existing", "items"]),
            "StatusChange": obj([("status", ["type": "string", "enum": statuses]), ("note", ["type": "string", "maxLength": 4000]),
                                  ("visibility", ["type": "string", "enum": ["public", "internal"], "default": "internal",
                                                  "description": "Only public notes are published (Open311 status_notes)"])],
                                 required: ["status"]),
            "Categories": obj([("categories", array(obj([
                ("code", string), ("name_ru", string), ("name_en", string), ("agency", string), ("radius_m", number),
                ("deadline_days", integer), ("severity", integer),
            ])))], required: ["categories"]),
            "HotspotReport": obj([
                ("period", obj([("since", nullableString), ("until", nullableString)])),
                ("hotspots", array(obj(published(HotspotFeature.self) + [("monthly", array(integer)), ("series_start", nullableString)]))),
            ], required: ["hotspots"]),
            "DistrictReport": obj([
                ("districts", array(obj(published(DistrictFigure.self)))),
                ("agencies", array(obj([("agency", string), ("resolved", integer), ("repeat_after_fix", integer), ("rate", number)]))),
            ], required: ["districts", "agencies"]),
            "SettlementReport": obj([("settlements", array(obj(published(SettlementFigure.self))))], required: ["settlements"]),
        ]
    }
}

extension JSONValue {
    /// Adds members to an object (used for OpenAPI parameter styles).
    func merging(_ other: JSONValue) -> JSONValue {
        guard case .object(var a) = self, case .object(let b) = other else { return self }
        a.append(contentsOf: b)
        return .object(a)
    }
}
