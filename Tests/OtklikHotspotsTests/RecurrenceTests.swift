import Foundation
import Testing
@testable import OtklikHotspots
import OtklikCore

struct RecurrenceTests {
    static let gap = 14 * 86_400.0, window = 90 * 86_400.0

    static func analyse(_ s: Scenario, radius: Double = 40, minEpisode: Int = 2) -> RecurrenceSummary {
        Recurrence.analyse(s.points, quietGap: gap, window: window, radius: radius, minEpisode: minEpisode)
    }

    @Test func loneComplaintMonthsLaterIsNotAnEpisode() throws {
        var s = Scenario()
        for d in [0.0, 1, 2] { s.add(0, 0, day: d) }
        s.add(3, 0, day: 120)
        let r = Self.analyse(s)
        #expect(r.episodes.map(\.count) == [3])
        #expect(r.loneComplaints == 1 && !r.recurring)
        // Through the engine: one hotspot, one episode, not recurring.
        let report = try HotspotAnalysis.run(points: s.points, taxonomy: Scenario.taxonomy, now: Scenario.day(130))
        #expect(report.hotspots.count == 1)
        #expect(report.hotspots[0].episodes.count == 1 && report.hotspots[0].loneComplaints == 1)
        #expect(!report.hotspots[0].recurring)
    }

    @Test func minEpisodeOfOneCountsEveryRun() {
        var s = Scenario()
        for d in [0.0, 1, 2, 120] { s.add(0, 0, day: d) }
        let r = Self.analyse(s, minEpisode: 1)
        #expect(r.episodes.map(\.count) == [3, 1] && r.loneComplaints == 0 && r.recurring)
    }

    @Test func twoBurstsAreRecurring() {
        var s = Scenario()
        for d in [0.0, 1, 60, 61] { s.add(0, 0, day: d) }
        let r = Self.analyse(s)
        #expect(r.episodes.map(\.count) == [2, 2] && r.recurring && r.failedFixes.isEmpty)
    }

    @Test func twoComplaintsAfterOneFixCountAsOneFailedFix() throws {
        var s = Scenario()
        s.add(0, 0, day: 0, status: .resolved, resolvedDay: 10, agency: "Региональный оператор")
        s.add(5, 0, day: 20)
        s.add(10, 0, day: 25)
        let r = Self.analyse(s)
        #expect(r.failedFixes.count == 1)
        let f = try #require(r.failedFixes.first)
        #expect(f.fixedID == 1 && f.fixedAt == Scenario.day(10) && f.agency == "Региональный оператор")
        #expect(f.complaintID == 2 && f.reportedAt == Scenario.day(20) && f.daysAfterFix == 10)
        // The agency is charged one failed fix out of one, with one repeat complaint.
        var config = HotspotConfig()
        config.minPoints = 3
        let report = try HotspotAnalysis.run(points: s.points, taxonomy: Scenario.taxonomy, config: config,
                                             now: Scenario.day(30))
        let rate = try #require(report.agencyRates.first)
        #expect(rate.fixes == 1 && rate.failedFixes == 1 && rate.repeatComplaints == 1 && rate.rate == 1)
    }

    @Test func complaintTwoHundredDaysAfterTheFixIsNotARepeat() {
        var s = Scenario()
        s.add(0, 0, day: 0, status: .resolved, resolvedDay: 10)
        s.add(5, 0, day: 210)
        #expect(Self.analyse(s).failedFixes.isEmpty)
        // Inside a longer window it is one.
        let wide = Recurrence.analyse(s.points, quietGap: Self.gap, window: 250 * 86_400, radius: 40)
        #expect(wide.failedFixes.map(\.complaintID) == [2])
    }

    @Test func complaintBeyondTheCategoryRadiusIsNotARepeat() {
        var s = Scenario()
        s.add(0, 0, day: 0, status: .resolved, resolvedDay: 10)
        s.add(60, 0, day: 20)
        s.add(39, 0, day: 30)
        let r = Self.analyse(s)
        #expect(r.failedFixes.map(\.complaintID) == [3], "60 m is outside the 40 m radius, 39 m is inside")
    }

    @Test func failedFixFollowedByAnEpisodeIsRecurring() {
        // One burst of four; the first complaint is closed on day 1 while the burst goes on.
        var s = Scenario()
        s.add(0, 0, day: 0, status: .resolved, resolvedDay: 1)
        for d in [2.0, 3, 4] { s.add(5, 0, day: d) }
        let r = Self.analyse(s)
        #expect(r.episodes.count == 1 && r.failedFixes.count == 1 && r.recurring)
    }

    @Test func fixContradictedOnlyByALoneComplaintIsNotRecurring() {
        var s = Scenario()
        for d in [0.0, 1, 2] { s.add(0, 0, day: d, status: .resolved, resolvedDay: 5) }
        s.add(5, 0, day: 40)
        let r = Self.analyse(s)
        #expect(r.episodes.count == 1 && r.loneComplaints == 1)
        #expect(r.failedFixes.count == 3 && r.failedFixes.allSatisfy { $0.complaintID == 4 })
        #expect(!r.recurring)
    }

    @Test func fixOfALoneComplaintBeforeTheFirstBurstIsNotRecurring() {
        // A lone complaint closed on day 5, then the place's first burst within the repeat window and radius: the
        // fix failed, but nothing came back, since the lone complaint was background.
        var s = Scenario()
        s.add(0, 0, day: 0, status: .resolved, resolvedDay: 5)
        for d in [40.0, 41, 42, 43] { s.add(5, 0, day: d) }
        let r = Self.analyse(s)
        #expect(r.episodes.count == 1 && r.loneComplaints == 1 && r.failedFixes.count == 1)
        #expect(!r.recurring)
        // The same fix inside a first burst that then comes back is recurring.
        var t = Scenario()
        t.add(0, 0, day: 0, status: .resolved, resolvedDay: 5)
        t.add(3, 0, day: 1)
        for d in [40.0, 41, 42] { t.add(5, 0, day: d) }
        let q = Self.analyse(t)
        #expect(q.episodes.count == 2 && q.recurring)
    }

    @Test func bucketedAndWalkedRepeatSearchesAgree() {
        var s = Scenario()
        var rng = Xoshiro256(seed: 11)
        for _ in 0..<400 {
            let resolved = rng.uniform() < 0.5
            let day = rng.uniform() * 700
            s.add(rng.uniform() * 300, rng.uniform() * 300, day: day, status: resolved ? .resolved : .new,
                  resolvedDay: resolved ? day + rng.uniform() * 20 : nil)
        }
        let byTime = s.points.sorted { ($0.reportedAt, $0.id) < ($1.reportedAt, $1.id) }
        let walked = Recurrence.failedFixes(byTime, window: Self.window, radius: 40, bucketedFrom: .max)
        let bucketed = Recurrence.failedFixes(byTime, window: Self.window, radius: 40, bucketedFrom: 0)
        #expect(walked == bucketed)
        #expect(walked.count > 20)
    }
}
