public import struct Foundation.Date

/// A run of complaints at one hotspot with no quiet gap inside.
public struct Episode: Sendable, Hashable {
    public var start: Date
    public var end: Date
    public var count: Int
}

/// A complaint that arrived within the repeat window after another complaint of the same hotspot was resolved.
public struct RepeatAfterFix: Sendable, Hashable {
    public var complaintID: Int64
    public var reportedAt: Date
    /// The resolved complaint it contradicts: the latest fix before it at the same hotspot.
    public var fixedID: Int64
    public var fixedAt: Date
    /// The agency that resolved `fixedID`.
    public var agency: String
    public var daysAfterFix: Double
}

/// How often an agency's fixes were followed by a new complaint at the same hotspot within the repeat window.
public struct AgencyRepeatRate: Sendable, Hashable {
    public var agency: String
    /// Resolved complaints with a resolution time among the analysed points (hotspot members or not).
    public var fixes: Int
    /// Of those, fixes inside hotspots: the only ones a repeat can be detected for.
    public var fixesAtHotspots: Int
    /// Fixes followed by at least one repeat complaint within the window.
    public var failedFixes: Int
    /// Repeat complaints attributed to this agency's fixes.
    public var repeatComplaints: Int
    /// failedFixes / fixes; nil without fixes.
    public var rate: Double?
}

public struct RecurrenceSummary: Sendable, Hashable {
    public var episodes: [Episode]
    public var repeats: [RepeatAfterFix]
    /// IDs of the fixes followed by a repeat.
    public var failedFixIDs: [Int64]
}

/// Episodes and repeat-after-fix for the members of one hotspot.
public enum Recurrence {
    /// - Episodes: members sorted by report time; a new episode starts when the gap to the previous report is at
    ///   least `quietGap` seconds.
    /// - Repeat-after-fix: member c repeats fix f when f is resolved (status resolved, with a time),
    ///   f.resolvedAt < c.reportedAt <= f.resolvedAt + `window`, and f ≠ c. A complaint counts once, against the
    ///   latest such fix (ties: the lower id).
    public static func analyse(_ members: [HotspotPoint], quietGap: Double, window: Double) -> RecurrenceSummary {
        let byTime = members.sorted { ($0.reportedAt, $0.id) < ($1.reportedAt, $1.id) }
        var episodes: [Episode] = []
        for p in byTime {
            if let last = episodes.last, p.reportedAt.timeIntervalSince(last.end) < quietGap {
                episodes[episodes.count - 1].end = p.reportedAt
                episodes[episodes.count - 1].count += 1
            } else {
                episodes.append(Episode(start: p.reportedAt, end: p.reportedAt, count: 1))
            }
        }
        let fixes = members.compactMap { p in p.fixedAt.map { (p, $0) } }
            .sorted { ($0.1, $0.0.id) < ($1.1, $1.0.id) }
        var repeats: [RepeatAfterFix] = []
        var failed = Set<Int64>()
        if !fixes.isEmpty {
            for c in byTime {
                // Latest fix strictly before the complaint (binary search on fix time).
                var lo = 0, hi = fixes.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if fixes[mid].1 < c.reportedAt { lo = mid + 1 } else { hi = mid }
                }
                var k = lo - 1
                while k >= 0, fixes[k].0.id == c.id { k -= 1 }
                guard k >= 0 else { continue }
                // Among fixes sharing that latest time, take the lower id.
                var pick = k
                while pick > 0, fixes[pick - 1].1 == fixes[k].1, fixes[pick - 1].0.id != c.id { pick -= 1 }
                let (f, at) = fixes[pick]
                let gap = c.reportedAt.timeIntervalSince(at)
                guard gap <= window else { continue }
                repeats.append(RepeatAfterFix(complaintID: c.id, reportedAt: c.reportedAt, fixedID: f.id, fixedAt: at,
                                              agency: f.agency, daysAfterFix: gap / 86_400))
                failed.insert(f.id)
            }
        }
        return RecurrenceSummary(episodes: episodes, repeats: repeats, failedFixIDs: failed.sorted())
    }
}
