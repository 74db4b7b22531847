import Foundation
public import OtklikCore
import OtklikHotspots

/// The hotspot engine behind the HTTP seam: hotspots and Gi* bins as published models, the governor's ranked list,
/// recurring hotspots per district and repeat-after-fix rates per agency.
public struct EngineAnalysis: AnalysisProvider {
    public let service: HotspotService

    public init(service: HotspotService) {
        self.service = service
    }

    public func hotspots(_ f: IncidentFilter) async throws -> [HotspotFeature] {
        HotspotFeature.ranked(try await service.analyse(f).report.hotspots, taxonomy: service.taxonomy)
    }

    public func hotspotGrid(_ f: IncidentFilter) async throws -> [GridCell] {
        let (grid, toLonLat) = try await service.grid(f)
        return GridCell.cells(grid, toLonLat: toLonLat)
    }

    public func hotspotReport(_ f: IncidentFilter, limit: Int, all: Bool) async throws -> HotspotReportList {
        let a = try await service.analyse(f)
        let listed = a.report.listed(all: all)
        let dates = Dictionary(a.points.map { ($0.id, $0.reportedAt) }, uniquingKeysWith: { x, _ in x })
        let first = a.points.map(\.reportedAt).min()
        let seriesStart = first.map(MonthBucket.start(of:))
        let months = seriesStart.map { MonthBucket.index(of: a.now, from: $0) + 1 } ?? 0
        let rows = HotspotFeature.ranked(listed.prefix(max(0, limit)), taxonomy: service.taxonomy).map { feature in
            var monthly = [Int](repeating: 0, count: max(0, months))
            if let s = seriesStart {
                for id in feature.hotspot.memberIDs {
                    if let d = dates[id] {
                        let k = MonthBucket.index(of: d, from: s)
                        if k >= 0 && k < monthly.count { monthly[k] += 1 }
                    }
                }
            }
            return HotspotReportRow(feature: feature, monthly: monthly, seriesStart: seriesStart)
        }
        return HotspotReportList(rows: rows, matched: listed.count)
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
}
