import Foundation
import Hummingbird
import Logging
import OtklikCore
import OtklikServices

/// Registers the GeoReport v2 endpoint under /open311/v2. It routes by the configuration's `agencyRouting` (the
/// one the store uses, from `--data-dir` or the built-in copy); without it, by the overrides read from
/// `overridesPath` (a missing file means the built-in overrides; a broken one is logged and ignored so that
/// intake keeps working).
func registerOpen311(on router: Router<BasicRequestContext>, services: AppServices,
                     overridesPath: String = "data/agency-overrides.json") {
    var settings = Open311Settings()
    settings.overridesPath = overridesPath
    let routing = services.config.agencyRouting
        ?? Open311Routes.loadRouting(path: settings.overridesPath, taxonomy: services.taxonomy, logger: services.logger)
    Open311Routes(services: services, routing: routing, settings: settings).register(on: router)
}

/// GeoReport v2 (http://wiki.open311.org/GeoReport_v2) in XML and JSON. Every answer, refusals included,
/// is in the spec's shapes: errors never leave as problem+json here, because Open311 clients parse
/// `<errors><error>` and nothing else.
struct Open311Routes: Sendable {
    let services: AppServices
    let routing: AgencyRouting
    let settings: Open311Settings

    static let prefix = "/open311/v2"

    static func loadRouting(path: String, taxonomy: Taxonomy, logger: Logger) -> AgencyRouting {
        // Without the file (an installed server runs outside the checkout), the overrides built into the binary,
        // as the store routes new incidents with them.
        guard let data = FileManager.default.contents(atPath: path) ?? BuiltInData.contents("agency-overrides.json") else {
            logger.notice("no agency overrides at \(path): every category goes to its own agency")
            return AgencyRouting(taxonomy: taxonomy, overrides: [])
        }
        do {
            let list = try AgencyRouting.decode(data)
            try AgencyRouting.check(list, taxonomy: taxonomy)
            return AgencyRouting(taxonomy: taxonomy, overrides: list)
        } catch {
            logger.error("agency overrides \(path) ignored: \(LogText.escaped(String(describing: error)))")
            return AgencyRouting(taxonomy: taxonomy, overrides: [])
        }
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get("\(Self.prefix)/services/{code}") { request, context in
            let raw = context.parameters.get("code") ?? ""
            let split = Open311Format.split(raw)
            return await answer(split?.format ?? .xml, context) { () throws(Open311Error) in
                guard let (code, format) = split else { throw .notFound("use services/{service_code}.xml or .json") }
                return try definition(request, code: code, format: format)
            }
        }
        router.get("\(Self.prefix)/requests/{id}") { request, context in
            let raw = context.parameters.get("id") ?? ""
            let split = Open311Format.split(raw)
            return await answer(split?.format ?? .xml, context) {
                guard let (id, format) = split else { throw Open311Error.notFound("use requests/{service_request_id}.xml or .json") }
                return try await single(request, id: id, format: format)
            }
        }
        router.get("\(Self.prefix)/{resource}") { request, context in
            let raw = context.parameters.get("resource") ?? ""
            let split = Open311Format.split(raw)
            return await answer(split?.format ?? .xml, context) {
                guard let (name, format) = split else {
                    throw Open311Error.notFound("unknown resource '\(QueryParameters.shorten(raw))'; resources end in .xml or .json")
                }
                switch name {
                case "discovery": return try discovery(request, format: format)
                case "services": return try serviceList(request, format: format)
                case "requests": return try await requestList(request, format: format)
                default: throw Open311Error.notFound("unknown resource '\(QueryParameters.shorten(name))'")
                }
            }
        }
        router.post("\(Self.prefix)/{resource}") { request, context in
            let raw = context.parameters.get("resource") ?? ""
            let split = Open311Format.split(raw)
            return await answer(split?.format ?? .xml, context) {
                guard let (name, format) = split, name == "requests" else {
                    throw Open311Error(.methodNotAllowed, "only requests.xml and requests.json accept POST")
                }
                return try await Open311Intake(services: services, routing: routing, settings: settings)
                    .post(request, format: format)
            }
        }
        // Every service is realtime, so no token is ever issued; a client that asks still gets the spec's format.
        router.get("\(Self.prefix)/tokens/{token}") { request, context in
            let raw = context.parameters.get("token") ?? ""
            return Open311Error.notFound("token '\(QueryParameters.shorten(raw))' was not found: every service here is realtime and answers with a service_request_id")
                .response(Open311Format.guess(path: request.uri.path))
        }
    }

    /// Runs a handler and turns every refusal into the spec's error list in the requested format.
    private func answer(_ format: Open311Format, _ context: BasicRequestContext,
                        _ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let e as Open311Error {
            context.logger.info("open311 refused", metadata: ["status": .stringConvertible(e.status.code), "detail": .logged(e.detail)])
            return e.response(format)
        } catch let v as ValidationError {
            return Open311Error.badRequest(v.description).response(format)
        } catch let d as DomainError {
            switch d {
            case .notFound: return Open311Error.notFound(d.description).response(format)
            case .unavailable(_, let seconds):
                var response = Open311Error(.serviceUnavailable, d.description).response(format)
                response.headers[.retryAfter] = String(seconds)
                return response
            default: return Open311Error(.conflict, d.description).response(format)
            }
        } catch {
            // The full error goes to the log only; internals (SQL, paths) never reach a client.
            context.logger.error("open311 failed", metadata: ["error": .logged(String(reflecting: error))])
            return Open311Error(.internalServerError, "general service error; the error has been logged").response(format)
        }
    }

    // MARK: helpers

    static func query(_ request: Request, allowing allowed: [String]) throws(Open311Error) -> QueryParameters {
        let q: QueryParameters
        do {
            q = try QueryParameters(request: request)
            try q.onlyAllow(allowed)
        } catch {
            throw .badRequest(error.detail)
        }
        return q
    }

    func checkJurisdiction(_ value: String?) throws(Open311Error) {
        guard let v = value?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return }
        guard v == settings.jurisdictionID else {
            throw .notFound("jurisdiction_id provided was not found: '\(QueryParameters.shorten(v))'; this endpoint serves '\(settings.jurisdictionID)'")
        }
    }

    func respond(_ doc: Open311Document, _ format: Open311Format, status: HTTPResponse.Status = .ok) -> Response {
        Respond.bytes(doc.encoded(format), status: status, contentType: format.contentType)
    }

    // MARK: discovery and services

    private func discovery(_ request: Request, format: Open311Format) throws(Open311Error) -> Response {
        let q = try Self.query(request, allowing: ["jurisdiction_id"])
        try checkJurisdiction(q["jurisdiction_id"])
        let endpoint: Open311Node = .object([
            ("specification", .string("http://wiki.open311.org/GeoReport_v2")),
            ("url", .string(services.baseURL(for: request) + Self.prefix)),
            ("changeset", .string(settings.changeset)),
            ("type", .string("production")),
            ("formats", .list(item: "format", [.string("text/xml"), .string("application/json")])),
        ])
        return respond(Open311Document(root: "discovery", body: .object([
            ("changeset", .string(settings.changeset)),
            ("contact", .string(settings.contact)),
            ("key_service", .string("Ключ API для подачи обращений выдаёт администратор сервиса")),
            ("endpoints", .list(item: "endpoint", [endpoint])),
        ])), format)
    }

    private func serviceList(_ request: Request, format: Open311Format) throws(Open311Error) -> Response {
        let q = try Self.query(request, allowing: ["jurisdiction_id"])
        try checkJurisdiction(q["jurisdiction_id"])
        let list = services.taxonomy.categories.map { Open311Records.service($0, routing: routing) }
        return respond(Open311Document(root: "services", body: .list(item: "service", list)), format)
    }

    private func definition(_ request: Request, code: String, format: Open311Format) throws(Open311Error) -> Response {
        let q = try Self.query(request, allowing: ["jurisdiction_id"])
        try checkJurisdiction(q["jurisdiction_id"])
        guard let c = services.taxonomy[code] else {
            throw .notFound("service_code provided was not found: '\(QueryParameters.shorten(code))'")
        }
        return respond(Open311Document(root: "service_definition", body: Open311Records.definition(c, routing: routing)), format)
    }

    // MARK: requests

    private func single(_ request: Request, id raw: String, format: Open311Format) async throws -> Response {
        let q = try Self.query(request, allowing: ["jurisdiction_id", "api_key"])
        try checkJurisdiction(q["jurisdiction_id"])
        guard let id = Int64(raw), id > 0, let inc = try await services.store.incident(id: id) else {
            throw Open311Error.notFound("service_request_id provided was not found: '\(QueryParameters.shorten(raw))'")
        }
        return respond(try await requestsDocument([inc]), format)
    }

    func requestsDocument(_ incidents: [Incident]) async throws -> Open311Document {
        var nodes: [Open311Node] = []
        nodes.reserveCapacity(incidents.count)
        for inc in incidents {
            let events = inc.id.map { id in { try await services.store.events(incidentID: id) } }
            nodes.append(Open311Records.request(inc, events: try await events?() ?? [], taxonomy: services.taxonomy, routing: routing))
        }
        return Open311Document(root: "service_requests", body: .list(item: "request", nodes))
    }

    private func requestList(_ request: Request, format: Open311Format) async throws -> Response {
        let q = try Self.query(request, allowing: [
            "jurisdiction_id", "api_key", "service_request_id", "service_code", "start_date", "end_date", "status",
            "page", "page_size", "lat", "long", "radius",
        ])
        try checkJurisdiction(q["jurisdiction_id"])
        let listing = try Open311Listing(q, taxonomy: services.taxonomy, settings: settings, now: Date())
        let found: [Incident]
        switch listing.selection {
        case .ids(let ids):
            let rows = try await services.store.incidents(IncidentQuery(ids: ids))
            let byID = Dictionary(rows.compactMap { r in r.id.map { ($0, r) } }, uniquingKeysWith: { a, _ in a })
            // In the order asked for, each once.
            var seen: Set<Int64> = []
            found = ids.compactMap { id in seen.insert(id).inserted ? byID[id] : nil }
        case .filter(var query, let near):
            if let near {
                query.limit = nil
                let all = try await services.store.nearby(near.point, radius: near.radius, query: query)
                found = all.dropFirst(listing.offset).prefix(listing.pageSize).map(\.0)
            } else {
                query.order = .reportedDescending
                query.offset = listing.offset
                query.limit = listing.pageSize
                found = try await services.store.incidents(query)
            }
        }
        return respond(try await requestsDocument(found), format)
    }
}
