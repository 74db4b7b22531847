public import OtklikCore

/// Pure writers for hotspot lists, shared by the CLI and the HTTP layer. Ranks are 1-based positions in the
/// given order (pass the report's order, which is by score).
public enum HotspotWriters {
    /// A GeoJSON FeatureCollection: the hull polygon (or the centroid point for degenerate hotspots) with
    /// members, counts, episodes, failed fixes (`repeat_after_fix`), significance (observed, expected, o_e, llr,
    /// p, p_monte_carlo, q, significant, background), district, settlement, score and its components.
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
            let repeats = h.failedFixes.map {
                "{\"fixed_id\":\($0.fixedID),\"fixed_at\":\(TextFormat.jsonString(TextFormat.instant($0.fixedAt))),\"agency\":\(TextFormat.jsonString($0.agency)),\"complaint_id\":\($0.complaintID),\"reported_at\":\(TextFormat.jsonString(TextFormat.instant($0.reportedAt))),\"days_after_fix\":\(TextFormat.jsonNumber(($0.daysAfterFix * 100).rounded() / 100))}"
            }.joined(separator: ",")
            let sig = h.significance
            var props: [String] = [
                "\"rank\":\(i + 1)",
                "\"id\":\(TextFormat.jsonString(h.id))",
                "\"feature_id\":\(h.featureID)",
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
                "\"lone_complaints\":\(h.loneComplaints)",
                "\"repeat_after_fix_count\":\(h.failedFixes.count)", "\"repeat_after_fix\":[\(repeats)]",
                "\"recurring\":\(h.recurring)",
                "\"significant\":\(sig.significant)",
                "\"observed\":\(sig.observed)", "\"expected\":\(TextFormat.jsonNumber(sig.expected))",
                "\"o_e\":\(TextFormat.jsonNumber(sig.ratio))", "\"llr\":\(TextFormat.jsonNumber(sig.logLikelihoodRatio))",
                "\"p\":\(TextFormat.jsonNumber(sig.p))", "\"p_monte_carlo\":\(TextFormat.jsonNumber(sig.monteCarloP))",
                "\"q\":\(TextFormat.jsonNumber(sig.q))", "\"background\":\(sig.background)",
                "\"background_radius_m\":\(TextFormat.jsonNumber(sig.backgroundRadius))",
                "\"footprint_m2\":\(TextFormat.jsonNumber(sig.footprintArea))",
                "\"score\":\(TextFormat.jsonNumber(h.score))",
                "\"score_components\":{\"strength\":\(TextFormat.jsonNumber(c.strength)),\"size\":\(TextFormat.jsonNumber(c.size)),\"open\":\(TextFormat.jsonNumber(c.open)),\"overdue\":\(TextFormat.jsonNumber(c.overdue)),\"recency\":\(TextFormat.jsonNumber(c.recency)),\"recurrence\":\(TextFormat.jsonNumber(c.recurrence)),\"repeat_after_fix\":\(TextFormat.jsonNumber(c.repeatAfterFix)),\"severity_factor\":\(TextFormat.jsonNumber(c.severityFactor))}",
                "\"centroid\":\(TextFormat.position(h.centroid))",
                "\"members\":[\(h.memberIDs.map(String.init).joined(separator: ","))]",
            ]
            out += "{\"type\":\"Feature\",\"id\":\(TextFormat.jsonString(h.id)),\"geometry\":\(geometry),\"properties\":{\(props.joined(separator: ","))}}"
        }
        return out + "]}\n"
    }

    /// `repeat_after_fix` counts failed fixes; `p` is the p-value the FDR used (`ClusterSignificance.p`); p and q
    /// have 4 decimals, or 3 significant digits below 0.0001.
    public static let csvHeader = [
        "rank", "id", "feature_id", "category", "district", "settlement", "count", "open", "overdue", "resolved",
        "episodes", "repeat_after_fix", "recurring", "significant", "expected", "o_e", "llr", "p", "q",
        "first_report", "last_report", "score", "score_strength", "score_size", "score_open", "score_overdue",
        "score_recency", "score_recurrence", "score_repeat_after_fix", "severity_factor", "lon", "lat", "members",
    ]

    /// CSV (RFC 4180, UTF-8, header row, LF line ends); members are space-separated ids in one field.
    public static func csv(_ hotspots: [Hotspot]) -> String {
        var out = csvHeader.joined(separator: ",") + "\n"
        for (i, h) in hotspots.enumerated() {
            let c = h.components, sig = h.significance
            let fields: [String] = [
                String(i + 1), h.id, String(h.featureID), h.category, h.district ?? "", h.settlement ?? "",
                String(h.count), String(h.openCount), String(h.overdueCount), String(h.resolvedCount),
                String(h.episodes.count), String(h.failedFixes.count), h.recurring ? "true" : "false",
                sig.significant ? "true" : "false", TextFormat.fixed(sig.expected, 6), TextFormat.fixed(sig.ratio, 4),
                TextFormat.fixed(sig.logLikelihoodRatio, 4), TextFormat.probability(sig.p), TextFormat.probability(sig.q),
                TextFormat.instant(h.firstReport), TextFormat.instant(h.lastReport), TextFormat.fixed(h.score, 4),
                TextFormat.fixed(c.strength, 4), TextFormat.fixed(c.size, 4),
                TextFormat.fixed(c.open, 4), TextFormat.fixed(c.overdue, 4), TextFormat.fixed(c.recency, 4),
                TextFormat.fixed(c.recurrence, 4), TextFormat.fixed(c.repeatAfterFix, 4),
                TextFormat.fixed(c.severityFactor, 4), TextFormat.fixed(h.centroid.lon, 6),
                TextFormat.fixed(h.centroid.lat, 6), h.memberIDs.map(String.init).joined(separator: " "),
            ]
            out += fields.map(TextFormat.csvField).joined(separator: ",") + "\n"
        }
        return out
    }

    /// A fixed-width table for terminals (widths in characters, so Cyrillic lines up as well as Latin). The q column
    /// carries a "~" for a hotspot that is not significant.
    public static func table(_ hotspots: [Hotspot]) -> String {
        let header = ["#", "score", "category", "settlement", "district", "n", "O/E", "q", "open", "overdue",
                      "episodes", "repeat", "recurring", "last"]
        var rows = [header]
        for (i, h) in hotspots.enumerated() {
            let sig = h.significance
            rows.append([String(i + 1), TextFormat.fixed(h.score, 2), h.category, h.settlement ?? "—",
                         h.district ?? "—", String(h.count), TextFormat.fixed(sig.ratio, 1),
                         (sig.significant ? "" : "~") + shortProbability(sig.q), String(h.openCount),
                         String(h.overdueCount), String(h.episodes.count), String(h.failedFixes.count),
                         h.recurring ? "yes" : "no", TextFormat.day(h.lastReport)])
        }
        let numeric: Set<Int> = [0, 1, 5, 6, 7, 8, 9, 10, 11]
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

    /// A probability for a terminal column: 4 decimals, or "<0.0001" below that.
    static func shortProbability(_ p: Double) -> String { p < 0.0001 ? "<0.0001" : TextFormat.fixed(p, 4) }

    /// Per-agency repeat-after-fix rates as CSV.
    public static func agencyCSV(_ rates: [AgencyRepeatRate]) -> String {
        var out = "agency,fixes,fixes_at_hotspots,failed_fixes,repeat_complaints,rate\n"
        for r in rates {
            out += [r.agency, String(r.fixes), String(r.fixesAtHotspots), String(r.failedFixes),
                    String(r.repeatComplaints), TextFormat.fixed(r.rate, 4)].map(TextFormat.csvField).joined(separator: ",") + "\n"
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
                    TextFormat.fixed(r.smoothedPerThousand, 4)].map(TextFormat.csvField).joined(separator: ",") + "\n"
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
