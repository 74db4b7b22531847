import Foundation
import Hummingbird
import HummingbirdTesting
import OtklikCore
import OtklikTestSupport
@testable import OtklikHTTP
import OtklikServices
import Testing

/// GDAL's OAPIF driver as a real client, against a live socket.
@Suite struct GDALClientTests {
    /// Suspends while the tool runs: the live server under test needs the concurrency pool.
    static func run(_ peer: Peer, _ args: [String]) async throws -> ProcessResult {
        try await ExternalProcess.run(Command(Peers.require(peer), args))
    }

    static func liveApp(store: Store, count: Int) async throws -> some ApplicationProtocol {
        try await Harness.seed(store, count: count)
        var config = Harness.config()
        config.baseURL = nil  // links must follow the live port
        return try buildApplication(configuration: config, core: Harness.core(store: store),
                                    logger: .init(label: "gdal-test"))
    }

    @Test(.requires(.ogrinfo))
    func ogrinfoListsEveryCollectionWithItsCount() async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        let app = try await Self.liveApp(store: store, count: 130)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let r = try await Self.run(.ogrinfo, ["-ro", "-al", "-so", "OAPIF:http://127.0.0.1:\(port)/ogc"])
            #expect(r.succeeded, "\(r)")
            let text = r.output
            for (layer, count) in [("incidents", 130), ("districts", 2), ("settlements", 2), ("hotspots", 0)] {
                let pattern = "Layer name: \(layer)\n"
                let section = text.components(separatedBy: pattern).dropFirst().first ?? ""
                #expect(section.contains("Feature Count: \(count)\n"), "\(layer): \(section.prefix(400))")
            }
        }
    }

    @Test(.requires(.ogrinfo, .ogr2ogr))
    func ogr2ogrCopiesEveryIncidentFollowingNextLinks() async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        let app = try await Self.liveApp(store: store, count: 250)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("otklik-copy-\(UUID().uuidString).gpkg")
            defer { try? FileManager.default.removeItem(at: out) }
            let copy = try await Self.run(.ogr2ogr, ["-f", "GPKG", out.path, "OAPIF:http://127.0.0.1:\(port)/ogc",
                                                   "incidents", "-oo", "PAGE_SIZE=100"])
            #expect(copy.succeeded, "\(copy)")
            let info = try await Self.run(.ogrinfo, ["-ro", "-so", out.path, "incidents"]).output
            #expect(info.contains("Feature Count: 250"), "\(info)")
            let sql = try await Self.run(.ogrinfo, ["-ro", "-q", out.path, "-sql", "SELECT count(DISTINCT id) AS n, min(description) AS d FROM incidents"]).output
            #expect(sql.contains("n (Integer) = 250") || sql.contains("n (Integer64) = 250"), "\(sql)")
            #expect(sql.contains("Жалоба №0: яма у дома, Сосновка"), "\(sql)")
        }
    }
}
