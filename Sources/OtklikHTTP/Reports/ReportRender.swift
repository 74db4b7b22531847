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

    /// The hotspot report as JSON: each hotspot's published properties plus its monthly series.
    static func hotspotsJSON(_ rows: [HotspotReportRow], since: Date?, until: Date?) -> [UInt8] {
        var w = JSONWriter(capacity: 1024 * max(1, rows.count))
        w.raw("{\"period\":")
        w.value(["since": .optional(since.map(Timestamp.format)), "until": .optional(until.map(Timestamp.format))])
        w.raw(",\"hotspots\":[")
        for (i, r) in rows.enumerated() {
            if i > 0 { w.raw(",") }
            PublishedJSON.properties(r.feature, into: &w, extra: [
                ("monthly", .array(r.monthly.map { .int($0) })),
                ("series_start", .optional(r.seriesStart.map(Timestamp.formatDay))),
            ])
        }
        w.raw("]}")
        return w.bytes
    }

    static func hotspotsCSV(_ rows: [HotspotReportRow]) -> String {
        PublishedCSV.table(rows.map(\.feature), lineEnd: "\r\n", byteOrderMark: true)
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

    static let hotspotColumns: [PublishedHTML.Column] = [
        .init("rank", "№"), .init("category_name", "Категория"), .init("district", "Район"),
        .init("settlement", "Населённый пункт"), .init("score", "Балл"), .init("complaints", "Жалоб"),
        .init("open", "Открыто"), .init("episodes", "Эпизодов"), .init("repeat_after_fix", "Повтор после устранения"),
        .init("overdue", "Просрочено"),
    ]

    /// The parts of the score, shown when hovering over it.
    static let scoreParts = ["score_size", "score_open", "score_overdue", "score_recency", "score_recurrence",
                             "score_repeat_after_fix", "severity_factor"]

    static func hotspotsHTML(_ rows: [HotspotReportRow], period: String) -> String {
        var t = "<table><thead>" + PublishedHTML.header(hotspotColumns, extraLabels: ["Динамика"]) + "</thead><tbody>"
        for r in rows {
            let parts = scoreParts.compactMap { name in r.feature.value(name).map { "\(name): \($0.text)" } }.joined(separator: "; ")
            t += PublishedHTML.row(r.feature, columns: hotspotColumns, title: ["score": parts], extraCells: [sparkline(r.monthly)])
        }
        if rows.isEmpty { t += "<tr><td colspan=\"\(hotspotColumns.count + 1)\">Очагов за период не найдено.</td></tr>" }
        t += "</tbody></table>"
        return page(title: "Повторяющиеся очаги жалоб", subtitle: "Период: \(period)", table: t)
    }
}
