import Foundation
import Hummingbird
import OtklikCore
import OtklikServices

/// The incident write and lookup API under /api/v1.
struct IncidentRoutes: Sendable {
    let services: AppServices

    func register(on router: Router<BasicRequestContext>) {
        router.get("/api/v1/categories") { request, _ in try categories(request) }
        router.post("/api/v1/incidents") { request, _ in try await create(request) }
        router.get("/api/v1/incidents/nearby") { request, _ in try await nearby(request) }
        router.get("/api/v1/incidents/{id}") { request, context in try await show(request, context) }
        router.patch("/api/v1/incidents/{id}") { request, context in try await patch(request, context) }
    }

    private func categories(_ request: Request) throws -> Response {
        try QueryParameters(request: request).onlyAllow([])
        let list: [JSONValue] = services.taxonomy.categories.map { c in
            [
                "code": .string(c.code), "name_ru": .string(c.nameRu), "name_en": .string(c.nameEn),
                "agency": .string(c.agency), "radius_m": .number(c.radiusMeters), "deadline_days": .int(c.deadlineDays),
                "severity": .int(c.severity),
            ]
        }
        return Respond.json(["categories": .array(list)])
    }

    /// Reads the whole body within the configured limit and parses it as JSON.
    static func jsonBody(_ request: Request, limit: Int) async throws -> JSONValue {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw Problem.tooLarge(limit) }
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        return try JSONParser.parse(Array(buffer.readableBytesView))
    }

    private static func incidentID(_ context: BasicRequestContext) throws(Problem) -> Int64 {
        let raw = context.parameters.get("id") ?? ""
        guard let id = Int64(raw), id > 0 else { throw .notFound("incident '\(QueryParameters.shorten(raw))' does not exist") }
        return id
    }

    // MARK: POST

    private func create(_ request: Request) async throws -> Response {
        let q = try QueryParameters(request: request)
        try q.onlyAllow(["allow_outside"])
        // `allow_outside=true` stores a point outside the region on purpose (a complaint filed from elsewhere).
        let allowOutside = try q.oneOf("allow_outside", ["true", "false"], default: "false") == "true"
        // Authenticate before reading the body: an anonymous client must not make us parse 16 MiB.
        let caller = try await services.require(.intake, request)
        let body = try await Self.jsonBody(request, limit: services.config.maxBodyBytes)
        let (features, isCollection) = try IncidentFeatureInput.features(from: body, maxFeatures: services.config.maxFeaturesPerPost)
        if isCollection, features.count > 1, caller.role < .admin {
            throw Problem.forbidden("a batch of \(features.count) features needs the admin scope; this key has \(caller.role.rawValue)")
        }
        let now = Date()
        let rules = IncidentInput.Rules(assumeUTC: false, defaultSource: .portal, generateMissingExternalID: true, now: now)
        var incidents: [Incident] = []
        incidents.reserveCapacity(features.count)
        for (i, f) in features.enumerated() {
            let path = isCollection ? "features[\(i)]" : "feature"
            var input = try IncidentFeatureInput.input(f, path: path)
            if input.reportedAt == nil { input.reportedAt = Timestamp.format(now) }
            do {
                incidents.append(try input.validate(taxonomy: services.taxonomy, rules: rules))
            } catch {
                throw Problem(.badRequest, slug: "validation", title: "Invalid input", detail: "\(path): \(error.description)")
            }
        }
        if !allowOutside, let region = try await services.store.places.regionCheck() {
            for (i, inc) in incidents.enumerated() {
                try region.validate(inc.location, path: isCollection ? "features[\(i)]" : "feature")
            }
        }
        let outcomes = try await services.store.insert(incidents, actor: "api:\(caller.name)")
        let base = services.baseURL(for: request)
        let created = outcomes.filter(\.created).count
        let items: [JSONValue] = zip(incidents, outcomes).map { inc, o in
            [
                "id": .int64(o.id), "source": .string(inc.source.rawValue), "external_id": .string(inc.externalID),
                "created": .bool(o.created), "href": .string(base + "/api/v1/incidents/\(o.id)"),
            ]
        }
        let doc: JSONValue = [
            "ids": .array(outcomes.map { .int64($0.id) }),
            "created": .int(created),
            "existing": .int(outcomes.count - created),
            "items": .array(items),
        ]
        var headers: HTTPFields = [:]
        if let first = outcomes.first { headers[.location] = base + "/api/v1/incidents/\(first.id)" }
        // A replay that created nothing is still a success, but not a creation.
        return Respond.json(doc, status: created > 0 ? .created : .ok, headers: headers)
    }

    // MARK: GET one

    /// Anyone gets the public feature. An operator key of the incident's agency (or an admin key) also gets the
    /// reporter's contact and every event with its internal notes, and that read goes into the audit first.
    private func show(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try QueryParameters(request: request).onlyAllow([])
        let caller = try await services.principal(of: request)
        let id = try Self.incidentID(context)
        guard let inc = try await services.store.incident(id: id) else {
            throw Problem.notFound("incident \(id) does not exist")
        }
        var extra: [(String, JSONValue)] = []
        let operatorView = services.mayReadContact(of: inc, caller)
        if let caller, operatorView {
            let events = try await services.store.recordedEvents(incidentID: id)
            extra.append(("events", .array(events.map(Self.eventJSON))))
            try await services.auditContactRead(of: inc, by: caller, route: "GET /api/v1/incidents/{id}")
        }
        var w = JSONWriter()
        w.incident(inc, taxonomy: services.taxonomy, withContact: operatorView, extra: extra)
        return Respond.bytes(w.bytes, contentType: "application/geo+json")
    }

    static func eventJSON(_ r: RecordedEvent) -> JSONValue {
        let e = r.event
        return [
            "from": .optional(e.from?.rawValue), "to": .string(e.to.rawValue), "at": .string(Timestamp.format(e.at)),
            "actor": .string(e.actor), "note": .string(e.note), "visibility": .string(r.visibility.rawValue),
        ]
    }

    // MARK: PATCH

    private func patch(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try QueryParameters(request: request).onlyAllow([])
        let caller = try await services.require(.operator_, request)
        let id = try Self.incidentID(context)
        let body = try await Self.jsonBody(request, limit: min(services.config.maxBodyBytes, 64 * 1024))
        guard case .object(let members) = body else {
            throw Problem.badBody("body: expected an object {\"status\", \"note\", \"visibility\"}")
        }
        var status: IncidentStatus?
        var note = ""
        // A note is the operator's own record unless they say the public may read it.
        var visibility = NoteVisibility.internal
        for (k, v) in members {
            switch (k, v) {
            case ("status", .string(let s)):
                do { status = try IncidentStatus.parse(s) } catch { throw Problem.badBody(error.description) }
            case ("status", _): throw Problem.badBody("status: expected a string, got \(v.typeName)")
            case ("note", .string(let s)):
                guard s.count <= 4000 else { throw Problem.badBody("note: \(s.count) characters exceed the limit of 4000") }
                note = s
            case ("note", .null): note = ""
            case ("note", _): throw Problem.badBody("note: expected a string, got \(v.typeName)")
            case ("visibility", .string(let s)):
                guard let parsed = NoteVisibility(rawValue: s) else {
                    throw Problem.badBody("visibility: '\(QueryParameters.shorten(s))' is not public or internal")
                }
                visibility = parsed
            case ("visibility", _): throw Problem.badBody("visibility: expected \"public\" or \"internal\", got \(v.typeName)")
            default: throw Problem.badBody("\(k): unknown member; accepted: status, note, visibility")
            }
        }
        guard let to = status else { throw Problem.badBody("status: required (new, in_progress, resolved, rejected)") }
        guard let current = try await services.store.incident(id: id) else {
            throw Problem.notFound("incident \(id) does not exist")
        }
        try services.requireWork(on: current, by: caller)
        // Checked here too so that the answer does not depend on how a backend words its refusal.
        guard current.status.canTransition(to: to) else {
            throw DomainError.illegalTransition(id: id, from: current.status, to: to)
        }
        let updated = try await services.store.changeStatus(id: id, to: to, actor: "api:\(caller.name)", note: note,
                                                            visibility: visibility, at: Date())
        let events = try await services.store.recordedEvents(incidentID: id)
        var w = JSONWriter()
        w.incident(updated, taxonomy: services.taxonomy, withContact: true, extra: [("events", .array(events.map(Self.eventJSON)))])
        return Respond.bytes(w.bytes, contentType: "application/geo+json")
    }

    // MARK: nearby

    private func nearby(_ request: Request) async throws -> Response {
        let q = try QueryParameters(request: request)
        try q.onlyAllow(["lon", "lat", "category", "radius", "limit"])
        let lon = try q.double("lon", required: true, range: -180...180)!
        let lat = try q.double("lat", required: true, range: -90...90)!
        let radius = try q.double("radius", default: 100, range: 1...5000)!
        let limit = try q.int("limit", default: 20, range: 1...200, clampAbove: true)
        var query = IncidentQuery(statuses: [.new, .inProgress])
        if let c = q["category"] {
            guard services.taxonomy[c] != nil else {
                throw Problem.badParameter("category: unknown category '\(QueryParameters.shorten(c))'")
            }
            query.categories = [c]
        }
        let found = try await services.store.nearby(GeoPoint(lon: lon, lat: lat), radius: radius, query: query)
        // Newest first: the operator asks "has this just been reported?".
        let ordered = found.filter { $0.0.status.isOpen }
            .sorted { ($0.0.reportedAt, $0.0.id ?? 0) > ($1.0.reportedAt, $1.0.id ?? 0) }
            .prefix(limit)
        var w = JSONWriter()
        w.raw("{\"type\":\"FeatureCollection\",\"features\":[")
        for (i, (inc, distance)) in ordered.enumerated() {
            if i > 0 { w.raw(",") }
            w.incident(inc, taxonomy: services.taxonomy, extra: [("distance_m", .number((distance * 10).rounded() / 10))])
        }
        w.raw("],\"numberReturned\":")
        w.int(ordered.count)
        w.raw("}")
        return Respond.bytes(w.bytes, contentType: "application/geo+json")
    }
}
