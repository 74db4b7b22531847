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
