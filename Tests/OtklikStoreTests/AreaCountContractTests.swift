import Foundation
import Testing
import OtklikCore
import OtklikTestSupport

/// The grouped counts behind the choropleths and area reports, counted by the database: they must equal what
/// the domain's own rule (`Incident.isOverdue`) says of the same rows, on both backends, to the second.
enum AreaCountContract {
    typealias Store = IncidentRepository & AreaRepository

    static let settlement = Area(level: .settlement, name: "Сосновка", parent: BulkLoadingContract.district.name,
                                 population: 120, geometry: .point(GeoPoint(lon: 31.5, lat: 54.5)))

    /// Half a second past a whole second: the cutoffs fall between stored (whole-second) times.
    static let now = Date(timeIntervalSince1970: 1_740_787_200.5)  // 2025-03-01T00:00:00.5Z
    static let day = 86_400.0

    static func incident(_ ext: String, _ category: String, _ status: IncidentStatus, reported: Date,
                         lon: Double = 31.5) -> Incident {
        Incident(source: .portal, externalID: ext, category: category, location: GeoPoint(lon: lon, lat: 54.5),
                 reportedAt: reported, status: status)
    }

    static func check(_ store: some Store) async throws {
        let taxonomy = try TestPaths.taxonomy()
        #expect(taxonomy["road.pothole"]?.deadlineDays == 30)
        #expect(taxonomy["waste.container_site"]?.deadlineDays == 3)
        _ = try await store.replaceAreas([BulkLoadingContract.district], level: .district)
        _ = try await store.replaceAreas([settlement], level: .settlement)
        let potholeCutoff = now.addingTimeInterval(-30 * day)
        _ = try await store.insert([
            incident("a", "road.pothole", .new, reported: now.addingTimeInterval(-31 * day)),
            // Half a second before the cutoff: overdue. Half a second after it: not yet.
            incident("b", "road.pothole", .new, reported: potholeCutoff.addingTimeInterval(-0.5)),
            incident("c", "road.pothole", .new, reported: potholeCutoff.addingTimeInterval(0.5)),
            incident("d", "waste.container_site", .inProgress, reported: now.addingTimeInterval(-4 * day)),
            incident("e", "waste.container_site", .resolved, reported: now.addingTimeInterval(-10 * day)),
            incident("f", "waste.container_site", .new, reported: now.addingTimeInterval(-1 * day)),
            incident("g", "road.pothole", .new, reported: now.addingTimeInterval(-40 * day), lon: 33.5),
            incident("h", "road.pothole", .rejected, reported: now.addingTimeInterval(-40 * day), lon: 31.9),
        ], actor: "portal")
        let cutoffs = AreaCountRow.overdueCutoffs(taxonomy, now: now)

        for query in [IncidentQuery(), IncidentQuery(categories: ["waste.container_site"]),
                      IncidentQuery(window: TimeWindow(start: now.addingTimeInterval(-35 * day)))] {
            let counted = Set(try await store.areaCounts(query, overdueBefore: cutoffs))
            #expect(counted == (try await reference(store, query, taxonomy: taxonomy)), "\(query)")
        }

        let all = Dictionary(uniqueKeysWithValues: try await store.areaCounts(IncidentQuery(), overdueBefore: cutoffs)
            .map { ("\($0.district ?? "-")/\($0.settlement ?? "-")", [$0.complaints, $0.open, $0.overdue]) })
        // a, b, c, d, e, f near Сосновка; h in the district beyond the settlement's reach; g outside every district.
        #expect(all["Тестовый район/Сосновка"] == [6, 5, 3])
        #expect(all["Тестовый район/-"] == [1, 0, 0])
        #expect(all["-/-"] == [1, 1, 1])
        #expect(try await store.areaCounts(IncidentQuery(), overdueBefore: [:]).map(\.overdue).reduce(0, +) == 0)
    }

    /// The same counts made in Swift from the rows, by the rule the rest of the service applies.
    static func reference(_ store: some Store, _ query: IncidentQuery, taxonomy: Taxonomy) async throws -> Set<AreaCountRow> {
        var rows: [String: AreaCountRow] = [:]
        for inc in try await store.incidents(query) {
            let key = "\(inc.district ?? "-")/\(inc.settlement ?? "-")"
            var r = rows[key] ?? AreaCountRow(district: inc.district, settlement: inc.settlement, complaints: 0, open: 0, overdue: 0)
            r.complaints += 1
            if inc.status.isOpen { r.open += 1 }
            if inc.isOverdue(at: now, taxonomy: taxonomy) { r.overdue += 1 }
            rows[key] = r
        }
        return Set(rows.values)
    }
}

@Suite struct AreaCountContractTests {
    @Test func spatiaLiteCountsAreasAsTheDomainRuleDoes() async throws {
        let t = try TempStore()
        try await AreaCountContract.check(t.store)
    }

    @Test(.postgis) func postGISCountsAreasAsTheDomainRuleDoes() async throws {
        try await withPostGISStore { try await AreaCountContract.check($0) }
    }
}
