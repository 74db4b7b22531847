import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import OtklikCore
import OtklikStore
@testable import OtklikHTTP
import OtklikServices

/// Shared set-up: the taxonomy from data/, two districts and two settlements, deterministic incidents.
enum Harness {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let taxonomy: Taxonomy = {
        let data = try! Data(contentsOf: packageRoot.appendingPathComponent("data/categories.json"))
        return try! Taxonomy.decode(data)
    }()

    static let operatorKey = "op-secret-1"
    static let adminKey = "admin-secret-1"
    static let keysSpec = "\(operatorKey):operator:hotline-1,\(adminKey):admin:ops"

    static let rudnya = "Руднянский район"
    static let smolensk = "Смоленск"
    /// Boxes of the two test districts.
    static let rudnyaBox = BBox(minLon: 31.0, minLat: 54.8, maxLon: 31.5, maxLat: 55.1)
    static let smolenskBox = BBox(minLon: 31.9, minLat: 54.7, maxLon: 32.2, maxLat: 54.85)

    static func square(_ b: BBox) -> Geometry {
        .polygon([[GeoPoint(lon: b.minLon, lat: b.minLat), GeoPoint(lon: b.maxLon, lat: b.minLat), GeoPoint(lon: b.maxLon, lat: b.maxLat),
                   GeoPoint(lon: b.minLon, lat: b.maxLat), GeoPoint(lon: b.minLon, lat: b.minLat)]])
    }

    static let start = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01T00:00:00Z
    static let categories = ["road.pothole", "waste.container_site", "yard.playground"]

    /// Incident i: even in the Rudnya district, odd in Smolensk; categories cycle; every 5th resolved;
    /// reported one hour apart from 2025-01-01T00:00Z.
    static func incident(_ i: Int) -> Incident {
        let box = i % 2 == 0 ? rudnyaBox : smolenskBox
        let lon = box.minLon + 0.01 + Double(i % 17) * 0.01
        let lat = box.minLat + 0.01 + Double(i % 7) * 0.01
        let resolved = i % 5 == 4
        let reported = start.addingTimeInterval(Double(i) * 3600)
        return Incident(source: .import, externalID: "seed-\(i)", category: categories[i % 3],
                        description: "Жалоба №\(i): яма у дома, Сосновка", address: "ул. Ленина, \(i)",
                        location: GeoPoint(lon: lon, lat: lat), reportedAt: reported, status: resolved ? .resolved : .new,
                        resolvedAt: resolved ? reported.addingTimeInterval(86_400) : nil, agency: "Дорожное управление",
                        reporter: ReporterContact(name: "Иван Петров", phone: "+7 900 000-00-\(String(format: "%02d", i % 100))", email: nil))
    }

    static func seed(_ store: any IncidentRepository & AreaRepository, count: Int) async throws {
        _ = try await store.replaceAreas([
            Area(level: .district, name: rudnya, kind: "municipal_district", population: 20_000, geometry: square(rudnyaBox)),
            Area(level: .district, name: smolensk, kind: "city_okrug", population: 320_000, geometry: square(smolenskBox)),
        ], level: .district)
        _ = try await store.replaceAreas([
            Area(level: .settlement, name: "Рудня", parent: rudnya, population: 9_000, geometry: .point(GeoPoint(lon: 31.1, lat: 54.95))),
            Area(level: .settlement, name: "Сосновка", parent: rudnya, population: 400, geometry: .point(GeoPoint(lon: 31.3, lat: 54.9))),
        ], level: .settlement)
        if count > 0 { _ = try await store.insert((0..<count).map(incident), actor: "seed") }
    }

    /// A request after a write waits for the new analysis and counts however long the last ones took: a debug
    /// build on a busy machine can pass the default thresholds (5 s, 1 s) even on these small stores, and then
    /// answer from the last result. The tests of that behaviour set their own policy.
    static func config(maxBody: Int = 16 * 1024 * 1024) -> AppConfiguration {
        var c = AppConfiguration(port: 0, maxBodyBytes: maxBody, apiKeysSpec: keysSpec, baseURL: "http://test.local",
                                 rollupCacheSeconds: 0)
        c.staleAfter = .seconds(3_600)
        return c
    }

    /// The application core over `store`, as `otklik serve` wires it; counts and figures are not reused, so
    /// that a test that writes to the store directly reads its write at once.
    static func core(store: any IncidentStore, analysis: (any AnalysisProvider)? = NoAnalysis()) -> ApplicationServices {
        ApplicationServices(store: store, taxonomy: taxonomy, analysis: analysis, rollupTTL: 0, countTTL: 0)
    }

    static func app(store: any IncidentStore, maxBody: Int = 16 * 1024 * 1024,
                    analysis: (any AnalysisProvider)? = NoAnalysis()) throws -> some ApplicationProtocol {
        try app(core: core(store: store, analysis: analysis), maxBody: maxBody)
    }

    static func app(core: ApplicationServices, maxBody: Int = 16 * 1024 * 1024) throws -> some ApplicationProtocol {
        var logger = Logger(label: "otklik-http-test")
        logger.logLevel = .warning
        return try buildApplication(configuration: config(maxBody: maxBody), core: core, logger: logger)
    }

    static func json(_ body: ByteBuffer) throws -> JSONValue {
        try JSONParser.parse(Array(body.readableBytesView))
    }

    static func bearer(_ key: String) -> HTTPFields { [.authorization: "Bearer \(key)"] }
}

extension JSONValue {
    var int: Int? { if case .number(let d) = self { return Int(d) } else { return nil } }
    var double: Double? { if case .number(let d) = self { return d } else { return nil } }
    var str: String? { if case .string(let s) = self { return s } else { return nil } }
    var list: [JSONValue] { if case .array(let a) = self { return a } else { return [] } }
    var keys: [String] { if case .object(let m) = self { return m.map(\.0) } else { return [] } }

    func link(_ rel: String) -> String? {
        self["links"]?.list.first(where: { $0["rel"]?.str == rel })?["href"]?.str
    }
}

extension String {
    /// The path and query of an absolute link, for replaying it against the in-process router.
    var pathAndQuery: String {
        guard let r = range(of: "://") else { return self }
        let rest = self[r.upperBound...]
        return rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? "/"
    }
}

typealias Store = any IncidentStore

extension Harness {
    /// A SpatiaLite store on a fresh temporary file (the store does not support ":memory:").
    /// The folder is removed by `removeStore`.
    static func makeStore() async throws -> SpatiaLiteStore {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("otklik-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var logger = Logger(label: "otklik-http-test.store")
        logger.logLevel = .warning
        return try SpatiaLiteStore(path: dir.appendingPathComponent("test.sqlite").path, taxonomy: taxonomy, logger: logger)
    }

    static func removeStore(_ store: SpatiaLiteStore) {
        try? FileManager.default.removeItem(at: URL(fileURLWithPath: store.path).deletingLastPathComponent())
    }

    static func withApp(count: Int = 0, maxBody: Int = 16 * 1024 * 1024, analysis: (any AnalysisProvider)? = NoAnalysis(),
                        _ body: @Sendable (any TestClientProtocol, Store) async throws -> Void) async throws {
        let store = try await makeStore()
        defer { removeStore(store) }
        try await seed(store, count: count)
        let app = try app(store: store, maxBody: maxBody, analysis: analysis)
        try await app.test(.router) { client in try await body(client, store) }
    }
}
