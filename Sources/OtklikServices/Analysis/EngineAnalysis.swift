import Foundation
public import OtklikCore
import OtklikHotspots

/// The hotspot engine behind the HTTP seam: hotspots and Gi* bins as OGC features, the governor's ranked list,
/// recurring hotspots per district and repeat-after-fix rates per agency.
public struct EngineAnalysis: AnalysisProvider {
    public let service: HotspotService

    public init(service: HotspotService) {
        self.service = service
    }

    public func hotspots(_ f: IncidentFilter) async throws -> [AnalysisFeature] {
        let a = try await service.analyse(f)
        return a.report.hotspots.enumerated().map { rank, h in
            let geometry: Geometry
            switch h.shape {
            case .point(let p): geometry = .point(p)
            case .polygon(let ring): geometry = .polygon([ring])
            }
            let c = h.components
            let props: [(String, JSONValue)] = [
                ("rank", .number(Double(rank + 1))),
                ("category", .string(h.category)),
                ("category_name", .string(service.taxonomy[h.category]?.nameRu ?? h.category)),
                ("district", h.district.map(JSONValue.string) ?? .null),
                ("settlement", h.settlement.map(JSONValue.string) ?? .null),
                ("score", .number(Self.round(h.score))),
                ("complaints", .number(Double(h.count))),
                ("open", .number(Double(h.openCount))),
                ("overdue", .number(Double(h.overdueCount))),
                ("episodes", .number(Double(h.episodes.count))),
                ("repeat_after_fix", .number(Double(h.repeatAfterFix.count))),
                ("recurring", .bool(h.recurring)),
                ("first_report", .string(Timestamp.format(h.firstReport))),
                ("last_report", .string(Timestamp.format(h.lastReport))),
                ("centroid", .array([.number(h.centroid.lon), .number(h.centroid.lat)])),
                ("score_size", .number(Self.round(c.size))),
                ("score_open", .number(Self.round(c.open))),
                ("score_overdue", .number(Self.round(c.overdue))),
                ("score_recency", .number(Self.round(c.recency))),
                ("score_recurrence", .number(Self.round(c.recurrence))),
                ("score_repeat_after_fix", .number(Self.round(c.repeatAfterFix))),
                ("severity_factor", .number(Self.round(c.severityFactor))),
                ("members", .array(h.memberIDs.map { .number(Double($0)) })),
            ]
            return AnalysisFeature(id: h.id, geometry: geometry, properties: props, first: h.firstReport, last: h.lastReport)
        }
    }

    public func hotspotGrid(_ f: IncidentFilter) async throws -> [AnalysisFeature] {
        let (grid, toLonLat) = try await service.grid(f)
        return grid.bins.map { b in
            var ring = grid.grid.corners(b.cell).map { toLonLat($0.x, $0.y) }
            ring.append(ring[0])
            var props: [(String, JSONValue)] = [
                ("count", .number(Double(b.count))),
                ("z", b.gi.z.map { .number(Self.round($0, 6)) } ?? .null),
                ("p", b.gi.p.map { .number($0) } ?? .null),
                ("gi_class", .number(Double(b.gi.bin))),
                ("neighbours", .number(Double(b.gi.neighbours))),
            ]
            if let e = b.emerging { props.append(("emerging", .string(e.pattern.rawValue))) }
            return AnalysisFeature(id: "\(b.cell.q),\(b.cell.r)", geometry: .polygon([ring]), properties: props)
        }
    }

    public func hotspotReport(_ f: IncidentFilter, limit: Int) async throws -> [HotspotReportRow] {
        let a = try await service.analyse(f)
        let dates = Dictionary(a.points.map { ($0.id, $0.reportedAt) }, uniquingKeysWith: { x, _ in x })
        let first = a.points.map(\.reportedAt).min()
        let seriesStart = first.map(MonthBucket.start(of:))
        let months = seriesStart.map { MonthBucket.index(of: a.now, from: $0) + 1 } ?? 0
        return a.report.hotspots.prefix(max(0, limit)).enumerated().map { rank, h in
            var monthly = [Int](repeating: 0, count: max(0, months))
            if let s = seriesStart {
                for id in h.memberIDs {
                    if let d = dates[id] {
                        let k = MonthBucket.index(of: d, from: s)
                        if k >= 0 && k < monthly.count { monthly[k] += 1 }
                    }
                }
            }
            let c = h.components
            return HotspotReportRow(
                rank: rank + 1, id: h.id, category: h.category, district: h.district, settlement: h.settlement,
                location: h.centroid, score: h.score,
                components: [("size", c.size), ("open", c.open), ("overdue", c.overdue), ("recency", c.recency),
                             ("recurrence", c.recurrence), ("repeat_after_fix", c.repeatAfterFix), ("severity", c.severityFactor)],
                complaints: h.count, open: h.openCount, episodes: h.episodes.count, repeatAfterFix: h.repeatAfterFix.count,
                overdue: h.overdueCount, firstReported: h.firstReport, lastReported: h.lastReport, monthly: monthly,
                seriesStart: seriesStart)
        }
    }

    public func recurringHotspotsByDistrict(_ f: IncidentFilter) async throws -> [String: Int] {
        let a = try await service.analyse(f)
        var out: [String: Int] = [:]
        for h in a.report.hotspots where h.recurring { out[h.district ?? "", default: 0] += 1 }
        return out
    }

    public func agencyRepeatRates(_ f: IncidentFilter) async throws -> [AgencyRepeatRate] {
        let a = try await service.analyse(f)
        return a.report.agencyRates.map { AgencyRepeatRate(agency: $0.agency, resolved: $0.fixes, repeatAfterFix: $0.failedFixes) }
    }

    static func round(_ v: Double, _ digits: Int = 4) -> Double {
        let m = pow(10, Double(digits))
        return (v * m).rounded() / m
    }
}
