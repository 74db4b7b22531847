public import struct Foundation.Date
public import OtklikCore
public import OtklikHotspots

/// A hotspot as it is published: in the CLI (GeoJSON, JSON, CSV), the OGC `hotspots` collection, the hotspot
/// report (JSON, CSV, HTML) and the `hotspots` vector tiles. The vocabulary is `fields`; README "Published
/// properties" lists it with meanings and units.
public struct HotspotFeature: PublishedFeature {
    public var hotspot: Hotspot
    /// 1-based position in the list it was published in (by score); changes with the filter, unlike the ids.
    public var rank: Int
    /// The category's Russian name (the code when the taxonomy does not know it).
    public var categoryName: String

    public init(_ hotspot: Hotspot, rank: Int, categoryName: String) {
        self.hotspot = hotspot
        self.rank = rank
        self.categoryName = categoryName
    }

    /// Ranks the hotspots in the given order (the engine's, by score).
    public static func ranked(_ hotspots: some Sequence<Hotspot>, taxonomy: Taxonomy) -> [HotspotFeature] {
        hotspots.enumerated().map { i, h in
            HotspotFeature(h, rank: i + 1, categoryName: taxonomy[h.category]?.nameRu ?? h.category)
        }
    }

    /// "<category>:<lowest member id>", stable across runs and filters.
    public var id: String { hotspot.id }

    /// The lowest member incident id: an incident belongs to one category, so it is unique across categories,
    /// and it does not depend on which other hotspots a filter keeps.
    public var numericID: UInt64 { UInt64(max(0, hotspot.memberIDs.first ?? 0)) }

    /// The hull, or the centroid for a hotspot whose members lie on one line.
    public var geometry: Geometry {
        switch hotspot.shape {
        case .point(let p): return .point(p)
        case .polygon(let ring): return .polygon([ring])
        }
    }

    public var firstReport: Date { hotspot.firstReport }
    public var lastReport: Date { hotspot.lastReport }

    public static let fields: [PublishedField<HotspotFeature>] = [
        .int("rank") { $0.rank },
        .string("id") { $0.hotspot.id },
        .string("category") { $0.hotspot.category },
        .string("category_name") { $0.categoryName },
        .optionalString("district") { $0.hotspot.district },
        .optionalString("settlement") { $0.hotspot.settlement },
        .int("complaints") { $0.hotspot.count },
        .int("open") { $0.hotspot.openCount },
        .int("overdue") { $0.hotspot.overdueCount },
        .int("resolved") { $0.hotspot.resolvedCount },
        .int("episodes") { $0.hotspot.episodes.count },
        .int("repeat_after_fix") { $0.hotspot.failedFixes.count },
        .int("lone_complaints") { $0.hotspot.loneComplaints },
        .bool("recurring") { $0.hotspot.recurring },
        .bool("significant") { $0.hotspot.significant },
        .int("observed") { $0.hotspot.significance.observed },
        .double("expected") { $0.hotspot.significance.expected },
        .double("o_e") { $0.hotspot.significance.ratio },
        .double("llr") { $0.hotspot.significance.logLikelihoodRatio },
        .double("p", digits: nil) { $0.hotspot.significance.p },
        .double("q", digits: nil) { $0.hotspot.significance.q },
        .double("place_p", digits: nil) { $0.hotspot.significance.placeP },
        .optionalInt("burst_complaints") { $0.hotspot.significance.burst?.observed },
        .optionalDouble("burst_expected") { $0.hotspot.significance.burst?.expected },
        .optionalString("burst_start") { $0.hotspot.significance.burst.map { Timestamp.format($0.window.first) } },
        .optionalString("burst_end") { $0.hotspot.significance.burst.map { Timestamp.format($0.window.last) } },
        .optionalDouble("burst_llr") { $0.hotspot.significance.burst?.logLikelihoodRatio },
        .optionalDouble("burst_p", digits: nil) { $0.hotspot.significance.burst?.p },
        .int("background") { $0.hotspot.significance.background },
        .double("background_radius_m") { $0.hotspot.significance.backgroundRadius },
        .instant("first_report") { $0.hotspot.firstReport },
        .instant("last_report") { $0.hotspot.lastReport },
        .double("score") { $0.hotspot.score },
        .double("score_strength") { $0.hotspot.components.strength },
        .double("score_size") { $0.hotspot.components.size },
        .double("score_open") { $0.hotspot.components.open },
        .double("score_overdue") { $0.hotspot.components.overdue },
        .double("score_recency") { $0.hotspot.components.recency },
        .double("score_recurrence") { $0.hotspot.components.recurrence },
        .double("score_repeat_after_fix") { $0.hotspot.components.repeatAfterFix },
        .double("severity_factor") { $0.hotspot.components.severityFactor },
        .double("lon", digits: 7) { $0.hotspot.centroid.lon },
        .double("lat", digits: 7) { $0.hotspot.centroid.lat },
        .list("members") { $0.hotspot.memberIDs.map { .int($0) } },
        .records("episode_list") { h in
            h.hotspot.episodes.map { e in
                [PublishedProperty("start", .string(Timestamp.format(e.start))),
                 PublishedProperty("end", .string(Timestamp.format(e.end))),
                 PublishedProperty("complaints", .int(Int64(e.count)))]
            }
        },
        .records("repeat_after_fix_list") { h in
            h.hotspot.failedFixes.map { r in
                [PublishedProperty("fixed_id", .int(r.fixedID)),
                 PublishedProperty("fixed_at", .string(Timestamp.format(r.fixedAt))),
                 PublishedProperty("agency", .string(r.agency)),
                 PublishedProperty("complaint_id", .int(r.complaintID)),
                 PublishedProperty("reported_at", .string(Timestamp.format(r.reportedAt))),
                 PublishedProperty("days_after_fix", .number(r.daysAfterFix, digits: 2))]
            }
        },
    ]
}

/// One row of the governor's ranked hotspot list: the published hotspot and its monthly series (the
/// report's sparkline; the report alone publishes `monthly` and `series_start`).
public struct HotspotReportRow: Sendable {
    public var feature: HotspotFeature
    /// Complaints per month, oldest first, starting at `seriesStart`.
    public var monthly: [Int]
    public var seriesStart: Date?

    public init(feature: HotspotFeature, monthly: [Int], seriesStart: Date?) {
        self.feature = feature
        self.monthly = monthly
        self.seriesStart = seriesStart
    }
}

/// The governor's list as one request sees it: the rows within the limit and how many there are in all.
public struct HotspotReportList: Sendable {
    public var rows: [HotspotReportRow]
    /// Hotspots the list holds before the limit (the significant ones, or every cluster when all are asked for).
    public var matched: Int

    public init(rows: [HotspotReportRow], matched: Int) {
        self.rows = rows
        self.matched = matched
    }

    /// Whether the limit cut the list.
    public var isCapped: Bool { matched > rows.count }
}

/// What a hotspot is and why it ranks where it does, in Russian, for the people who read the list: one home for
/// the sentences of the HTML report and the map's panel (which reads them from the report's JSON).
public enum HotspotExplanation {
    /// One line: what a hotspot is.
    public static let definition = "Очаг — место, где жалоб одной категории больше, чем обычно даёт его окрестность "
        + "(ожидаемое число считается по жалобам всех категорий вокруг и доле категории в области), или где они "
        + "пришли всплеском, какого не объясняет поток таких жалоб по области в те же дни, и превышение "
        + "не объясняется случайностью: в списке только значимые очаги (q ≤ 0,05)."

    /// One part of the score: the property that publishes it, its short name and what it means.
    public struct ScorePart: Sendable, Hashable {
        public var property: String
        public var name: String
        public var meaning: String
    }

    /// The legend of the score, in the order of `ScoreComponents`; the score is the sum of the parts times the
    /// severity factor (see `ScoreWeights`).
    public static let scoreLegend: [ScorePart] = [
        ScorePart(property: "score_strength", name: "Сила",
                  meaning: "насколько жалоб больше ожидаемого в месте или во всплеске (больший из двух логарифмов "
                      + "отношения правдоподобия Кульдорфа)"),
        ScorePart(property: "score_size", name: "Размер", meaning: "число жалоб в очаге (малый вес)"),
        ScorePart(property: "score_open", name: "Открыто", meaning: "жалобы, по которым работа не закончена"),
        ScorePart(property: "score_overdue", name: "Просрочено", meaning: "открытые жалобы с истёкшим сроком"),
        ScorePart(property: "score_recency", name: "Свежесть",
                  meaning: "как давно пришла последняя жалоба (вдвое меньше за каждые 30 дней)"),
        ScorePart(property: "score_recurrence", name: "Повторы",
                  meaning: "число эпизодов: всплесков жалоб, разделённых затишьем"),
        ScorePart(property: "score_repeat_after_fix", name: "После устранения",
                  meaning: "сколько раз проблема вернулась в течение 90 дней после устранения"),
        ScorePart(property: "severity_factor", name: "Тяжесть",
                  meaning: "множитель категории от 1/3 до 5/3: сумма частей умножается на него"),
    ]

    /// "17 жалоб при ожидаемых 2,7 — в 6,2 раза больше ожидаемого, p < 0,001"; then, when the burst test finds
    /// something (p ≤ 0,05), "; всплеск: 13 жалоб за 4 дня (12.03.2025–15.03.2025) при ожидаемых 0,09, p < 0,001";
    /// when fixes failed, "; повторилось после устранения: 4 раза (устранено 03.02.2025, 10.03.2025 ×3)"; and
    /// "; не значим (q = 0,31)" for a cluster outside the governor's list.
    public static func sentence(_ h: Hotspot) -> String {
        let s = h.significance
        var out = "\(RussianNumber.integer(s.observed)) \(plural(s.observed, "жалоба", "жалобы", "жалоб")) при ожидаемых "
            + expected(s.expected) + " — " + times(s.ratio) + ", p " + probability(s.placeP)
        if let b = s.burst, b.p <= 0.05 {
            let days = max(1, Int((b.window.last.timeIntervalSince(b.window.first) / 86_400).rounded(.up)))
            let span = day(b.window.first) == day(b.window.last) ? day(b.window.first)
                : day(b.window.first) + "–" + day(b.window.last)
            out += "; всплеск: \(RussianNumber.integer(b.observed)) \(plural(b.observed, "жалоба", "жалобы", "жалоб")) за "
                + "\(RussianNumber.integer(days)) \(plural(days, "день", "дня", "дней")) (\(span)) при ожидаемых "
                + expected(b.expected) + ", p " + probability(b.p)
        }
        if !h.failedFixes.isEmpty {
            let n = h.failedFixes.count
            // Complaints resolved together are fixes of one day: "21.01.2025 ×3".
            var days: [(String, Int)] = []
            for f in h.failedFixes {
                let d = day(f.fixedAt)
                if days.last?.0 == d { days[days.count - 1].1 += 1 } else { days.append((d, 1)) }
            }
            out += "; повторилось после устранения: \(RussianNumber.integer(n)) \(plural(n, "раз", "раза", "раз")) (устранено "
                + days.map { $0.1 > 1 ? "\($0.0) ×\(RussianNumber.integer($0.1))" : $0.0 }.joined(separator: ", ") + ")"
        }
        if !s.significant { out += "; не значим (q " + probability(s.q) + ")" }
        return out
    }

    /// E for a reader: "45", "2,7", "0,35", or "< 0,01".
    static func expected(_ e: Double) -> String {
        e >= 10 ? RussianNumber.format(e, fractionDigits: 0) : e >= 1 ? RussianNumber.format(e, fractionDigits: 1)
            : e >= 0.01 ? RussianNumber.format(e, fractionDigits: 2) : "< 0,01"
    }

    /// O/E for a reader: "в 6,2 раза больше ожидаемого", "в 25 раз …", "более чем в 1 000 раз …", or "не больше
    /// ожидаемого".
    static func times(_ ratio: Double) -> String {
        guard ratio > 1 else { return "не больше ожидаемого" }
        if ratio < 10 { return "в \(RussianNumber.format(ratio, fractionDigits: 1)) раза больше ожидаемого" }
        if ratio >= 1000 || !ratio.isFinite { return "более чем в 1\u{202F}000 раз больше ожидаемого" }
        let n = Int(ratio.rounded())
        return "в \(RussianNumber.integer(n)) \(plural(n, "раз", "раза", "раз")) больше ожидаемого"
    }

    /// "< 0,001", "≤ 0,001" (the floor of 999 replicas, where no tail could be fitted), or "= 0,012".
    public static func probability(_ p: Double) -> String {
        p < 0.001 ? "< 0,001" : p == 0.001 ? "≤ 0,001" : "= " + RussianNumber.format(p, fractionDigits: 3)
    }

    /// DD.MM.YYYY (UTC).
    public static func day(_ date: Date) -> String {
        Timestamp.formatDay(date).split(separator: "-").reversed().joined(separator: ".")
    }

    /// The Russian plural of a count: 1 жалоба, 2 жалобы, 5 жалоб, 11 жалоб, 21 жалоба.
    public static func plural(_ n: Int, _ one: String, _ few: String, _ many: String) -> String {
        let m100 = abs(n) % 100, m10 = abs(n) % 10
        if (11...14).contains(m100) { return many }
        if m10 == 1 { return one }
        if (2...4).contains(m10) { return few }
        return many
    }
}
