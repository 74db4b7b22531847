import Foundation
import Hummingbird
import OtklikCore
import OtklikServices
import OtklikInspection

/// `GET /api/v1/routes`: an inspector's day as a GPX, KML, GeoJSON or CSV download.
///
/// Planning is heavy (seconds for a few thousand candidates), so it runs through the server's `HeavyWork`: a
/// limited number at once (more get 503 with `Retry-After`), on threads outside the cooperative pool, and with a
/// deadline past which the planner returns the best tour it has. Without an API key a request plans at most
/// `publicRouteMaxStops` stops (a larger `max_stops` is lowered to it) over at most `publicRouteMaxCandidates`
/// candidates (the most valuable ones).
struct RouteRoutes: Sendable {
    let services: AppServices
    let work: any HeavyWork

    static let parameters = ["district", "settlement", "bbox", "category", "targets", "start", "round_trip", "end",
                             "max_stops", "max_km", "max_hours", "depart", "speed", "detour", "service_minutes", "format"]

    func register(on router: Router<BasicRequestContext>) {
        router.get("/api/v1/routes") { request, _ in try await route(request) }
    }

    /// Everything the query says, checked; the store is not touched before all of it is valid.
    struct Query {
        var area: RouteArea
        var categories: [String]
        var targets: RouteTargets
        var request: RouteRequest
        var format: RouteFormat
    }

    func parse(_ q: QueryParameters, now: Date) throws(Problem) -> Query {
        try q.onlyAllow(Self.parameters)
        func nonEmpty(_ name: String) throws(Problem) -> String? {
            guard let v = q[name] else { return nil }
            let t = v.trimmingCharacters(in: .whitespaces)
            guard !t.isEmpty, t.count <= 200 else { throw .badParameter("\(name): must be 1 to 200 characters") }
            return t
        }
        let district = try nonEmpty("district"), settlement = try nonEmpty("settlement"), bbox = try q.bbox()
        let area: RouteArea
        do {
            area = try RouteArea.choose(district: district, settlement: settlement, bbox: bbox, points: nil,
                                        names: ("district", "settlement", "bbox", "points"))
        } catch { throw .badParameter(error.description) }
        let categories = (q["category"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        for c in categories where services.taxonomy[c] == nil {
            throw .badParameter("category: unknown category '\(QueryParameters.shorten(c))'; known: \(services.taxonomy.codes.joined(separator: ", "))")
        }
        let targets = RouteTargets(rawValue: try q.oneOf("targets", RouteTargets.allCases.map(\.rawValue), default: "hotspots"))!
        let format = RouteFormat(rawValue: try q.oneOf("format", RouteFormat.allCases.map(\.rawValue), default: "gpx"))!
        guard let startText = q["start"] else { throw .badParameter("start: required parameter is missing (lon,lat)") }
        let start: GeoPoint
        do { start = try RouteCandidates.point(startText, field: "start") } catch { throw .badParameter(error.description) }
        let roundTrip = try q.oneOf("round_trip", ["true", "false"], default: q["end"] == nil ? "true" : "false")
        let finish: RouteFinish
        if let endText = q["end"] {
            guard roundTrip == "false" else { throw .badParameter("end: cannot be combined with round_trip=true") }
            do { finish = .fixed(try RouteCandidates.point(endText, field: "end")) } catch {
                throw .badParameter(error.description)
            }
        } else {
            finish = roundTrip == "true" ? .roundTrip : .openEnd
        }
        var request = RouteRequest(start: start, finish: finish, departure: now)
        do {
            if let depart = q["depart"] { request.departure = try RouteDeparture.parse(depart, field: "depart") }
            if let text = q["max_hours"] {
                guard let hours = Double(text.trimmingCharacters(in: .whitespaces)) else {
                    throw RouteDayError.notANumber(text, field: "max_hours")
                }
                request.maxHours = try RouteDeparture.hours(hours, field: "max_hours")
            }
        } catch {
            throw Problem(.unprocessableContent, slug: "invalid-parameter", title: "Invalid query parameter", detail: "\(error)")
        }
        if q["max_stops"] != nil {
            request.maxStops = try q.int("max_stops", default: 0, range: 0...DistanceMatrix.maximumCount, clampAbove: true)
        }
        request.maxKilometres = try q.double("max_km", range: 0.001...100_000)
        request.speedKmh = try q.double("speed", default: 40, range: 1...200)!
        request.detourFactor = try q.double("detour", default: 1.3, range: 1...5)!
        request.serviceMinutes = try q.double("service_minutes", default: 10, range: 0...600)!
        return Query(area: area, categories: categories, targets: targets, request: request, format: format)
    }

    private func route(_ request: Request) async throws -> Response {
        let now = Date()
        var query = try parse(try QueryParameters(request: request), now: now)
        query.area = try await query.area.resolved(by: services.store.places, names: ("district", "settlement"))
        let anonymous = try await services.principal(of: request) == nil
        if anonymous {
            let ceiling = services.config.publicRouteMaxStops
            query.request.maxStops = min(query.request.maxStops ?? ceiling, ceiling)
        }
        let candidateLimit = anonymous ? services.config.publicRouteMaxCandidates : nil
        let source = services.core.routeCandidates(baseURL: services.baseURL(for: request))
        let deadline = Duration.milliseconds(Int64(services.config.routeDeadlineSeconds * 1000))
        let planned = query
        let route: PlannedRoute = try await work.admit(.route) {
            let stops = try await source.stops(area: planned.area, categories: planned.categories, targets: planned.targets, now: now)
            var routeRequest = planned.request
            // The deadline counts from admission: time spent reading candidates is part of the budget.
            routeRequest.solver.deadline = ContinuousClock.now.advanced(by: deadline)
            let planRequest = routeRequest
            let empty = RouteDay.emptyMessage(area: planned.area, targets: planned.targets)
            do {
                return try await work.offload {
                    try RouteDay.plan(stops, request: planRequest, emptyMessage: empty, candidateLimit: candidateLimit)
                }
            } catch let error as InspectionError {
                throw Problem(.badRequest, slug: "invalid-route", title: "Route cannot be planned", detail: error.description)
            }
        }
        let title = query.area == .region ? "Маршрут осмотра" : "Маршрут осмотра: \(query.area.label)"
        let text = RouteExporter.export(route, format: query.format, options: RouteExportOptions(title: title, generatedAt: now))
        var headers: HTTPFields = [:]
        headers[.contentDisposition] = RouteDay.contentDisposition(area: query.area, format: query.format)
        return Respond.text(text, contentType: query.format.contentType, headers: headers)
    }
}

/// Registers `GET /api/v1/routes` (one line in `buildRouter`).
func registerRoutePlanning(on router: Router<BasicRequestContext>, services: AppServices, work: any HeavyWork) {
    RouteRoutes(services: services, work: work).register(on: router)
}
