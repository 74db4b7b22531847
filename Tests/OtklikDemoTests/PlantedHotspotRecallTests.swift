import Foundation
import Logging
import Testing
import OtklikCore
import OtklikDemo
import OtklikGeo
import OtklikServices
import OtklikHotspots
import OtklikStore

/// The demo's ground truth against the hotspot engine, end to end: demo history → SpatiaLite → engine.
@Suite struct PlantedHotspotRecallTests {
    @Test func findsEveryPlantedHotspotWithItsPlaceAndRecurrence() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("otklik-recall-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let taxonomy = try DemoData.taxonomy()
        let store = try SpatiaLiteStore(path: dir.appendingPathComponent("demo.sqlite").path, taxonomy: taxonomy,
                                        logger: Logger(label: "test"), metric: Geodesic.wgs84Metric)
        let districts = try DemoData.areas("districts.geojson", .district)
        let settlements = try DemoData.areas("settlements.geojson", .settlement)
        _ = try await store.replaceAreas(districts, level: .district)
        _ = try await store.replaceAreas(settlements, level: .settlement)
        let out = try DemoData.generator(seed: 42, count: 60_000).generate()
        _ = try await store.withBulkLoad(BulkLoadOptions(actor: "demo")) { try await $0.load(all: out.incidents) }

        let end = Date(timeIntervalSince1970: 1_793_491_200)
        let analysis = try await HotspotService(store: store, taxonomy: taxonomy).analyse(.init(), now: end)
        // The governor's list: the significant hotspots only.
        let hotspots = Array(analysis.report.listed())
        var found = 0
        var ranks: [Int] = []
        for planted in out.truth.hotspots {
            let p = GeoPoint(lon: planted.lon, lat: planted.lat)
            let radius = taxonomy[planted.category]!.radiusMeters
            let match = hotspots.enumerated().first { _, h in
                h.category == planted.category && Geodesic.distance(h.centroid, p) < 3 * radius + 100
            }
            guard let (rank, h) = match else {
                Issue.record("planted \(planted.key) not found")
                continue
            }
            found += 1
            ranks.append(rank + 1)
            #expect(h.settlement == planted.settlement, "\(planted.key): settlement \(h.settlement ?? "nil")")
            #expect(h.district == planted.district, "\(planted.key): district \(h.district ?? "nil")")
            #expect(h.recurring == planted.recurring, "\(planted.key): recurring \(h.recurring), planted \(planted.recurring)")
            #expect(h.count >= planted.complaints, "\(planted.key): \(h.count) of \(planted.complaints) complaints")
        }
        let recall = Double(found) / Double(out.truth.hotspots.count)
        // Precision at the top: of the best-ranked hotspots, as many as were planted, how many are planted ones.
        let k = out.truth.hotspots.count
        let plantedIDs = Set(out.incidents.filter { $0.externalID.hasPrefix("demo-") && $0.externalID.contains("-") && !$0.externalID.dropFirst(5).allSatisfy(\.isNumber) }.map(\.externalID))
        let idToExt = try await Dictionary(uniqueKeysWithValues: store.incidents(IncidentQuery()).map { ($0.id!, $0.externalID) })
        let top = hotspots.prefix(k)
        let truePositives = top.filter { h in h.memberIDs.contains { plantedIDs.contains(idToExt[$0] ?? "") } }.count
        let precision = Double(truePositives) / Double(k)
        print("planted hotspots: recall \(recall) (\(found)/\(k)), precision in the top \(k): \(precision), ranks \(ranks.sorted())")
        #expect(recall == 1.0)
        #expect(ranks.allSatisfy { $0 <= 15 }, "every planted hotspot in the top 15: \(ranks.sorted())")
        #expect(precision >= 0.9, "background noise ranks too high: precision \(precision)")
    }
}
