import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import OtklikCore
import OtklikStore
@testable import OtklikHTTP
import OtklikServices
import OtklikTestSupport

/// An app as `otklik serve` runs it, with a keys file beside the database holding keys of every scope, besides
/// the harness's `OTKLIK_API_KEYS` keys (operator `hotline-1`, admin `ops`), over four seeded incidents of the
/// road agency, each with a reporter.
enum PrivacyHarness {
    static let intakeKey = "intake-secret-1"
    static let roadsKey = "roads-secret-1"
    static let wasteKey = "waste-secret-1"
    static let roads = "Дорожное управление"
    static let waste = "Управление ЖКХ"

    static let entries: [APIKeyFile.Entry] = [
        .init(name: "partner-fms", role: "intake", sha256: nil, key: intakeKey, agencies: nil, created: nil),
        .init(name: "roads-desk", role: "operator", sha256: nil, key: roadsKey, agencies: [roads], created: nil),
        .init(name: "waste-desk", role: "operator", sha256: nil, key: wasteKey, agencies: [waste], created: nil),
    ]

    struct Context: Sendable {
        let client: any TestClientProtocol
        let store: SpatiaLiteStore
        let keysFile: String
    }

    static func withApp(rate: Double = 10, burst: Int = 60, seed: Int = 4,
                        _ body: @Sendable (Context) async throws -> Void) async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        try await Harness.seed(store, count: seed)
        let keysFile = (store.path as NSString).deletingLastPathComponent + "/api-keys.json"
        try APIKeyFile(entries: entries).write(to: keysFile)
        var config = Harness.config()
        config.apiKeysFile = keysFile
        config.keyRequestsPerSecond = rate
        config.keyBurst = burst
        var logger = Logger(label: "otklik-privacy-test")
        logger.logLevel = .warning
        let app = try buildApplication(configuration: config, core: Harness.core(store: store), logger: logger)
        try await app.test(.router) { client in try await body(Context(client: client, store: store, keysFile: keysFile)) }
    }

    static func get(_ client: any TestClientProtocol, _ uri: String, key: String? = nil) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: key.map(Harness.bearer) ?? [:]) { $0 }
    }

    static func patch(_ client: any TestClientProtocol, id: Int, _ body: String, key: String) async throws -> TestResponse {
        try await client.execute(uri: "/api/v1/incidents/\(id)", method: .patch,
                                 headers: [.contentType: "application/json", .authorization: "Bearer \(key)"],
                                 body: ByteBuffer(string: body)) { $0 }
    }

    /// An Open311 POST from a partner holding `key`.
    static func open311Post(_ client: any TestClientProtocol, key: String, extra: [(String, String)] = []) async throws -> Open311Reply {
        let form = [("api_key", key)] + Open311TestApp.form(lat: 54.9, lon: 31.3).filter { $0.0 != "api_key" } + extra
        return try await client.postForm("/open311/v2/requests.json", form)
    }

    /// The `otklik` binary that `swift build` makes, for tests of the CLI (a missing binary fails the test).
    static func otklik() throws -> String { try TestPackage.executable("otklik") }
    static var dataDir: String { Harness.packageRoot.appendingPathComponent("data").path }
    /// The OTKLIK_ settings of the test's own environment, removed so that only the arguments count.
    static var otklikVariables: [String] { ProcessInfo.processInfo.environment.keys.filter { $0.hasPrefix("OTKLIK_") } }

    /// Runs `otklik` with the environment cleared of OTKLIK_ settings.
    static func run(_ args: [String], includeStderr: Bool = true) throws -> ProcessResult {
        try ExternalProcess.run(Command(try otklik(), args, unsetEnvironment: otklikVariables,
                                        stderr: includeStderr ? .merged : .discarded))
    }
}

extension TestResponse {
    var bodyText: String { String(buffer: body) }
    var problemDetail: String? { (try? Harness.json(body))?["detail"]?.str }
}
