public import OtklikCore

/// Terminal and summary writers of the CLI. Published formats of a hotspot (GeoJSON, JSON, CSV, tiles) are
/// written from OtklikServices' `HotspotFeature`, so that they share one vocabulary.
public enum HotspotWriters {
    /// A fixed-width table for terminals (widths in characters, so Cyrillic lines up as well as Latin).
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
                    String(r.repeatComplaints), TextFormat.fixed(r.rate, 4)].map(CSVText.field).joined(separator: ",") + "\n"
        }
        return out
    }

    /// Area roll-ups as CSV.
    public static func rollupCSV(_ rows: [AreaRollupRow]) -> String {
        var out = "level,name,district,category,population,complaints,open,overdue,hotspots,recurring_hotspots,per_1000,eb_per_1000\n"
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
