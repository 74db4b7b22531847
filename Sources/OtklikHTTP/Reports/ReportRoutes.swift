import Foundation
import Hummingbird
import OtklikCore
import OtklikServices

/// The governor's office reports: JSON for programs, CSV for spreadsheets, HTML for printing.
struct ReportRoutes: Sendable {
    let services: AppServices

    func register(on router: Router<BasicRequestContext>) {
        router.get("/api/v1/reports/hotspots") { request, _ in try await hotspots(request) }
        router.get("/api/v1/reports/districts") { request, _ in try await districts(request) }
        router.get("/api/v1/reports/settlements") { request, _ in try await settlements(request) }
    }

    static let formats = ["json", "csv", "html"]

    private func hotspots(_ request: Request) async throws -> Response {
        let q = try QueryParameters(request: request)
        try q.onlyAllow(["district", "category", "since", "until", "limit", "format", "all"])
        let format = try q.oneOf("format", Self.formats, default: "json")
        let all = try q.oneOf("all", ["true", "false"], default: "false") == "true"
        let since = try q.instant("since")
        let until = try q.instant("until")
        if let s = since, let u = until, s > u { throw Problem.badParameter("since: \(Timestamp.format(s)) is after until \(Timestamp.format(u))") }
        // A page to print stops at 1,000 rows and says so; CSV and JSON give the complete list when asked.
        let limit = try q.int("limit", default: 50, range: 1...(format == "html" ? 1000 : 100_000), clampAbove: true)
        var categories: [String] = []
        if let c = q["category"] {
            guard services.taxonomy[c] != nil else { throw Problem.badParameter("category: unknown category '\(QueryParameters.shorten(c))'") }
            categories = [c]
        }
        if let d = q["district"], d.isEmpty || d.count > 200 { throw Problem.badParameter("district: expected a name of 1 to 200 characters") }
        var district = q["district"]
        if let d = district { district = try await services.store.places.resolve(d, kind: .district, field: "district") }
        let filter = IncidentFilter(window: TimeWindow(start: since, end: until), categories: categories, district: district)
        let list = try await services.analysis.hotspotReport(filter, limit: limit, all: all)
        let period = ReportRender.period(since: since, until: until)
        switch format {
        case "csv":
            return Respond.text(ReportRender.hotspotsCSV(list), contentType: "text/csv; charset=utf-8",
                                headers: [.contentDisposition: "attachment; filename=\"hotspots.csv\""])
        case "html":
            let day = since.map(Timestamp.formatDay)
            let links = ReportRender.HotspotLinks(
                map: "/" + QueryParameters.queryString([("district", district), ("category", categories.first), ("since", day)]),
                csv: "/api/v1/reports/hotspots" + QueryParameters.queryString([
                    ("format", "csv"), ("district", district), ("category", categories.first), ("since", day),
                    ("until", until.map(Timestamp.format)), ("limit", String(list.matched)), ("all", all ? "true" : nil)]))
            return Respond.text(ReportRender.hotspotsHTML(list, period: period, links: links), contentType: "text/html; charset=utf-8")
        default:
            return Respond.bytes(ReportRender.hotspotsJSON(list, since: since, until: until), contentType: "application/json")
        }
    }

    /// `category`, `since` and `until` of the area reports, checked as the hotspot report checks them.
    private func areaFilter(_ q: QueryParameters) throws(Problem) -> AreaReportRender.Filter {
        let filter = AreaReportRender.Filter(category: q["category"], since: try q.instant("since"), until: try q.instant("until"))
        if let s = filter.since, let u = filter.until, s > u {
            throw Problem.badParameter("since: \(Timestamp.format(s)) is after until \(Timestamp.format(u))")
        }
        if let c = filter.category, services.taxonomy[c] == nil {
            throw Problem.badParameter("category: unknown category '\(QueryParameters.shorten(c))'; known: \(services.taxonomy.codes.joined(separator: ", "))")
        }
        return filter
    }

    private func districts(_ request: Request) async throws -> Response {
        let q = try QueryParameters(request: request)
        try q.onlyAllow(["category", "since", "until", "format"])
        let format = try q.oneOf("format", Self.formats, default: "json")
        let filter = try areaFilter(q)
        let rows = try await services.core.areas.districts(filter: filter.incidentFilter)
            .sorted { ($0.figures.per1000 ?? -1, $0.figures.complaints) > ($1.figures.per1000 ?? -1, $1.figures.complaints) }
        let agencies = try await services.analysis.agencyRepeatRates(filter.incidentFilter)
        switch format {
        case "csv":
            return Respond.text(ReportRender.districtsCSV(rows, agencies: agencies), contentType: "text/csv; charset=utf-8",
                                headers: [.contentDisposition: "attachment; filename=\"districts.csv\""])
        case "html":
            return Respond.text(AreaReportRender.districtsHTML(rows, agencies: agencies, filter: filter, taxonomy: services.taxonomy),
                                contentType: "text/html; charset=utf-8")
        default:
            return Respond.bytes(ReportRender.districtsJSON(rows, agencies: agencies), contentType: "application/json")
        }
    }

    /// Settlements with their figures, the most complaints per 1,000 residents first; `district` keeps one
    /// district's (an unknown name is a 404 with the closest names).
    private func settlements(_ request: Request) async throws -> Response {
        let q = try QueryParameters(request: request)
        try q.onlyAllow(["district", "category", "since", "until", "format"])
        let format = try q.oneOf("format", Self.formats, default: "json")
        let filter = try areaFilter(q)
        if let d = q["district"], d.isEmpty || d.count > 200 { throw Problem.badParameter("district: expected a name of 1 to 200 characters") }
        var district = q["district"]
        if let d = district { district = try await services.store.places.resolve(d, kind: .district, field: "district") }
        let rows = try await services.core.areas.settlements(filter: filter.incidentFilter)
            .filter { district == nil || $0.area.parent == district }
            .sorted { ($0.figures.per1000 ?? -1, $0.figures.complaints, $1.area.name) > ($1.figures.per1000 ?? -1, $1.figures.complaints, $0.area.name) }
        switch format {
        case "csv":
            return Respond.text(PublishedCSV.table(rows, lineEnd: "\r\n", byteOrderMark: true), contentType: "text/csv; charset=utf-8",
                                headers: [.contentDisposition: "attachment; filename=\"settlements.csv\""])
        case "html":
            return Respond.text(AreaReportRender.settlementsHTML(rows, district: district, filter: filter, taxonomy: services.taxonomy),
                                contentType: "text/html; charset=utf-8")
        default:
            var w = JSONWriter(capacity: 256 * max(1, rows.count))
            w.raw("{\"settlements\":")
            PublishedJSON.list(rows, into: &w)
            w.raw("}")
            return Respond.bytes(w.bytes, contentType: "application/json")
        }
    }
}
