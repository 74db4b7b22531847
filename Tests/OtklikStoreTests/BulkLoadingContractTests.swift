import Foundation
import Testing
import OtklikCore
import OtklikStore
import OtklikTestSupport

/// What any backend's bulk load must do, driven through Core's protocols only: `BulkLoadingContract` names no
/// backend, so a second one runs the same checks by handing in its own store. Both backends run them here.
enum BulkLoadingContract {
    typealias Store = BulkIncidentLoading & IncidentRepository & AreaRepository

    /// A 1° square district around (31.5, 54.5): incidents inside it must come back placed in it.
    static let district = Area(level: .district, name: "Тестовый район", geometry: .polygon([[
        GeoPoint(lon: 31, lat: 54), GeoPoint(lon: 32, lat: 54), GeoPoint(lon: 32, lat: 55), GeoPoint(lon: 31, lat: 55),
        GeoPoint(lon: 31, lat: 54),
    ]]))

    static func incident(_ ext: String, lon: Double = 31.5, lat: Double = 54.5) -> Incident {
        Incident(source: .portal, externalID: ext, category: "road.pothole", description: "Яма у дома",
                 location: GeoPoint(lon: lon, lat: lat), reportedAt: Date(timeIntervalSince1970: 1_735_689_600))
    }

    /// A CSV file through the importer: rows placed in their district, a repeated key counted as a duplicate
    /// (not written), a refused row reported, and the store serving the rows once the load has ended.
    static func importThrough(_ store: some Store, file: String) async throws {
        _ = try await store.replaceAreas([district], level: .district)
        let rejects = RejectBox()
        let report = try await IncidentImporter(store: store, options: ImportOptions(format: .csv))
            .run(path: file, onReject: { rejects.add($0) }, onProgress: { _ in })
        #expect(report.rowsRead == 4)
        #expect(report.inserted == 2)
        #expect(report.duplicates == 1)
        #expect(report.rejected == 1)
        #expect(rejects.items.map(\.field) == ["lat"])
        let stored = try await store.incidents(IncidentQuery())
        #expect(stored.map(\.externalID) == ["c1", "c2"])
        #expect(stored.map(\.district) == ["Тестовый район", nil])
        #expect(stored.first?.description == "Яма у дома")
        #expect(try await store.count(IncidentQuery(bbox: BBox(minLon: 31, minLat: 54, maxLon: 32, maxLat: 55))) == 1)
        // The load has ended: the one-by-one path writes again, and the key refuses a known row.
        let again = try await store.insert([incident("c1"), incident("c3")], actor: "portal")
        #expect(again.map(\.created) == [false, true])
    }

    struct Stop: Error, Equatable {}

    /// A body that throws gets its own error back; what it handed over before stays, and the load has ended.
    static func aStoppedLoadKeepsWhatItHandedOver(_ store: some Store) async throws {
        await #expect(throws: Stop.self) {
            _ = try await store.withBulkLoad(BulkLoadOptions(actor: "t")) { loader in
                try await loader.load([incident("s1"), incident("s2", lon: 31.6)])
                throw Stop()
            }
        }
        #expect(try await store.count(IncidentQuery()) == 2)
        let next = try await store.withBulkLoad(BulkLoadOptions(actor: "t")) { loader in
            try await loader.load([incident("s2", lon: 31.6), incident("s3", lon: 31.7)])
            return "done"
        }
        #expect(next.value == "done")
        #expect(next.written == BulkLoadCounts(inserted: 1, duplicates: 1))
        #expect(try await store.count(IncidentQuery()) == 3)
    }

    /// Counts are final when the load returns: a key repeated inside a load into an empty store is a
    /// duplicate, whether the backend checks the key per row or builds it at the end. Loading after
    /// `finishWriting` is refused rather than lost.
    static func repeatsInsideOneLoadAreDuplicates(_ store: some Store) async throws {
        let load = try await store.withBulkLoad(BulkLoadOptions(actor: "t", transactionRows: 2)) { loader in
            try await loader.load(all: [incident("r1"), incident("r2"), incident("r1", lon: 31.9)], batchRows: 2)
            let written = try await loader.finishWriting()
            await #expect(throws: (any Error).self) { try await loader.load([incident("late")]) }
            return written.inserted + written.duplicates
        }
        #expect(load.value == 3)
        #expect(load.written == BulkLoadCounts(inserted: 2, duplicates: 1))
        let stored = try await store.incidents(IncidentQuery())
        #expect(stored.map(\.externalID) == ["r1", "r2"])
        #expect(stored.first?.location == GeoPoint(lon: 31.5, lat: 54.5), "the first row of a key stays")
    }
}

@Suite struct BulkLoadingContractTests {
    func csv() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("contract-\(UUID().uuidString).csv").path
        try """
            external_id,source,category,lon,lat,reported_at,status,description
            c1,portal,road.pothole,31.5,54.5,2025-01-01T00:00:00Z,new,Яма у дома
            c2,portal,road.pothole,33.5,54.5,2025-01-02T00:00:00Z,new,Яма
            c1,portal,road.pothole,31.6,54.6,2025-01-03T00:00:00Z,new,Повтор
            c4,portal,road.pothole,31.5,95,2025-01-04T00:00:00Z,new,Широта вне диапазона

            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func spatiaLiteImportsAFileThroughThePort() async throws {
        let t = try TempStore()
        let file = try csv()
        defer { try? FileManager.default.removeItem(atPath: file) }
        try await BulkLoadingContract.importThrough(t.store, file: file)
    }

    @Test func spatiaLiteKeepsWhatAStoppedLoadHandedOver() async throws {
        let t = try TempStore()
        try await BulkLoadingContract.aStoppedLoadKeepsWhatItHandedOver(t.store)
    }

    @Test func spatiaLiteCountsRepeatsInsideOneLoadAsDuplicates() async throws {
        let t = try TempStore()
        try await BulkLoadingContract.repeatsInsideOneLoadAreDuplicates(t.store)
    }

    @Test(.postgis) func postGISImportsAFileThroughThePort() async throws {
        let file = try csv()
        defer { try? FileManager.default.removeItem(atPath: file) }
        try await withPostGISStore { try await BulkLoadingContract.importThrough($0, file: file) }
    }

    @Test(.postgis) func postGISKeepsWhatAStoppedLoadHandedOver() async throws {
        try await withPostGISStore { try await BulkLoadingContract.aStoppedLoadKeepsWhatItHandedOver($0) }
    }

    @Test(.postgis) func postGISCountsRepeatsInsideOneLoadAsDuplicates() async throws {
        try await withPostGISStore { try await BulkLoadingContract.repeatsInsideOneLoadAreDuplicates($0) }
    }
}
