public import OtklikCore

/// Pure writers for hotspot lists, shared by the CLI and the HTTP layer. Ranks are 1-based positions in the
/// given order (pass the report's order, which is by score).
public enum HotspotWriters {
    /// A GeoJSON FeatureCollection: the hull polygon (or the centroid point for degenerate hotspots) with
    /// members, counts, episodes, repeat-after-fix, district, settlement, score and its components.
    public static func geoJSON(_ hotspots: [Hotspot], taxonomy: Taxonomy? = nil) -> String {
        var out = "{\"type\":\"FeatureCollection\",\"features\":["
        for (i, h) in hotspots.enumerated() {
            if i > 0 { out += "," }
            let geometry: String
            switch h.shape {
            case .point(let p): geometry = "{\"type\":\"Point\",\"coordinates\":\(TextFormat.position(p))}"
            case .polygon(let ring):
                geometry = "{\"type\":\"Polygon\",\"coordinates\":[[" + ring.map(TextFormat.position).joined(separator: ",") + "]]}"
            }
            let c = h.components
            let episodes = h.episodes.map {
                "{\"start\":\(TextFormat.jsonString(TextFormat.instant($0.start))),\"end\":\(TextFormat.jsonString(TextFormat.instant($0.end))),\"count\":\($0.count)}"
            }.joined(separator: ",")
            let repeats = h.repeatAfterFix.map {
                "{\"complaint_id\":\($0.complaintID),\"fixed_id\":\($0.fixedID),\"fixed_at\":\(TextFormat.jsonString(TextFormat.instant($0.fixedAt))),\"agency\":\(TextFormat.jsonString($0.agency)),\"days_after_fix\":\(TextFormat.jsonNumber(($0.daysAfterFix * 100).rounded() / 100))}"
            }.joined(separator: ",")
            var props: [String] = [
                "\"rank\":\(i + 1)",
                "\"id\":\(TextFormat.jsonString(h.id))",
                "\"category\":\(TextFormat.jsonString(h.category))",
            ]
            if let name = taxonomy?[h.category]?.nameRu { props.append("\"category_name\":\(TextFormat.jsonString(name))") }
            props += [
                "\"district\":\(TextFormat.jsonOptional(h.district))",
                "\"settlement\":\(TextFormat.jsonOptional(h.settlement))",
                "\"count\":\(h.count)", "\"open\":\(h.openCount)", "\"overdue\":\(h.overdueCount)",
                "\"resolved\":\(h.resolvedCount)",
                "\"first_report\":\(TextFormat.jsonString(TextFormat.instant(h.firstReport)))",
                "\"last_report\":\(TextFormat.jsonString(TextFormat.instant(h.lastReport)))",
                "\"episode_count\":\(h.episodes.count)", "\"episodes\":[\(episodes)]",
                "\"repeat_after_fix_count\":\(h.repeatAfterFix.count)", "\"repeat_after_fix\":[\(repeats)]",
                "\"recurring\":\(h.recurring)",
                "\"score\":\(TextFormat.jsonNumber(h.score))",
                "\"score_components\":{\"size\":\(TextFormat.jsonNumber(c.size)),\"open\":\(TextFormat.jsonNumber(c.open)),\"overdue\":\(TextFormat.jsonNumber(c.overdue)),\"recency\":\(TextFormat.jsonNumber(c.recency)),\"recurrence\":\(TextFormat.jsonNumber(c.recurrence)),\"repeat_after_fix\":\(TextFormat.jsonNumber(c.repeatAfterFix)),\"severity_factor\":\(TextFormat.jsonNumber(c.severityFactor))}",
                "\"centroid\":\(TextFormat.position(h.centroid))",
                "\"members\":[\(h.memberIDs.map(String.init).joined(separator: ","))]",
            ]
            out += "{\"type\":\"Feature\",\"id\":\(TextFormat.jsonString(h.id)),\"geometry\":\(geometry),\"properties\":{\(props.joined(separator: ","))}}"
        }
        return out + "]}\n"
    }

    public static let csvHeader = [
        "rank", "id", "category", "district", "settlement", "count", "open", "overdue", "resolved", "episodes",
        "repeat_after_fix", "recurring", "first_report", "last_report", "score", "score_size", "score_open",
        "score_overdue", "score_recency", "score_recurrence", "score_repeat_after_fix", "severity_factor",
        "lon", "lat", "members",
    ]

    /// CSV (RFC 4180, UTF-8, header row, LF line ends); members are space-separated ids in one field.
    public static func csv(_ hotspots: [Hotspot]) -> String {
        var out = csvHeader.joined(separator: ",") + "\n"
        for (i, h) in hotspots.enumerated() {
            let c = h.components
            let fields: [String] = [
                String(i + 1), h.id, h.category, h.district ?? "", h.settlement ?? "", String(h.count),
                String(h.openCount), String(h.overdueCount), String(h.resolvedCount), String(h.episodes.count),
                String(h.repeatAfterFix.count), h.recurring ? "true" : "false", TextFormat.instant(h.firstReport),
                TextFormat.instant(h.lastReport), TextFormat.fixed(h.score, 4), TextFormat.fixed(c.size, 4),
                TextFormat.fixed(c.open, 4), TextFormat.fixed(c.overdue, 4), TextFormat.fixed(c.recency, 4),
                TextFormat.fixed(c.recurrence, 4), TextFormat.fixed(c.repeatAfterFix, 4),
                TextFormat.fixed(c.severityFactor, 4), TextFormat.fixed(h.centroid.lon, 6),
                TextFormat.fixed(h.centroid.lat, 6), h.memberIDs.map(String.init).joined(separator: " "),
            ]
            out += fields.map(CSVText.field).joined(separator: ",") + "\n"
        }
        return out
    }

    /// A fixed-width table for terminals (widths in characters, so Cyrillic lines up as well as Latin).
    public static func table(_ hotspots: [Hotspot]) -> String {
        let header = ["#", "score", "category", "settlement", "district", "n", "open", "overdue", "episodes",
                      "repeat", "recurring", "last"]
        var rows = [header]
        for (i, h) in hotspots.enumerated() {
            rows.append([String(i + 1), TextFormat.fixed(h.score, 2), h.category, h.settlement ?? "—",
                         h.district ?? "—", String(h.count), String(h.openCount), String(h.overdueCount),
                         String(h.episodes.count), String(h.repeatAfterFix.count), h.recurring ? "yes" : "no",
                         TextFormat.day(h.lastReport)])
        }
        let numeric: Set<Int> = [0, 1, 5, 6, 7, 8, 9]
        var widths = [Int](repeating: 0, count: header.count)
        for r in rows { for (k, f) in r.enumerated() { widths[k] = max(widths[k], f.count) } }
        var out = ""
        for (n, r) in rows.enumerated() {
            out += r.enumerated().map { TextFormat.pad($1, widths[$0], right: numeric.contains($0)) }
                .joined(separator: "  ").trimmingTrailingSpaces() + "\n"
            if n == 0 { out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n" }
        }
        return out
    }

    /// Per-agency repeat-after-fix rates as CSV.
    public static func agencyCSV(_ rates: [AgencyRepeatRate]) -> String {
        var out = "agency,fixes,fixes_at_hotspots,failed_fixes,repeat_complaints,rate\n"
        for r in rates {
            out += [r.agency, String(r.fixes), String(r.fixesAtHotspots), String(r.failedFixes),
                    String(r.repeatComplaints), TextFormat.fixed(r.rate, 4)].map(CSVText.field).joined(separator: ",") + "\n"
        }
        return out
    }

    /// Area roll-ups as CSV.
    public static func rollupCSV(_ rows: [AreaRollupRow]) -> String {
        var out = "level,name,district,category,population,incidents,open,overdue,hotspots,recurring_hotspots,per_1000,eb_per_1000\n"
        for r in rows {
            out += [r.level.rawValue, r.name, r.district ?? "", r.category ?? "", r.population.map(String.init) ?? "",
                    String(r.incidents), String(r.open), String(r.overdue), String(r.hotspots),
                    String(r.recurringHotspots), TextFormat.fixed(r.perThousand, 4),
                    TextFormat.fixed(r.smoothedPerThousand, 4)].map(CSVText.field).joined(separator: ",") + "\n"
        }
        return out
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
