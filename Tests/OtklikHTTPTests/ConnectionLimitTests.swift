import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import OtklikCore
@testable import OtklikHTTP
import OtklikServices
import Testing

/// Misbehaving clients through a real socket: each must lose its connection to the server, not keep it. The
/// limits are one second here, so every wait is a few seconds at most; the assertions say only that the
/// server closed the connection within a generous bound, never how fast it answered.
@Suite(.serialized) struct ConnectionLimitTests {
    static let short = ConnectionLimits(idleTimeout: .seconds(1), headerTimeout: .seconds(1), bodyTimeout: .seconds(1),
                                        writeTimeout: .seconds(1), maxConnections: 64)
    /// Well past every one-second limit, and generous because the whole test suite shares two cores with these
    /// servers; without the limits the connections stay open for minutes.
    static let bound = 30.0

    static func withLive(_ limits: ConnectionLimits = short, count: Int = 0,
                         _ body: @Sendable (Int, any TestClientProtocol) async throws -> Void) async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        try await Harness.seed(store, count: count)
        var config = Harness.config()
        config.connections = limits
        var logger = Logger(label: "otklik-http-test")
        logger.logLevel = .critical
        let app = try buildApplication(configuration: config, core: Harness.core(store: store), logger: logger)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            try await body(port, client)
        }
    }

    @Test func closesAConnectionThatSendsNothing() async throws {
        try await Self.withLive { port, _ in
            let s = try RawSocket(port: port)
            let r = await s.readUntilClosed(within: Self.bound)
            #expect(r.closed)
            #expect(r.text.isEmpty)
        }
    }

    @Test func closesAConnectionWhoseHeaderNeverEnds() async throws {
        try await Self.withLive { port, _ in
            let s = try RawSocket(port: port)
            s.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            #expect(await s.readUntilClosed(within: Self.bound).closed)
        }
    }

    /// One header line every 200 ms would be accepted for ever by a per-read timeout; the header deadline is a
    /// total, so the server closes the connection while lines are still coming.
    @Test func headerDeadlineIsTotalNotPerLine() async throws {
        try await Self.withLive { port, _ in
            let s = try RawSocket(port: port)
            s.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            var stillOpen = true
            for i in 0..<Int(Self.bound / 0.2) where stillOpen {
                try await Task.sleep(for: .milliseconds(200))
                stillOpen = s.send("X-Dribble-\(i): y\r\n")
                if await s.readUntilClosed(within: 0.01).closed { stillOpen = false }
            }
            #expect(!stillOpen)
        }
    }

    @Test func closesAPostWhoseBodyNeverArrives() async throws {
        try await Self.withLive { port, _ in
            let s = try RawSocket(port: port)
            s.send("POST /api/v1/incidents HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(Harness.operatorKey)\r\n"
                   + "Content-Type: application/geo+json\r\nContent-Length: 1000\r\n\r\n{")
            #expect(await s.readUntilClosed(within: Self.bound).closed)
        }
    }

    @Test func closesAnIdleKeepAliveConnectionAfterItsResponse() async throws {
        try await Self.withLive { port, _ in
            let s = try RawSocket(port: port)
            s.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let r = await s.readUntilClosed(within: Self.bound)
            #expect(r.text.hasPrefix("HTTP/1.1 200"))
            #expect(r.closed)
        }
    }

    /// At the cap a new connection takes the place of the one idle longest: a flood of silent connections
    /// cannot lock real clients out.
    @Test func newConnectionEvictsTheLongestIdleAtTheLimit() async throws {
        var limits = Self.short
        limits.maxConnections = 3
        limits.headerTimeout = .seconds(30)
        try await Self.withLive(limits) { port, _ in
            // The test client's own idle connection is older than these and goes first.
            try await Task.sleep(for: .milliseconds(300))
            var held: [RawSocket] = []
            for _ in 0..<3 {
                held.append(try RawSocket(port: port))
                try await Task.sleep(for: .milliseconds(100))
            }
            let next = try RawSocket(port: port)
            next.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            #expect(await next.readUntilClosed(within: Self.bound).text.hasPrefix("HTTP/1.1 200"))
            #expect(await held[0].readUntilClosed(within: Self.bound).closed)
            #expect(!(await held[2].readUntilClosed(within: 0.3).closed))
        }
    }

    /// When every connection is busy (here: each in the middle of its request head) a new one is closed at
    /// accept; once one of them finishes, new connections are served again.
    @Test func closesNewConnectionsWhenAllAreBusy() async throws {
        var limits = Self.short
        limits.maxConnections = 3
        limits.headerTimeout = .seconds(30)
        try await Self.withLive(limits) { port, _ in
            // The test client's own connection (idle) is the first to make room. A first request answered on each
            // connection proves the server has it; then each starts a second request and stays in its head.
            try await Task.sleep(for: .milliseconds(300))
            var held: [RawSocket] = []
            for _ in 0..<3 {
                let s = try RawSocket(port: port)
                s.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                #expect(await s.read(until: "\"status\"", within: Self.bound))
                s.send("GET /healthz HTTP/1.1\r\n")
                held.append(s)
                try await Task.sleep(for: .milliseconds(200))
            }
            try await Task.sleep(for: .milliseconds(500))
            let extra = try RawSocket(port: port)
            let refused = await extra.readUntilClosed(within: Self.bound)
            #expect(refused.closed)
            #expect(refused.text.isEmpty)
            held[0].send("Host: 127.0.0.1\r\nConnection: close\r\n\r\n")
            #expect(await held[0].readUntilClosed(within: Self.bound).text.hasPrefix("HTTP/1.1 200"))
            var served = false
            for _ in 0..<20 where !served {
                try await Task.sleep(for: .milliseconds(100))
                let next = try RawSocket(port: port)
                next.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                served = await next.readUntilClosed(within: Self.bound).text.hasPrefix("HTTP/1.1 200")
            }
            #expect(served)
            withExtendedLifetime(held) {}
        }
    }

    /// An upload the client abandons is the client's failure: it is counted as a 4xx, never as a 500.
    @Test func abortedUploadIsCountedAsAClientError() async throws {
        var limits = Self.short
        limits.bodyTimeout = .seconds(30)
        try await Self.withLive(limits) { port, _ in
            do {
                let s = try RawSocket(port: port)
                s.send("POST /api/v1/incidents HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(Harness.operatorKey)\r\n"
                       + "Content-Type: application/geo+json\r\nContent-Length: 1000\r\n\r\n{\"type\":")
                try await Task.sleep(for: .milliseconds(300))
            }
            var text = ""
            for _ in 0..<300 where !text.contains("route=\"/api/v1/incidents\"") {
                try await Task.sleep(for: .milliseconds(100))
                // Through a socket of its own: the test client's connection may have met the one-second limits.
                let m = try RawSocket(port: port)
                m.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                text = await m.readUntilClosed(within: Self.bound).text
            }
            let lines = text.split(separator: "\n").filter { $0.hasPrefix("otklik_http_requests_total{method=\"POST\",route=\"/api/v1/incidents\"") }
            #expect(lines.count == 1)
            #expect(lines.allSatisfy { $0.contains("status=\"400\"") }, "\(lines)")
        }
    }
}
