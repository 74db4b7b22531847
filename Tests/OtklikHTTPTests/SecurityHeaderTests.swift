import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import OtklikCore
@testable import OtklikHTTP
import OtklikServices
import Synchronization
import Testing

@Suite struct SecurityHeaderTests {
    @Test func htmlPagesCarryTheSecurityHeaders() async throws {
        try await Harness.withApp(count: 3) { client, _ in
            for uri in ["/", "/api/v1/reports/districts?format=html"] {
                try await client.execute(uri: uri, method: .get) { r in
                    #expect(r.status == .ok, "\(uri)")
                    let csp = r.headers[.contentSecurityPolicy] ?? ""
                    #expect(csp.contains("frame-ancestors 'none'"), "\(uri)")
                    #expect(csp.contains("script-src 'self'"), "\(uri)")
                    #expect(r.headers[.xContentTypeOptions] == "nosniff")
                    #expect(r.headers[HTTPFields.Element.Name("X-Frame-Options")!] == "DENY")
                    #expect(r.headers[HTTPFields.Element.Name("Referrer-Policy")!] == "no-referrer")
                }
            }
        }
    }

    @Test func theConfiguredBasemapIsAnAllowedImageSource() {
        let policy = SecurityHeaders.contentSecurityPolicy(
            basemapOrigin: MapSettings(basemapURL: "https://{s}.tiles.example.org/{z}/{x}/{y}.png").basemapOrigin)
        #expect(policy.contains("img-src 'self' data: blob: https://*.tiles.example.org;"))
        #expect(SecurityHeaders.contentSecurityPolicy().contains("img-src 'self' data: blob:;"))
    }

    @Test func anyOriginMayReadThePublicLayers() async throws {
        try await Harness.withApp(count: 3) { client, _ in
            try await client.execute(uri: "/ogc/collections", method: .get, headers: [.origin: "https://planner.example"]) { r in
                #expect(r.headers[.accessControlAllowOrigin] == "*")
            }
            try await client.execute(uri: "/ogc/collections", method: .options,
                                     headers: [.origin: "https://planner.example", .accessControlRequestMethod: "GET"]) { r in
                #expect(r.headers[.accessControlAllowOrigin] == "*")
                #expect(r.headers[.accessControlAllowMethods] == "GET, HEAD")
            }
        }
    }

    /// A page on another origin may not write: the preflight for POST/PATCH gets no CORS grant, nor does the
    /// response to a POST that skipped it.
    @Test func writeAPIIsNotOpenToOtherOrigins() async throws {
        try await Harness.withApp { client, _ in
            for method in ["POST", "PATCH"] {
                try await client.execute(uri: "/api/v1/incidents", method: .options,
                                         headers: [.origin: "https://evil.example", .accessControlRequestMethod: method]) { r in
                    #expect(r.headers[.accessControlAllowOrigin] == nil, "\(method)")
                    #expect(r.headers[.accessControlAllowMethods] == nil, "\(method)")
                }
            }
            try await client.execute(uri: "/api/v1/incidents", method: .post,
                                     headers: [.origin: "https://evil.example", .contentType: "application/json"],
                                     body: ByteBuffer(string: "{}")) { r in
                #expect(r.headers[.accessControlAllowOrigin] == nil)
            }
        }
    }
}

/// Log lines keep request data on their own line.
@Suite struct LogInjectionTests {
    @Test func escapesControlCharacters() {
        #expect(LogText.escaped("x\n2026-12-04T10:00:00Z critical : forged") == "x\\n2026-12-04T10:00:00Z critical : forged")
        #expect(LogText.escaped("a\r\tb\u{1B}[31m\\") == "a\\r\\tb\\u{1B}[31m\\\\")
        #expect(LogText.escaped("Руднянский район") == "Руднянский район")
    }

    /// A newline smuggled into a parameter reaches the log escaped, in every line the request causes.
    @Test func parameterWithNewlineCannotForgeALogLine() async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        try await Harness.seed(store, count: 2)
        let captured = CapturedLog()
        var logger = Logger(label: "otklik-http-test") { _ in CapturingHandler(log: captured) }
        logger.logLevel = .trace
        let app = try buildApplication(configuration: Harness.config(), core: Harness.core(store: store), logger: logger)
        try await app.test(.router) { client in
            let r = try await client.execute(uri: "/ogc/collections/incidents/items?category=x%0A2026-12-04T10:00:00Z%20critical%20forged",
                                             method: .get) { $0 }
            #expect(r.status == .badRequest)
        }
        let lines = captured.lines
        #expect(lines.contains { $0.contains("forged") })
        for line in lines { #expect(!line.contains("\n"), "\(line)") }
    }
}

/// Open311 refusals are logged by the Open311 routes themselves (their errors have the spec's format, not a
/// problem document); what a partner sends must reach those lines escaped too.
@Suite struct Open311LogInjectionTests {
    @Test func controlCharacterInAnOpen311ParameterCannotForgeALogLine() async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        try await Harness.seed(store, count: 2)
        let captured = CapturedLog()
        var logger = Logger(label: "otklik-http-test") { _ in CapturingHandler(log: captured) }
        logger.logLevel = .trace
        let app = try buildApplication(configuration: Harness.config(), core: Harness.core(store: store), logger: logger)
        let forged = "x\n2026-12-04T10:00:00Z critical : forged\r\u{1B}[2K"
        try await app.test(.router) { client in
            let listed = try await client.execute(uri: "/open311/v2/requests.json?service_code=" + percentEncode(forged),
                                                  method: .get) { $0 }
            #expect(listed.status == .badRequest)
            let form = [("api_key", Harness.operatorKey), ("service_code", forged), ("lat", "54.78"), ("long", "32.05"),
                        ("description", "Яма")].map { percentEncode($0.0) + "=" + percentEncode($0.1) }.joined(separator: "&")
            let posted = try await client.execute(uri: "/open311/v2/requests.json", method: .post,
                                                  headers: [.contentType: "application/x-www-form-urlencoded"],
                                                  body: ByteBuffer(string: form)) { $0 }
            #expect(posted.status == .notFound)
        }
        let refusals = captured.lines.filter { $0.contains("open311 refused") }
        #expect(refusals.count == 2)
        for line in refusals {
            #expect(line.contains("x\\n2026-12-04T10:00:00Z critical : forged\\r\\u{1B}[2K"), "\(line)")
        }
        for line in captured.lines {
            #expect(!line.contains("\n") && !line.contains("\r") && !line.contains("\u{1B}"), "\(line)")
        }
    }
}

final class CapturedLog: Sendable {
    private let box = Mutex([String]())
    func append(_ s: String) { box.withLock { $0.append(s) } }
    var lines: [String] { box.withLock { $0 } }
}

/// Renders each record as the stream handler would (message and metadata on one line) and keeps it.
struct CapturingHandler: LogHandler {
    let log: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let meta = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        log.append("\(event.level) \(event.message) \(meta)")
    }
}
