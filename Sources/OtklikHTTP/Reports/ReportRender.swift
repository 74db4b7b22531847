import Foundation
import OtklikCore
import OtklikServices

/// Rendering of the reports. CSV starts with a UTF-8 byte order mark: LibreOffice Calc and Excel then open
/// Cyrillic names correctly without an import dialog guess.
enum ReportRender {
    static let bom = "\u{FEFF}"

    static func period(since: Date?, until: Date?) -> String {
        let s = since.map(Timestamp.formatDay) ?? "начало наблюдений"
        let u = until.map(Timestamp.formatDay) ?? "сегодня"
        return "\(s) — \(u)"
    }

    static func num(_ d: Double, _ digits: Int = 3) -> String {
        let p = pow(10, Double(digits))
        let r = (d * p).rounded() / p
        return r == r.rounded() && abs(r) < 1e15 ? String(Int64(r)) : String(r)
    }

    static func hotspotJSON(_ r: HotspotReportRow, taxonomy: Taxonomy) -> JSONValue {
        [
            "rank": .int(r.rank), "id": .string(r.id), "category": .string(r.category),
            "category_name": .optional(taxonomy[r.category]?.nameRu),
            "district": .optional(r.district), "settlement": .optional(r.settlement),
            "lon": .number(r.location.lon), "lat": .number(r.location.lat),
            "score": .number(r.score),
            "components": .object(r.components.map { ($0.0, .number($0.1)) }),
            "complaints": .int(r.complaints), "open": .int(r.open), "episodes": .int(r.episodes),
            "repeat_after_fix": .int(r.repeatAfterFix), "overdue": .int(r.overdue),
            "first_reported": .optional(r.firstReported.map(Timestamp.format)),
            "last_reported": .optional(r.lastReported.map(Timestamp.format)),
            "monthly": .array(r.monthly.map { .int($0) }),
            "series_start": .optional(r.seriesStart.map(Timestamp.formatDay)),
        ]
    }

    static func hotspotsCSV(_ rows: [HotspotReportRow], taxonomy: Taxonomy) -> String {
        let componentNames = rows.first?.components.map(\.0) ?? []
        var header = ["rank", "id", "category", "category_name", "district", "settlement", "lon", "lat", "score"]
        header += componentNames.map { "score_\($0)" }
        header += ["complaints", "open", "episodes", "repeat_after_fix", "overdue", "first_reported", "last_reported"]
        var out = bom + header.joined(separator: ",") + "\r\n"
        for r in rows {
            var f = [String(r.rank), r.id, r.category, taxonomy[r.category]?.nameRu ?? "", r.district ?? "", r.settlement ?? "",
                     num(r.location.lon, 6), num(r.location.lat, 6), num(r.score)]
            let comps = Dictionary(r.components, uniquingKeysWith: { a, _ in a })
            f += componentNames.map { comps[$0].map { num($0) } ?? "" }
            f += [String(r.complaints), String(r.open), String(r.episodes), String(r.repeatAfterFix), String(r.overdue),
                  r.firstReported.map(Timestamp.format) ?? "", r.lastReported.map(Timestamp.format) ?? ""]
            out += f.map(CSVText.field).joined(separator: ",") + "\r\n"
        }
        return out
    }

    static func districtJSON(_ r: AreaRollup) -> JSONValue {
        [
            "district": .string(r.name), "complaints": .int(r.complaints), "open": .int(r.open), "overdue": .int(r.overdue),
            "population": r.population.map { .int($0) } ?? .null, "per_1000": r.per1000.map { .number($0) } ?? .null,
            "recurring_hotspots": r.recurringHotspots.map { .int($0) } ?? .null,
        ]
    }

    static func districtsCSV(_ rows: [AreaRollup], agencies: [AgencyRepeatRate]) -> String {
        var out = bom + "district,complaints,open,overdue,population,per_1000,recurring_hotspots\r\n"
        for r in rows {
            let f = [r.name, String(r.complaints), String(r.open), String(r.overdue), r.population.map(String.init) ?? "",
                     r.per1000.map { num($0, 2) } ?? "", r.recurringHotspots.map(String.init) ?? ""]
            out += f.map(CSVText.field).joined(separator: ",") + "\r\n"
        }
        if !agencies.isEmpty {
            out += "\r\nagency,resolved,repeat_after_fix,rate\r\n"
            for a in agencies {
                out += [a.agency, String(a.resolved), String(a.repeatAfterFix), num(a.rate)].map(CSVText.field).joined(separator: ",") + "\r\n"
            }
        }
        return out
    }

    /// A sparkline as inline SVG: a polyline of the monthly counts, scaled to the row's own maximum.
    static func sparkline(_ values: [Int], width: Double = 120, height: Double = 24) -> String {
        guard values.count > 1, let top = values.max(), top > 0 else {
            return "<svg class=\"spark\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"нет данных\"></svg>"
        }
        let step = width / Double(values.count - 1)
        let pts = values.enumerated().map { i, v in
            "\(num(Double(i) * step, 1)),\(num(height - 2 - Double(v) / Double(top) * (height - 4), 1))"
        }.joined(separator: " ")
        return "<svg class=\"spark\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"жалобы по месяцам, максимум \(top)\"><polyline fill=\"none\" stroke=\"#c0392b\" stroke-width=\"1.5\" points=\"\(pts)\"/></svg>"
    }

    static let style = """
    body{font-family:"DejaVu Sans",Arial,sans-serif;margin:24px;color:#222}h1{font-size:20px;margin:0 0 4px}
    p.period{margin:0 0 16px;color:#555}table{border-collapse:collapse;width:100%;font-size:12px}
    th,td{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:middle}
    th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}
    @media print{body{margin:0}tr{page-break-inside:avoid}thead{display:table-header-group}}
    """

    static func page(title: String, subtitle: String, table: String) -> String {
        """
        <!doctype html><html lang="ru"><head><meta charset="utf-8"><title>\(MarkupText.escape(title))</title><style>\(style)</style></head>
        <body><h1>\(MarkupText.escape(title))</h1><p class="period">\(MarkupText.escape(subtitle))</p>\(table)</body></html>
        """
    }

    static func hotspotsHTML(_ rows: [HotspotReportRow], period: String, taxonomy: Taxonomy) -> String {
        var t = "<table><thead><tr><th>№</th><th>Категория</th><th>Район</th><th>Населённый пункт</th><th>Балл</th>"
        t += "<th>Жалоб</th><th>Открыто</th><th>Эпизодов</th><th>Повтор после устранения</th><th>Просрочено</th><th>Динамика</th></tr></thead><tbody>"
        for r in rows {
            let comps = r.components.map { "\($0.0): \(num($0.1, 2))" }.joined(separator: "; ")
            t += "<tr><td class=\"n\">\(r.rank)</td><td>\(MarkupText.escape(taxonomy[r.category]?.nameRu ?? r.category))</td>"
            t += "<td>\(MarkupText.escape(r.district ?? "—"))</td><td>\(MarkupText.escape(r.settlement ?? "—"))</td>"
            t += "<td class=\"n\" title=\"\(MarkupText.escape(comps))\">\(num(r.score, 2))</td><td class=\"n\">\(r.complaints)</td>"
            t += "<td class=\"n\">\(r.open)</td><td class=\"n\">\(r.episodes)</td><td class=\"n\">\(r.repeatAfterFix)</td>"
            t += "<td class=\"n\">\(r.overdue)</td><td>\(sparkline(r.monthly))</td></tr>"
        }
        if rows.isEmpty { t += "<tr><td colspan=\"11\">Очагов за период не найдено.</td></tr>" }
        t += "</tbody></table>"
        return page(title: "Повторяющиеся очаги жалоб", subtitle: "Период: \(period)", table: t)
    }

    static func districtsHTML(_ rows: [AreaRollup], agencies: [AgencyRepeatRate]) -> String {
        var t = "<table><thead><tr><th>Район</th><th>Жалоб</th><th>Открыто</th><th>Просрочено</th><th>Население</th>"
        t += "<th>На 1000 жителей</th><th>Повторяющихся очагов</th></tr></thead><tbody>"
        for r in rows {
            t += "<tr><td>\(MarkupText.escape(r.name))</td><td class=\"n\">\(r.complaints)</td><td class=\"n\">\(r.open)</td>"
            t += "<td class=\"n\">\(r.overdue)</td><td class=\"n\">\(r.population.map(String.init) ?? "—")</td>"
            t += "<td class=\"n\">\(r.per1000.map { num($0, 2) } ?? "—")</td><td class=\"n\">\(r.recurringHotspots.map(String.init) ?? "—")</td></tr>"
        }
        t += "</tbody></table>"
        if !agencies.isEmpty {
            t += "<h2>Повтор после устранения по ведомствам</h2><table><thead><tr><th>Ведомство</th><th>Устранено</th><th>Повторов</th><th>Доля</th></tr></thead><tbody>"
            for a in agencies {
                t += "<tr><td>\(MarkupText.escape(a.agency))</td><td class=\"n\">\(a.resolved)</td><td class=\"n\">\(a.repeatAfterFix)</td><td class=\"n\">\(num(a.rate * 100, 1))%</td></tr>"
            }
            t += "</tbody></table>"
        }
        return page(title: "Сводка по районам", subtitle: "На \(Timestamp.formatDay(Date()))", table: t)
    }
}
