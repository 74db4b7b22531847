import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import OtklikCore
import OtklikStore
import OtklikTestSupport
@testable import OtklikHTTP
import OtklikServices
import Testing

/// The map page in headless Chromium against the real server on a socket, with a small demo database built
/// by `otklik demo` (Smolensk Oblast districts and settlements, planted hotspots) and the hotspot engine.
/// scripts/browser-check.sh does the checking and leaves map.png, map-city.png and the DOM dumps in
/// .build/browser-check-test for a person to look at.
@Suite struct MapPageBrowserTests {
    /// Suspends while the program runs (the server under test needs the concurrency pool); the output also stays
    /// in `log` for a person to read.
    static func run(_ executable: String, _ args: [String], log: URL) async throws -> ProcessResult {
        try await ExternalProcess.run(Command(executable, args, directory: Harness.packageRoot, log: log))
    }

    @Test(.requires(.chromium))
    func mapPageLoadsEveryLayerInHeadlessChromium() async throws {
        let out = Harness.packageRoot.appendingPathComponent(".build/browser-check-test")
        try? FileManager.default.removeItem(at: out)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("otklik-map-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("demo.sqlite").path

        let otklik = try TestPackage.executable("otklik")
        _ = try Peers.require(.chromium)  // browser-check.sh finds it on PATH itself
        let demo = try await Self.run(otklik, ["demo", "--db", db, "--data-dir", Harness.packageRoot.appendingPathComponent("data").path,
                                               "--count", "4000", "--seed", "42"],
                                      log: out.appendingPathComponent("demo.log"))
        try #require(demo.succeeded, "otklik demo failed: \(demo.output.suffix(600))")

        var logger = Logger(label: "otklik-map-test")
        logger.logLevel = .warning
        let store = try SpatiaLiteStore(path: db, taxonomy: Harness.taxonomy, logger: logger)
        var config = Harness.config()
        config.baseURL = nil
        config.host = "127.0.0.1"
        let core = ApplicationServices(store: store, taxonomy: Harness.taxonomy)
        let app = try buildApplication(configuration: config, core: core, logger: logger)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let check = try await Self.run("/bin/bash", ["scripts/browser-check.sh", "http://127.0.0.1:\(port)", out.path],
                                           log: out.appendingPathComponent("browser-check.log"))
            let summary = check.output.split(separator: "\n").last { $0.hasPrefix("browser-check:") }.map(String.init) ?? ""
            #expect(check.succeeded, "browser-check.sh failed:\n\(check)")
            #expect(summary.hasSuffix(" passed, 0 failed"), "\(check.output)")
            #expect(!summary.hasPrefix("browser-check: 0 passed"), "\(check.output)")
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("map.png").path))
        }
    }
}
