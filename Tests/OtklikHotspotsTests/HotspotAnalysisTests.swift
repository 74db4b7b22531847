import Foundation
import Testing
@testable import OtklikHotspots
import OtklikCore

/// Builds points on a local metric frame around Сосновка (1 m ≈ 1e-5 degree is close enough for output tests).
struct Scenario {
    static let taxonomy: Taxonomy = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("data/categories.json")
        return try! Taxonomy.decode(try! Data(contentsOf: url))
    }()
    static let t0 = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01T00:00:00Z
    static func day(_ d: Double) -> Date { t0.addingTimeInterval(d * 86_400) }

    var points: [HotspotPoint] = []
    var nextID: Int64 = 1

    mutating func add(_ x: Double, _ y: Double, category: String = "waste.container_site", day d: Double,
                      status: IncidentStatus = .new, resolvedDay: Double? = nil, agency: String = "Региональный оператор",
                      district: String? = "Руднянский район", settlement: String? = "Сосновка") {
        points.append(HotspotPoint(id: nextID, x: x, y: y, location: GeoPoint(lon: 31.0 + x * 1e-5, lat: 54.9 + y * 1e-5),
                                   category: category, reportedAt: Self.day(d), status: status,
                                   resolvedAt: resolvedDay.map(Self.day), agency: agency, district: district,
                                   settlement: settlement))
        nextID += 1
    }
}

struct HotspotAnalysisTests {
    /// A container site in Сосновка: complaints in January, fixed on day 20, back on days 40-45; plus a quiet
    /// pothole cluster elsewhere and scattered noise.
    static func sosnovka() -> Scenario {
        var s = Scenario()
        for (k, d) in [0.0, 2, 5, 9].enumerated() {
            s.add(Double(k) * 5, 0, day: d, status: .resolved, resolvedDay: 20, agency: "Региональный оператор")
        }
        for (k, d) in [40.0, 42, 45].enumerated() { s.add(Double(k) * 5, 8, day: d) }
        for k in 0..<3 {
            s.add(5000 + Double(k) * 10, 5000, category: "road.pothole", day: 1 + Double(k), status: .resolved,
                  resolvedDay: 200, agency: "Дорожное управление", district: "Смоленский район", settlement: "Катынь")
        }
        s.add(90_000, 90_000, day: 3)
        s.add(-90_000, 10_000, category: "road.pothole", day: 4)
        return s
    }

    @Test func findsRecurringContainerSiteInSosnovka() throws {
        let s = Self.sosnovka()
        let report = try HotspotAnalysis.run(points: s.points, taxonomy: Scenario.taxonomy, now: Scenario.day(50))
        #expect(report.hotspots.count == 2)
        let h = report.hotspots[0]
        #expect(h.id == "waste.container_site:1")
        #expect(h.memberIDs == [1, 2, 3, 4, 5, 6, 7])
        #expect(h.settlement == "Сосновка" && h.district == "Руднянский район")
        #expect(h.episodes.map(\.count) == [4, 3])
        #expect(h.episodes[0].start == Scenario.day(0) && h.episodes[1].end == Scenario.day(45))
        // The four complaints resolved together on day 20 are four fixes; each is within 40 m of the complaint of
        // day 40, so each failed once, whatever came after.
        #expect(h.failedFixes.map(\.fixedID) == [1, 2, 3, 4])
        #expect(h.failedFixes.allSatisfy { $0.agency == "Региональный оператор" && $0.complaintID == 5 })
        #expect(h.failedFixes.map(\.daysAfterFix) == [20, 20, 20, 20])
        #expect(h.recurring)
        #expect(h.featureID == 1)
        // Seven complaints where the empty region predicts almost none; three potholes are no more than any
        // DBSCAN cluster holds (minPts), so they prove nothing beyond being a cluster.
        #expect(h.significant && !report.hotspots[1].significant)
        // Three open complaints, all past the 3-day deadline on day 50.
        #expect(h.openCount == 3 && h.overdueCount == 3 && h.resolvedCount == 4)
        let pothole = report.hotspots[1]
        #expect(pothole.id == "road.pothole:8" && !pothole.recurring && pothole.settlement == "Катынь")
        #expect(report.agencyRates.map(\.agency) == ["Дорожное управление", "Региональный оператор"])
        let operatorRate = report.agencyRates[1]
        #expect(operatorRate.fixes == 4 && operatorRate.failedFixes == 4 && operatorRate.repeatComplaints == 1)
        #expect(operatorRate.rate == 1)
        #expect(report.agencyRates[0].rate == 0)
        let waste = try #require(report.categories.first { $0.category == "waste.container_site" })
        #expect(waste.incidents == 8 && waste.clustered == 7 && waste.noise == 1 && waste.recurringHotspots == 1)
        #expect(waste.significantHotspots == 1)
        #expect(waste.eps == 40)
    }

    @Test func scoreIsTheDocumentedSumOfComponents() throws {
        let s = Self.sosnovka()
        let report = try HotspotAnalysis.run(points: s.points, taxonomy: Scenario.taxonomy, now: Scenario.day(50))
        let h = report.hotspots[0]
        let c = h.components
        #expect(c.strength == 1.5 * log2(1 + h.significance.logLikelihoodRatio) && c.strength > 0)
        #expect(c.size == 0.5 * log2(8.0))
        #expect(c.open == log2(4.0) && c.overdue == 1.5 * log2(4.0))
        #expect(abs(c.recency - 2 * pow(2, -5.0 / 30)) < 1e-15)
        // Two episodes; four failed fixes.
        #expect(c.recurrence == 1.5 * log2(2.0) && c.repeatAfterFix == 2 * log2(5.0))
        #expect(c.severityFactor == 4.0 / 3)
        #expect(h.score == c.severityFactor
            * (c.strength + c.size + c.open + c.overdue + c.recency + c.recurrence + c.repeatAfterFix))
        #expect(report.hotspots[0].score >= report.hotspots[1].score)
    }

    @Test func resultDoesNotDependOnInputOrder() throws {
        let s = Self.sosnovka()
        let a = try HotspotAnalysis.run(points: s.points, taxonomy: Scenario.taxonomy, now: Scenario.day(50))
        let b = try HotspotAnalysis.run(points: s.points.reversed(), taxonomy: Scenario.taxonomy, now: Scenario.day(50))
        #expect(a == b)
    }

    @Test func tiesAreBrokenById() throws {
        var s = Scenario()
        for base in [0.0, 10_000] { for k in 0..<3 { s.add(base + Double(k), 0, day: 1) } }
        let r = try HotspotAnalysis.run(points: s.points.reversed(), taxonomy: Scenario.taxonomy, now: Scenario.day(2))
        #expect(r.hotspots.map(\.id) == ["waste.container_site:1", "waste.container_site:4"])
        #expect(r.hotspots[0].score == r.hotspots[1].score)
    }

    @Test func noPointsGiveAnEmptyReportWithEveryCategory() throws {
        let r = try HotspotAnalysis.run(points: [], taxonomy: Scenario.taxonomy, now: Scenario.t0)
        #expect(r.hotspots.isEmpty && r.agencyRates.isEmpty)
        #expect(r.categories.map(\.category) == Scenario.taxonomy.codes)
        #expect(r.categories.allSatisfy { $0.incidents == 0 && $0.hotspots == 0 })
    }

    @Test func onePointIsNoise() throws {
        var s = Scenario()
        s.add(0, 0, day: 0)
        let r = try HotspotAnalysis.run(points: s.points, taxonomy: Scenario.taxonomy, now: Scenario.t0)
        #expect(r.hotspots.isEmpty)
        #expect(r.categories.first { $0.category == "waste.container_site" }?.noise == 1)
    }

    @Test func identicalPointsGiveOneHotspotWithAPointShape() throws {
        var s = Scenario()
        for d in 0..<5 { s.add(7, 7, day: Double(d)) }
        let r = try HotspotAnalysis.run(points: s.points, taxonomy: Scenario.taxonomy, now: Scenario.day(5))
        #expect(r.hotspots.count == 1)
        let c = r.hotspots[0].centroid
        #expect(r.hotspots[0].shape == .point(c))
        #expect(abs(c.lon - (31.0 + 7.0 * 1e-5)) < 1e-12 && abs(c.lat - (54.9 + 7.0 * 1e-5)) < 1e-12)
        #expect(r.hotspots[0].episodes.count == 1 && r.hotspots[0].count == 5)
    }

    @Test func collinearMembersGiveAPointAndSpreadOnesAClosedHull() throws {
        var s = Scenario()
        for k in 0..<4 { s.add(Double(k) * 5, 0, day: 0) }
        for (x, y) in [(1000.0, 0.0), (1010.0, 0.0), (1010.0, 10.0), (1000.0, 10.0), (1005.0, 5.0)] { s.add(x, y, day: 0) }
        let r = try HotspotAnalysis.run(points: s.points, taxonomy: Scenario.taxonomy, now: Scenario.day(1))
        let line = try #require(r.hotspots.first { $0.id == "waste.container_site:1" })
        guard case .point = line.shape else { Issue.record("collinear members should give a point"); return }
        let square = try #require(r.hotspots.first { $0.id == "waste.container_site:5" })
        guard case .polygon(let ring) = square.shape else { Issue.record("expected a polygon"); return }
        #expect(ring.count == 5 && ring.first == ring.last)
        #expect(!ring.contains(GeoPoint(lon: 31.0 + 1005.0 * 1e-5, lat: 54.9 + 5.0 * 1e-5)), "interior point is not a vertex")
    }

    @Test func unknownCategoryIsRefused() {
        var s = Scenario()
        s.add(0, 0, category: "no.such", day: 0)
        #expect(throws: HotspotsError.unknownCategory(code: "no.such", pointID: 1)) {
            try HotspotAnalysis.run(points: s.points, taxonomy: Scenario.taxonomy, now: Scenario.t0)
        }
    }

    @Test func timeWindowSeparatesSeasons() throws {
        var s = Scenario()
        for d in [0.0, 1, 2, 200, 201, 202] { s.add(0, 0, day: d) }
        let flat = try HotspotAnalysis.run(points: s.points, taxonomy: Scenario.taxonomy, now: Scenario.day(300))
        #expect(flat.hotspots.count == 1 && flat.hotspots[0].episodes.count == 2)
        let st = try HotspotAnalysis.run(points: s.points, taxonomy: Scenario.taxonomy,
                                         config: HotspotConfig(timeWindowDays: 30), now: Scenario.day(300))
        #expect(st.hotspots.count == 2 && st.hotspots.allSatisfy { !$0.recurring })
    }

    @Test func repeatWindowAndQuietGapAreHonoured() throws {
        var s = Scenario()
        s.add(0, 0, day: 0, status: .resolved, resolvedDay: 1)
        s.add(1, 0, day: 5)
        s.add(2, 0, day: 200)
        let r = try HotspotAnalysis.run(points: s.points, taxonomy: Scenario.taxonomy,
                                        config: HotspotConfig(minPoints: 2, quietGapDays: 300, repeatWindowDays: 3),
                                        now: Scenario.day(201))
        #expect(r.hotspots[0].episodes.count == 1)
        #expect(r.hotspots[0].repeatAfterFix.isEmpty, "day 5 is 4 days after the fix, outside a 3-day window")
        #expect(!r.hotspots[0].recurring)
    }
}
