public import struct Foundation.Date

/// A burst of complaints at one hotspot: at least `minEpisode` of them, each within the quiet gap of the one
/// before.
public struct Episode: Sendable, Hashable {
    public var start: Date
    public var end: Date
    public var count: Int
}

/// A fix that did not hold: a resolved complaint followed, within the repeat window, by a new complaint of the same
/// hotspot within the category radius of it. One per fix, however many complaints followed.
public struct FailedFix: Sendable, Hashable {
    /// The resolved complaint.
    public var fixedID: Int64
    public var fixedAt: Date
    /// The agency that resolved `fixedID`.
    public var agency: String
    /// The first complaint that contradicts the fix.
    public var complaintID: Int64
    public var reportedAt: Date
    public var daysAfterFix: Double
}

/// The name the writers and older callers use for a failed fix.
public typealias RepeatAfterFix = FailedFix

/// How often an agency's fixes were followed by a new complaint at the same place within the repeat window.
public struct AgencyRepeatRate: Sendable, Hashable {
    public var agency: String
    /// Resolved complaints with a resolution time among the analysed points (hotspot members or not).
    public var fixes: Int
    /// Of those, fixes inside hotspots: the only ones a repeat can be detected for.
    public var fixesAtHotspots: Int
    /// Fixes that failed (`FailedFix`).
    public var failedFixes: Int
    /// Distinct complaints that were the first repeat of at least one of those failed fixes.
    public var repeatComplaints: Int
    /// failedFixes / fixes; nil without fixes.
    public var rate: Double?
}

public struct RecurrenceSummary: Sendable, Hashable {
    public var episodes: [Episode]
    /// Lone complaints outside every episode: background, not a burst.
    public var loneComplaints: Int
    /// By fix time, then fixed id.
    public var failedFixes: [FailedFix]
    /// Two or more episodes, or a failed fix followed by an episode (see `Recurrence.analyse`).
    public var recurring: Bool

    /// The failed fixes under their older name.
    public var repeats: [FailedFix] { failedFixes }
    /// IDs of the failed fixes, ascending.
    public var failedFixIDs: [Int64] { failedFixes.map(\.fixedID).sorted() }
}

/// Episodes, failed fixes and the recurring flag for the members of one hotspot.
public enum Recurrence {
    /// - Episodes: members sorted by report time are cut where the gap to the previous report is at least
    ///   `quietGap` seconds; a run of at least `minEpisode` complaints is an episode, a shorter one (a lone
    ///   complaint months later) is background and not counted.
    /// - Failed fixes: fix f (status resolved, with a time) failed when a member c ≠ f has
    ///   f.resolvedAt < c.reportedAt <= f.resolvedAt + `window` and lies within `radius` metres of f. Each fix is
    ///   reported once, with its first such complaint (earliest report, then lowest id). Several complaints
    ///   resolved together at one place are several fixes, and each fails on its own.
    /// - Recurring: at least two episodes (the problem came back after a quiet gap), or a failed fix of a complaint
    ///   of an episode followed by an episode with a complaint after the fix (it came back, or never stopped, as a
    ///   burst after a repair). A single burst, a fix contradicted only by a lone complaint, or the fix of a lone
    ///   complaint followed by the place's first burst, is not recurring: a lone complaint is background whether
    ///   it comes before or after a burst.
    ///
    /// Cost: members are bucketed in cells of side `radius` sorted by time, so a fix looks at the complaints of
    /// 3 × 3 cells after its time only: O(m log m) for m members.
    public static func analyse(_ members: [HotspotPoint], quietGap: Double, window: Double, radius: Double,
                               minEpisode: Int = 2) -> RecurrenceSummary {
        let byTime = members.sorted { ($0.reportedAt, $0.id) < ($1.reportedAt, $1.id) }
        var episodes: [Episode] = []
        var lone = 0
        var run: Episode?
        var runIDs: [Int64] = []
        var inEpisode = Set<Int64>()
        func close() {
            guard let r = run else { return }
            if r.count >= minEpisode {
                episodes.append(r)
                inEpisode.formUnion(runIDs)
            } else {
                lone += r.count
            }
        }
        for p in byTime {
            if var r = run, p.reportedAt.timeIntervalSince(r.end) < quietGap {
                r.end = p.reportedAt
                r.count += 1
                run = r
            } else {
                close()
                run = Episode(start: p.reportedAt, end: p.reportedAt, count: 1)
                runIDs.removeAll(keepingCapacity: true)
            }
            runIDs.append(p.id)
        }
        close()
        let failed = failedFixes(byTime, window: window, radius: radius)
        let recurring = episodes.count >= 2
            || failed.contains { f in inEpisode.contains(f.fixedID) && episodes.contains { $0.end > f.fixedAt } }
        return RecurrenceSummary(episodes: episodes, loneComplaints: lone, failedFixes: failed, recurring: recurring)
    }

    /// Above this many members the complaints after a fix are looked up in grid cells rather than walked in time.
    static let bucketedFrom = 64

    /// `byTime`: members sorted by (reportedAt, id).
    static func failedFixes(_ byTime: [HotspotPoint], window: Double, radius: Double,
                            bucketedFrom: Int = Recurrence.bucketedFrom) -> [FailedFix] {
        guard byTime.contains(where: { $0.fixedAt != nil }) else { return [] }
        let r2 = radius * radius
        func failed(_ f: HotspotPoint, _ fixedAt: Date, by i: Int) -> FailedFix {
            let c = byTime[i]
            return FailedFix(fixedID: f.id, fixedAt: fixedAt, agency: f.agency, complaintID: c.id,
                             reportedAt: c.reportedAt, daysAfterFix: c.reportedAt.timeIntervalSince(fixedAt) / 86_400)
        }
        func firstAfter(_ t: Date, in list: [Int]) -> Int {
            var lo = 0, hi = list.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if byTime[list[mid]].reportedAt <= t { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
        var out: [FailedFix] = []
        if byTime.count < bucketedFrom {
            let all = Array(byTime.indices)
            for f in byTime {
                guard let fixedAt = f.fixedAt else { continue }
                let until = fixedAt.addingTimeInterval(window)
                for i in firstAfter(fixedAt, in: all)..<byTime.count {
                    let c = byTime[i]
                    if c.reportedAt > until { break }
                    let dx = c.x - f.x, dy = c.y - f.y
                    if c.id != f.id && dx * dx + dy * dy <= r2 { out.append(failed(f, fixedAt, by: i)); break }
                }
            }
            return out.sorted { ($0.fixedAt, $0.fixedID) < ($1.fixedAt, $1.fixedID) }
        }
        // Cells of side `radius` keyed by (column, row); inside a cell, members stay in time order.
        let side = radius > 0 && radius.isFinite ? radius : 1
        var minX = Double.infinity, minY = Double.infinity
        for p in byTime { minX = min(minX, p.x); minY = min(minY, p.y) }
        func cell(_ p: HotspotPoint) -> (Int, Int) {
            (Int(((p.x - minX) / side).rounded(.down)), Int(((p.y - minY) / side).rounded(.down)))
        }
        struct Key: Hashable { var cx: Int, cy: Int }
        var buckets: [Key: [Int]] = [:]
        for (i, p) in byTime.enumerated() {
            let (cx, cy) = cell(p)
            buckets[Key(cx: cx, cy: cy), default: []].append(i)
        }
        for f in byTime {
            guard let fixedAt = f.fixedAt else { continue }
            let until = fixedAt.addingTimeInterval(window)
            let (fx, fy) = cell(f)
            var first: Int?
            for dy in -1...1 {
                for dx in -1...1 {
                    guard let list = buckets[Key(cx: fx + dx, cy: fy + dy)] else { continue }
                    // From the cell's first complaint strictly after the fix. Time order is global order, so an
                    // earlier candidate means an earlier index.
                    for k in firstAfter(fixedAt, in: list)..<list.count {
                        let i = list[k]
                        let c = byTime[i]
                        if c.reportedAt > until { break }
                        if let best = first, i >= best { break }
                        guard c.id != f.id else { continue }
                        let ddx = c.x - f.x, ddy = c.y - f.y
                        if ddx * ddx + ddy * ddy <= r2 { first = i; break }
                    }
                }
            }
            if let i = first { out.append(failed(f, fixedAt, by: i)) }
        }
        return out.sorted { ($0.fixedAt, $0.fixedID) < ($1.fixedAt, $1.fixedID) }
    }
}
