import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import OtklikCore
import OtklikStore
@testable import OtklikHTTP
import OtklikServices
import Testing

/// The map page in headless Chromium against the real server on a socket, with a small demo database built
/// by `otklik demo` (Smolensk Oblast districts and settlements, planted hotspots) and the hotspot engine.
/// scripts/browser-check.sh does the checking and leaves map.png, map-city.png and the DOM dumps in
/// .build/browser-check-test for a person to look at.
@Suite struct MapPageBrowserTests {
    static let otklik = Harness.packageRoot.appendingPathComponent(".build/debug/otklik").path
    static let chromium = TileTestSupport.which("chromium") ?? TileTestSupport.which("chromium-browser")
    static let ready = chromium != nil && FileManager.default.isExecutableFile(atPath: otklik)

    /// Runs a program without blocking a thread of the concurrency pool (the server under test needs them).
    static func run(_ executable: String, _ args: [String], log: URL) async throws -> (status: Int32, output: String) {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        p.currentDirectoryURL = Harness.packageRoot
        p.standardOutput = handle
        p.standardError = handle
        let status: Int32 = try await withCheckedThrowingContinuation { c in
            p.terminationHandler = { c.resume(returning: $0.terminationStatus) }
            do { try p.run() } catch { c.resume(throwing: error) }
        }
        try handle.close()
        return (status, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    @Test(.enabled(if: MapPageBrowserTests.ready,
                   "chromium is not installed (apt-get install chromium), or .build/debug/otklik is not built"))
    func mapPageLoadsEveryLayerInHeadlessChromium() async throws {
        let out = Harness.packageRoot.appendingPathComponent(".build/browser-check-test")
        try? FileManager.default.removeItem(at: out)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("otklik-map-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("demo.sqlite").path

        let demo = try await Self.run(Self.otklik, ["demo", "--db", db, "--data-dir", Harness.packageRoot.appendingPathComponent("data").path,
                                                    "--count", "4000", "--seed", "42"],
                                      log: out.appendingPathComponent("demo.log"))
        try #require(demo.status == 0, "otklik demo failed: \(demo.output.suffix(600))")

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
            #expect(check.status == 0, "browser-check.sh failed:\n\(check.output)")
            #expect(summary.hasSuffix(" passed, 0 failed"), "\(check.output)")
            #expect(!summary.hasPrefix("browser-check: 0 passed"), "\(check.output)")
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("map.png").path))
        }
    }
}
