import Foundation
import Hummingbird
import HummingbirdTesting
import OtklikCore
@testable import OtklikHTTP
import OtklikServices
import Testing

/// GDAL's OAPIF driver as a real client, against a live socket. Skipped without gdal-bin.
@Suite struct GDALClientTests {
    static let gdalAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/ogrinfo")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/ogr2ogr")

    /// Runs a tool without blocking the cooperative pool the server shares.
    static func run(_ args: [String]) async throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("otklik-tool-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        let handle = try FileHandle(forWritingTo: out)
        p.standardOutput = handle
        p.standardError = handle
        let status: Int32 = try await withCheckedThrowingContinuation { c in
            p.terminationHandler = { c.resume(returning: $0.terminationStatus) }
            do { try p.run() } catch { c.resume(throwing: error) }
        }
        try handle.close()
        defer { try? FileManager.default.removeItem(at: out) }
        return (status, (try? String(contentsOf: out, encoding: .utf8)) ?? "")
    }

    static func liveApp(store: Store, count: Int) async throws -> some ApplicationProtocol {
        try await Harness.seed(store, count: count)
        var config = Harness.config()
        config.baseURL = nil  // links must follow the live port
        return try buildApplication(configuration: config, core: Harness.core(store: store),
                                    logger: .init(label: "gdal-test"))
    }

    @Test(.enabled(if: GDALClientTests.gdalAvailable, "ogrinfo/ogr2ogr not installed"))
    func ogrinfoListsEveryCollectionWithItsCount() async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        let app = try await Self.liveApp(store: store, count: 130)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let (status, text) = try await Self.run(["ogrinfo", "-ro", "-al", "-so", "OAPIF:http://127.0.0.1:\(port)/ogc"])
            #expect(status == 0, "\(text)")
            for (layer, count) in [("incidents", 130), ("districts", 2), ("settlements", 2), ("hotspots", 0)] {
                let pattern = "Layer name: \(layer)\n"
                let section = text.components(separatedBy: pattern).dropFirst().first ?? ""
                #expect(section.contains("Feature Count: \(count)\n"), "\(layer): \(section.prefix(400))")
            }
        }
    }

    @Test(.enabled(if: GDALClientTests.gdalAvailable, "ogrinfo/ogr2ogr not installed"))
    func ogr2ogrCopiesEveryIncidentFollowingNextLinks() async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        let app = try await Self.liveApp(store: store, count: 250)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("otklik-copy-\(UUID().uuidString).gpkg")
            defer { try? FileManager.default.removeItem(at: out) }
            let (status, text) = try await Self.run(["ogr2ogr", "-f", "GPKG", out.path, "OAPIF:http://127.0.0.1:\(port)/ogc",
                                                     "incidents", "-oo", "PAGE_SIZE=100"])
            #expect(status == 0, "\(text)")
            let (_, info) = try await Self.run(["ogrinfo", "-ro", "-so", out.path, "incidents"])
            #expect(info.contains("Feature Count: 250"), "\(info)")
            let (_, sql) = try await Self.run(["ogrinfo", "-ro", "-q", out.path, "-sql", "SELECT count(DISTINCT id) AS n, min(description) AS d FROM incidents"])
            #expect(sql.contains("n (Integer) = 250") || sql.contains("n (Integer64) = 250"), "\(sql)")
            #expect(sql.contains("Жалоба №0: яма у дома, Сосновка"), "\(sql)")
        }
    }
}
