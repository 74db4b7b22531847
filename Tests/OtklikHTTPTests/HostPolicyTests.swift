import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import OtklikCore
@testable import OtklikHTTP
import OtklikServices
import Testing

/// A client picks its `Host` header freely; links and `Location` must not follow a forged one. Through a real
/// socket, since the in-process client always sends `localhost`.
@Suite struct HostPolicyTests {
    static func withLive(baseURL: String? = nil, allowedHosts: [String] = [], count: Int = 0,
                         _ body: @Sendable (Int, Store) async throws -> Void) async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        try await Harness.seed(store, count: count)
        var config = Harness.config()
        config.baseURL = baseURL
        config.allowedHosts = allowedHosts
        var logger = Logger(label: "otklik-http-test")
        logger.logLevel = .critical
        let app = try buildApplication(configuration: config, core: Harness.core(store: store), logger: logger)
        // The live test server listens on a port of the system's choosing (configured port 0): the policy then
        // takes any port of its own names, and `policyAnswersOnlyItsOwnNames` checks the ports.
        try await app.test(.live) { client in
            try await body(try #require(client.port), store)
        }
    }

    /// One request on its own connection; the whole response as text.
    static func exchange(_ port: Int, _ path: String, method: String = "GET", host: String,
                         key: String? = nil, body: String? = nil) async throws -> String {
        let s = try RawSocket(port: port)
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n"
        if let key { head += "Authorization: Bearer \(key)\r\n" }
        if let body { head += "Content-Type: application/geo+json\r\nContent-Length: \(body.utf8.count)\r\n" }
        #expect(s.send(head + "\r\n" + (body ?? "")))
        let r = await s.readUntilClosed(within: 30)
        #expect(r.closed, "no complete answer to \(method) \(path)")
        return r.text
    }

    static func location(_ response: String) -> String? {
        response.split(separator: "\r\n").first { $0.lowercased().hasPrefix("location:") }
            .map { $0.dropFirst("location:".count).trimmingCharacters(in: .whitespaces) }
    }

    @Test func forgedHostCannotSteerLinksOrLocation() async throws {
        try await Self.withLive(allowedHosts: ["otklik.example.org"], count: 3) { port, store in
            for path in ["/ogc", "/ogc/collections", "/ogc/collections/incidents/items?limit=1", "/open311/v2/discovery.json"] {
                let r = try await Self.exchange(port, path, host: "evil.example")
                #expect(r.hasPrefix("HTTP/1.1 400"), "\(path): \(r.prefix(80))")
                #expect(r.contains("application/problem+json"))
                #expect(r.contains("--allowed-hosts") && r.contains("--base-url"))
                #expect(!r.contains("http://evil.example"))
            }
            let post = try await Self.exchange(port, "/api/v1/incidents", method: "POST", host: "evil.example:\(port)",
                                               key: Harness.operatorKey, body: IncidentAPITests.feature())
            #expect(post.hasPrefix("HTTP/1.1 400"))
            #expect(Self.location(post) == nil)
            #expect(try await store.count(IncidentQuery()) == 3)
            // Health probes often address a server by an IP of its own; /healthz has no links.
            #expect(try await Self.exchange(port, "/healthz", host: "10.1.2.3:\(port)").hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test func allowedHostsAndTheListenAddressMakeTheLinks() async throws {
        try await Self.withLive(allowedHosts: ["otklik.example.org", "gis.example.org:8443"], count: 3) { port, store in
            let named = try await Self.exchange(port, "/ogc/collections/incidents/items?limit=1", host: "Otklik.Example.Org:9000")
            #expect(named.hasPrefix("HTTP/1.1 200"))
            #expect(named.contains("\"href\":\"http://Otklik.Example.Org:9000/ogc/collections/incidents/items?limit=1&offset=1&after=1\""))
            #expect(try await Self.exchange(port, "/ogc", host: "gis.example.org:8443").contains("http://gis.example.org:8443/ogc/collections"))
            #expect(try await Self.exchange(port, "/ogc", host: "gis.example.org:8444").hasPrefix("HTTP/1.1 400"))
            let own = try await Self.exchange(port, "/ogc", host: "127.0.0.1:\(port)")
            #expect(own.contains("\"href\":\"http://127.0.0.1:\(port)/ogc/collections\""))
            #expect(try await Self.exchange(port, "/ogc", host: "localhost:\(port)").contains("http://localhost:\(port)/ogc/collections"))
            let post = try await Self.exchange(port, "/api/v1/incidents", method: "POST", host: "otklik.example.org",
                                               key: Harness.operatorKey, body: IncidentAPITests.feature())
            #expect(post.hasPrefix("HTTP/1.1 201"))
            #expect(Self.location(post) == "http://otklik.example.org/api/v1/incidents/4")
            #expect(try await store.count(IncidentQuery()) == 4)
        }
    }

    @Test func baseURLWinsOverAnyHost() async throws {
        try await Self.withLive(baseURL: "https://otklik.example.org/gis/", count: 3) { port, store in
            let page = try await Self.exchange(port, "/ogc/collections/incidents/items?limit=1", host: "evil.example")
            #expect(page.hasPrefix("HTTP/1.1 200"))
            #expect(page.contains("\"href\":\"https://otklik.example.org/gis/ogc/collections/incidents/items?limit=1&offset=1&after=1\""))
            #expect(!page.contains("evil.example"))
            let post = try await Self.exchange(port, "/api/v1/incidents", method: "POST", host: "evil.example",
                                               key: Harness.operatorKey, body: IncidentAPITests.feature())
            #expect(post.hasPrefix("HTTP/1.1 201"))
            #expect(Self.location(post) == "https://otklik.example.org/gis/api/v1/incidents/4")
        }
    }

    /// The "serving …" line names the database without its password.
    @Test func theDatabaseURLIsLoggedWithoutItsPassword() {
        #expect(AppConfiguration(databasePath: "postgresql://otklik:s3cret@db.example:5432/otklik").databaseForLog
                == "postgresql://otklik:***@db.example:5432/otklik")
        #expect(AppConfiguration(databasePath: "postgresql://otklik@127.0.0.1:5433/otklik").databaseForLog
                == "postgresql://otklik@127.0.0.1:5433/otklik")
        #expect(AppConfiguration(databasePath: "data/otklik.sqlite").databaseForLog == "data/otklik.sqlite")
    }

    @Test func policyAnswersOnlyItsOwnNames() {
        let loopback = HostPolicy(baseURL: nil, listenHost: "127.0.0.1", listenPort: 8080, allowedHosts: ["a.example", "b.example:443"])
        for ok in [nil, "", "127.0.0.1:8080", "127.0.0.1", "localhost:8080", "LOCALHOST", "[::1]:8080", "a.example",
                   "a.example:1", "b.example:443"] as [String?] {
            #expect(loopback.accepts(ok), "\(ok ?? "nil")")
        }
        for bad in ["127.0.0.1:8081", "evil.example", "a.example.evil", "b.example", "b.example:80", "a.example:x",
                    "a.example/x", "a.example@evil", "a.example\r\nX: y"] {
            #expect(!loopback.accepts(bad), "\(bad)")
        }
        #expect(loopback.linkBase(for: "evil.example") == "http://127.0.0.1:8080")
        #expect(loopback.linkBase(for: nil) == "http://127.0.0.1:8080")
        // Listening on every interface, the loopback names are not the server's names by default.
        let wildcard = HostPolicy(baseURL: nil, listenHost: "0.0.0.0", listenPort: 8080, allowedHosts: [])
        #expect(!wildcard.accepts("localhost:8080"))
        #expect(wildcard.accepts("0.0.0.0:8080"))
        let fixed = HostPolicy(baseURL: "https://otklik.example.org/", listenHost: "127.0.0.1", listenPort: 8080, allowedHosts: [])
        #expect(fixed.accepts("evil.example"))
        #expect(fixed.linkBase(for: "evil.example") == "https://otklik.example.org")
    }

    @Test func malformedSettingsAreRefusedWithTheFix() async throws {
        #expect(HostPolicy.problem(withBaseURL: "https://otklik.example.org") == nil)
        #expect(HostPolicy.problem(withBaseURL: "http://10.0.0.5:8080/otklik") == nil)
        #expect(HostPolicy.problem(withBaseURL: "otklik.example.org")?.contains("must start with http:// or https://") == true)
        #expect(HostPolicy.problem(withBaseURL: "ftp://otklik.example.org")?.contains("must start with http:// or https://") == true)
        #expect(HostPolicy.problem(withBaseURL: "https://") != nil)
        #expect(HostPolicy.problem(withBaseURL: "https://user@otklik.example.org") != nil)
        #expect(HostPolicy.problem(withBaseURL: "https://otklik.example.org/?a=1")?.contains("query") == true)
        #expect(HostPolicy.problem(withAllowedHosts: ["a.example", "b.example:8443", "[::1]:80"]) == nil)
        #expect(HostPolicy.problem(withAllowedHosts: ["a.example:port"])?.contains("'a.example:port'") == true)
        #expect(HostPolicy.problem(withAllowedHosts: ["http://a.example"]) != nil)
        #expect(AppConfiguration.hostList(" a.example, b.example:8443 ,,") == ["a.example", "b.example:8443"])
        #expect(AppConfiguration().overridden(by: ["OTKLIK_ALLOWED_HOSTS": "a.example,b.example"]).allowedHosts == ["a.example", "b.example"])
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        var bad = Harness.config()
        bad.baseURL = "otklik.example.org"
        #expect(throws: HostSettingsError.self) {
            _ = try buildApplication(configuration: bad, core: Harness.core(store: store), logger: Logger(label: "t"))
        }
    }
}
