import Foundation
import OtklikCore
import OtklikServices

/// The district and settlement reports for people: every number in the Russian way (`RussianNumber`: decimal
/// comma, thin-space thousands, `6,6 %`), every area a link to the map showing the same filter. JSON and CSV
/// stay in machine form (ReportRender).
enum AreaReportRender {
    /// The filter a report was asked for, as the map page reads it back from its address.
    struct Filter: Sendable {
        var category: String?
        var since: Date?
        var until: Date?

        var incidentFilter: IncidentFilter {
            IncidentFilter(window: TimeWindow(start: since, end: until), categories: category.map { [$0] } ?? [])
        }

        /// The query of a map or report address: `?category=…&since=…&until=…` plus `extra`, percent-encoded ("" without any).
        func query(_ extra: [(String, String?)] = []) -> String {
            let pairs = extra + [("category", category), ("since", since.map(Self.text)), ("until", until.map(Self.text))]
            return QueryParameters.queryString(pairs)
        }

        /// A day when the instant is midnight UTC (as the map writes it), else the instant.
        static func text(_ d: Date) -> String {
            d.timeIntervalSince1970.truncatingRemainder(dividingBy: 86_400) == 0 ? Timestamp.formatDay(d) : Timestamp.format(d)
        }

        /// "Период: 2026-01-01 — сегодня; категория: Ямы на дороге" for the page's subtitle.
        func subtitle(_ taxonomy: Taxonomy) -> String {
            var s = "Период: " + ReportRender.period(since: since, until: until)
            if let c = category { s += "; категория: " + (taxonomy[c]?.nameRu ?? c) }
            return s
        }
    }

    /// `/?district=…&category=…&since=…#zoom/lat/lon`: the map page with this filter, escaped for an attribute.
    static func mapLink(_ filter: Filter, district: String?, view: (zoom: Int, point: GeoPoint)? = nil) -> String {
        let q = filter.query([("district", district)])
        let hash = view.map { "#\($0.zoom)/\(String(format: "%.4f", $0.point.lat))/\(String(format: "%.4f", $0.point.lon))" } ?? ""
        return MarkupText.escape("/" + q + hash)
    }

    static func count(_ v: Int?) -> String { v.map(RussianNumber.integer) ?? "—" }
    static func per1000(_ v: Double?) -> String { v.map { RussianNumber.format($0, fractionDigits: 2) } ?? "—" }

    static func numbers(_ values: [String]) -> String { values.map { "<td class=\"n\">\($0)</td>" }.joined() }

    static func link(_ href: String, _ text: String) -> String { "<a href=\"\(href)\">\(MarkupText.escape(text))</a>" }

    static let districtLabels = ["Район", "Жалоб", "Открыто", "Просрочено", "Население", "На 1000 жителей",
                                 "Повторяющихся очагов", "Населённые пункты"]

    static func districtsHTML(_ rows: [DistrictFigure], agencies: [AgencyRepeatRate], filter: Filter, taxonomy: Taxonomy) -> String {
        var t = "<p class=\"links\">" + link(mapLink(filter, district: nil), "Открыть на карте") + "</p>"
        t += "<table><thead><tr>" + districtLabels.map { "<th>\($0)</th>" }.joined() + "</tr></thead><tbody>"
        for r in rows {
            let f = r.figures
            let settlements = MarkupText.escape("/api/v1/reports/settlements" + filter.query([("district", r.area.name), ("format", "html")]))
            t += "<tr><td>" + link(mapLink(filter, district: r.area.name), r.area.name) + "</td>"
                + numbers([count(f.complaints), count(f.open), count(f.overdue), count(f.population), per1000(f.per1000),
                           count(f.recurringHotspots)])
                + "<td>" + link(settlements, "список") + "</td></tr>"
        }
        t += "</tbody></table>"
        if !agencies.isEmpty {
            t += "<h2>Повтор после устранения по ведомствам</h2><table><thead><tr><th>Ведомство</th><th>Устранено</th><th>Повторов</th><th>Доля</th></tr></thead><tbody>"
            for a in agencies {
                t += "<tr><td>\(MarkupText.escape(a.agency))</td>"
                    + numbers([count(a.resolved), count(a.repeatAfterFix), RussianNumber.percent(a.rate * 100, fractionDigits: 1)]) + "</tr>"
            }
            t += "</tbody></table>"
        }
        return ReportRender.page(title: "Сводка по районам", subtitle: "На \(Timestamp.formatDay(Date())). \(filter.subtitle(taxonomy))", table: t)
    }

    static let settlementLabels = ["Населённый пункт", "Район", "Тип", "Жалоб", "Открыто", "Просрочено", "Население", "На 1000 жителей"]

    static func settlementsHTML(_ rows: [SettlementFigure], district: String?, filter: Filter, taxonomy: Taxonomy) -> String {
        var t = "<p class=\"links\">" + link(mapLink(filter, district: district), "Открыть на карте") + "</p>"
        t += "<table><thead><tr>" + settlementLabels.map { "<th>\($0)</th>" }.joined() + "</tr></thead><tbody>"
        for r in rows {
            let f = r.figures
            let name = r.area.point.map { link(mapLink(filter, district: r.area.parent, view: (14, $0)), r.area.name) }
                ?? MarkupText.escape(r.area.name)
            t += "<tr><td>\(name)</td><td>\(MarkupText.escape(r.area.parent ?? "—"))</td><td>\(MarkupText.escape(r.area.kind ?? ""))</td>"
                + numbers([count(f.complaints), count(f.open), count(f.overdue), count(f.population), per1000(f.per1000)]) + "</tr>"
        }
        if rows.isEmpty { t += "<tr><td colspan=\"\(settlementLabels.count)\">Населённых пунктов нет.</td></tr>" }
        t += "</tbody></table>"
        let title = district.map { "Населённые пункты: \($0)" } ?? "Сводка по населённым пунктам"
        return ReportRender.page(title: title, subtitle: "На \(Timestamp.formatDay(Date())). \(filter.subtitle(taxonomy))", table: t)
    }
}
