import Foundation
import OtklikCore
import OtklikServices

/// Rendering of the reports, through the published models' writers (one vocabulary with OGC, tiles and the
/// CLI). CSV starts with a UTF-8 byte order mark: LibreOffice Calc and Excel then open Cyrillic names correctly
/// without an import dialog guess.
enum ReportRender {
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

    /// The hotspot report as JSON: each hotspot's published properties plus its monthly series and its sentence
    /// (`HotspotExplanation`), how many hotspots the list holds before the limit, and what a hotspot and its
    /// score are (the map's panel shows them).
    static func hotspotsJSON(_ list: HotspotReportList, since: Date?, until: Date?) -> [UInt8] {
        let rows = list.rows
        var w = JSONWriter(capacity: 1024 * max(1, rows.count))
        w.raw("{\"period\":")
        w.value(["since": .optional(since.map(Timestamp.format)), "until": .optional(until.map(Timestamp.format))])
        w.raw(",\"matched\":")
        w.int(list.matched)
        w.raw(",\"definition\":")
        w.value(.string(HotspotExplanation.definition))
        w.raw(",\"legend\":")
        w.value(.array(HotspotExplanation.scoreLegend.map {
            ["property": .string($0.property), "name": .string($0.name), "meaning": .string($0.meaning)]
        }))
        w.raw(",\"hotspots\":[")
        for (i, r) in rows.enumerated() {
            if i > 0 { w.raw(",") }
            PublishedJSON.properties(r.feature, into: &w, extra: [
                ("monthly", .array(r.monthly.map { .int($0) })),
                ("series_start", .optional(r.seriesStart.map(Timestamp.formatDay))),
                ("explanation", .string(HotspotExplanation.sentence(r.feature.hotspot))),
            ])
        }
        w.raw("]}")
        return w.bytes
    }

    static func hotspotsCSV(_ list: HotspotReportList) -> String {
        PublishedCSV.table(list.rows.map(\.feature), lineEnd: "\r\n", byteOrderMark: true)
    }

    /// The district report as JSON: each district's published properties, then the agencies' rates.
    static func districtsJSON(_ rows: [DistrictFigure], agencies: [AgencyRepeatRate]) -> [UInt8] {
        var w = JSONWriter(capacity: 512 * max(1, rows.count))
        w.raw("{\"districts\":")
        PublishedJSON.list(rows, into: &w)
        w.raw(",\"agencies\":")
        w.value(.array(agencies.map { a in
            ["agency": .string(a.agency), "resolved": .int(a.resolved), "repeat_after_fix": .int(a.repeatAfterFix),
             "rate": .number((a.rate * 1000).rounded() / 1000)]
        }))
        w.raw("}")
        return w.bytes
    }

    static func districtsCSV(_ rows: [DistrictFigure], agencies: [AgencyRepeatRate]) -> String {
        var out = PublishedCSV.table(rows, lineEnd: "\r\n", byteOrderMark: true)
        if !agencies.isEmpty {
            out += "\r\nagency,resolved,repeat_after_fix,rate\r\n"
            for a in agencies {
                out += CSVText.row([a.agency, String(a.resolved), String(a.repeatAfterFix), num(a.rate)]) + "\r\n"
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
        return "<svg class=\"spark\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"жалобы по месяцам, максимум \(RussianNumber.integer(top))\"><polyline fill=\"none\" stroke=\"#c0392b\" stroke-width=\"1.5\" points=\"\(pts)\"/></svg>"
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

    static let hotspotColumns: [PublishedHTML.Column] = [
        .init("rank", "№", digits: 0), .init("category_name", "Категория"), .init("district", "Район"),
        .init("settlement", "Населённый пункт"), .init("score", "Балл", digits: 2), .init("complaints", "Жалоб", digits: 0),
        .init("expected", "Ожидалось", digits: 1), .init("open", "Открыто", digits: 0),
        .init("episodes", "Эпизодов", digits: 0), .init("repeat_after_fix", "Повтор после устранения", digits: 0),
        .init("overdue", "Просрочено", digits: 0),
    ]

    static let hotspotStyle = "p.about{margin:0 0 6px;max-width:60em}dl.legend{display:grid;grid-template-columns:max-content 1fr;"
        + "gap:2px 12px;margin:0 0 10px;font-size:12px}dl.legend dt{font-weight:bold}dl.legend dd{margin:0}p.links{margin:0 0 12px}"

    /// Where the hotspot report points its reader: the map with the same filter and the complete list as CSV.
    struct HotspotLinks {
        var map: String
        var csv: String
    }

    static func hotspotsHTML(_ list: HotspotReportList, period: String, links: HotspotLinks) -> String {
        var t = "<style>\(hotspotStyle)</style><p class=\"about\">\(MarkupText.escape(HotspotExplanation.definition))</p>"
        t += "<p class=\"about\">Балл — сумма частей, умноженная на тяжесть категории; наведите курсор на балл, чтобы увидеть его части:</p><dl class=\"legend\">"
        for part in HotspotExplanation.scoreLegend {
            t += "<dt>\(MarkupText.escape(part.name))</dt><dd>\(MarkupText.escape(part.meaning))</dd>"
        }
        t += "</dl><p class=\"links\"><a href=\"\(MarkupText.escape(links.map))\">Открыть на карте</a>"
        if list.isCapped {
            t += " · Показаны первые \(RussianNumber.integer(list.rows.count)) из \(RussianNumber.integer(list.matched)); "
                + "полный список: <a href=\"\(MarkupText.escape(links.csv))\">CSV</a> (или параметр limit=)"
        }
        t += "</p><table><thead>" + PublishedHTML.header(hotspotColumns, extraLabels: ["Почему в списке", "Динамика"]) + "</thead><tbody>"
        for r in list.rows {
            let parts = HotspotExplanation.scoreLegend.compactMap { part in
                r.feature.value(part.property).map { "\(part.name): \(PublishedHTML.readable($0, digits: 2))" }
            }.joined(separator: "; ")
            t += PublishedHTML.row(r.feature, columns: hotspotColumns, title: ["score": parts],
                                   extraCells: [MarkupText.escape(HotspotExplanation.sentence(r.feature.hotspot)), sparkline(r.monthly)])
        }
        if list.rows.isEmpty { t += "<tr><td colspan=\"\(hotspotColumns.count + 2)\">Значимых очагов за период не найдено.</td></tr>" }
        t += "</tbody></table>"
        return page(title: "Повторяющиеся очаги жалоб", subtitle: "Период: \(period)", table: t)
    }
}
