import Foundation
#if canImport(Glibc)
import Glibc
#endif
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
/// scripts/browser-check.sh does the checking and leaves map.png, map-z8.png, map-z15.png, map-district.png
/// and the DOM dumps in .build/browser-check-test for a person to look at. The basemap is served on loopback
/// by scripts/browser-check-mock.py; a second server without a basemap shows the offline map.
@Suite struct MapPageBrowserTests {
    /// Suspends while the program runs (the server under test needs the concurrency pool); the output also stays
    /// in `log` for a person to read.
    static func run(_ executable: String, _ args: [String], environment: [String: String] = [:],
                    log: URL) async throws -> ProcessResult {
        try await ExternalProcess.run(Command(executable, args, environment: environment, directory: Harness.packageRoot, log: log))
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
        let core = ApplicationServices(store: store, taxonomy: Harness.taxonomy)
        func serve(basemap: MapSettings, check environment: [String: String], into folder: URL) async throws {
            var config = Harness.config()
            config.baseURL = nil
            config.host = "127.0.0.1"
            config.map = basemap
            let app = try buildApplication(configuration: config, core: core, logger: logger)
            try await app.test(.live) { client in
                let port = try #require(client.port)
                let check = try await Self.run("/bin/bash", ["scripts/browser-check.sh", "http://127.0.0.1:\(port)", folder.path],
                                               environment: environment, log: folder.appendingPathComponent("browser-check.log"))
                let summary = check.output.split(separator: "\n").last { $0.hasPrefix("browser-check:") }.map(String.init) ?? ""
                #expect(check.succeeded, "browser-check.sh failed:\n\(check)")
                #expect(summary.hasSuffix(" passed, 0 failed"), "\(check.output)")
                #expect(!summary.hasPrefix("browser-check: 0 passed"), "\(check.output)")
            }
        }

        let tilePort = try LoopbackPort.free()
        try await serve(basemap: MapSettings(basemapURL: "http://127.0.0.1:\(tilePort)/basemap/{z}/{x}/{y}.png",
                                             basemapAttribution: "Подложка: тестовые тайлы"),
                        check: ["BROWSER_CHECK_BASEMAP_PORT": String(tilePort)], into: out)
        for shot in ["map.png", "map-z8.png", "map-z15.png", "map-district.png"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(shot).path), "\(shot) not saved")
        }
        let offline = out.appendingPathComponent("no-basemap")
        try FileManager.default.createDirectory(at: offline, withIntermediateDirectories: true)
        try await serve(basemap: MapSettings(), check: ["BROWSER_CHECK_QUICK": "1"], into: offline)
    }
}

/// The page's settings endpoint and the basemap flag behind it.
@Suite struct MapPageConfigTests {
    static func withApp(_ map: MapSettings, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        var config = Harness.config()
        config.map = map
        var logger = Logger(label: "otklik-map-config-test")
        logger.logLevel = .warning
        let app = try buildApplication(configuration: config, core: Harness.core(store: store), logger: logger)
        try await app.test(.router) { client in try await body(client) }
    }

    @Test func configSaysNoBasemapByDefault() async throws {
        try await Self.withApp(MapSettings()) { client in
            try await client.execute(uri: "/web/config.json", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "application/json")
                #expect(String(buffer: r.body) == #"{"basemap":null}"#)
            }
        }
    }

    @Test func configNamesTheBasemapAndItsAttribution() async throws {
        let map = MapSettings(basemapURL: "https://{s}.tiles.example.org/{z}/{x}/{y}.png", basemapAttribution: "© участники OpenStreetMap")
        try await Self.withApp(map) { client in
            try await client.execute(uri: "/web/config.json", method: .get) { r in
                let doc = try Harness.json(r.body)
                #expect(doc["basemap"]?["url"]?.str == "https://{s}.tiles.example.org/{z}/{x}/{y}.png")
                #expect(doc["basemap"]?["attribution"]?.str == "© участники OpenStreetMap")
            }
            try await client.execute(uri: "/web/config.json?x=1", method: .get) { r in #expect(r.status == .badRequest) }
            // The page's static files are still served beside the settings.
            try await client.execute(uri: "/web/format.js", method: .get) { r in #expect(r.status == .ok) }
        }
    }

    @Test func unusableBasemapIsLeftOutOfTheConfig() async throws {
        try await Self.withApp(MapSettings(basemapURL: "javascript:alert(1)//{z}/{x}/{y}")) { client in
            try await client.execute(uri: "/web/config.json", method: .get) { r in
                #expect(String(buffer: r.body) == #"{"basemap":null}"#)
            }
        }
    }

    @Test func basemapSettingComesFromTheEnvironment() {
        let c = AppConfiguration().overridden(by: ["OTKLIK_BASEMAP": "https://t.example.org/{z}/{x}/{y}.png",
                                                   "OTKLIK_BASEMAP_ATTRIBUTION": "© Пример"])
        #expect(c.map == MapSettings(basemapURL: "https://t.example.org/{z}/{x}/{y}.png", basemapAttribution: "© Пример"))
        #expect(AppConfiguration().overridden(by: ["OTKLIK_BASEMAP": ""]).map == MapSettings())
    }

    @Test func basemapOriginIsWhatAContentSecurityPolicyAllows() {
        #expect(MapSettings(basemapURL: "https://Tiles.Example.org:8443/{z}/{x}/{y}.png").basemapOrigin == "https://tiles.example.org:8443")
        #expect(MapSettings(basemapURL: "https://{s}.tile.example.org/{z}/{x}/{y}.png").basemapOrigin == "https://*.tile.example.org")
        #expect(MapSettings(basemapURL: "http://127.0.0.1:9000/basemap/{z}/{x}/{y}.png").basemapOrigin == "http://127.0.0.1:9000")
        #expect(MapSettings(basemapURL: "ftp://x/{z}/{x}/{y}").basemapOrigin == nil)
        #expect(MapSettings(basemapURL: "https://user@x.org/{z}/{x}/{y}").basemapOrigin == nil)
        #expect(MapSettings().basemapOrigin == nil)
    }

    /// The page's format.js and Core's RussianNumber must write every figure alike, or the map and a report
    /// would disagree on the same number.
    @Test(.requires(.node))
    func pageWritesNumbersLikeRussianNumber() throws {
        let cases: [(Double, Int)] = [(1234.5, 2), (0, 0), (-0.04, 1), (2.5, 0), (1.005, 2), (9.995, 2), (-1234.56, 1),
                                      (1e16, 0), (0.0005, 3), (6.6, 1), (329_853, 0), (1.23456e-7, 9), (-0.5, 0), (999_999.5, 0)]
        let json = "[" + cases.map { "[\($0.0),\($0.1)]" }.joined(separator: ",") + "]"
        let script = "const ru = require(process.argv[1]); for (const [v, d] of JSON.parse(process.argv[2])) "
            + "{ console.log(ru.format(v, d)); console.log(ru.percent(v, d)); }"
        let formatJS = Harness.packageRoot.appendingPathComponent("Sources/OtklikHTTP/Resources/web/format.js").path
        let node = try ExternalProcess.run(Command(Peers.require(.node), ["-e", script, formatJS, json], stderr: .separate))
        try #require(node.succeeded, "\(node)")
        let expected = cases.flatMap { [RussianNumber.format($0.0, fractionDigits: $0.1), RussianNumber.percent($0.0, fractionDigits: $0.1)] }
        #expect(node.output.split(separator: "\n").map(String.init) == expected)
    }

    @Test func basemapWithoutTilePlaceholdersIsRejected() {
        #expect(MapSettings(basemapURL: "https://t.example.org/{z}/{x}/{y}.png").problem == nil)
        #expect(MapSettings(basemapURL: "https://t.example.org/tile.png").problem?.contains("{z}") == true)
        #expect(MapSettings(basemapURL: "file:///etc/{z}/{x}/{y}").problem?.contains("http(s)") == true)
        #expect(MapSettings().problem == nil)
    }
}
