import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Hummingbird
@testable import OtklikHTTP
import Testing

/// The guard on an embedded channel, with the clock in the test's hands: a client that stops reading its
/// response loses the connection after the write timeout, and one that reads on keeps it.
@Suite struct ConnectionGuardTests {
    static let limits = ConnectionLimits(idleTimeout: .seconds(60), headerTimeout: .seconds(15), bodyTimeout: .seconds(60),
                                         writeTimeout: .seconds(30), maxConnections: 10)

    static func channel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ConnectionGuard(limits: limits, registry: ConnectionRegistry(), metrics: nil))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    static func request(_ channel: EmbeddedChannel) throws {
        try channel.writeInbound(HTTPRequestPart.head(HTTPRequest(method: .get, scheme: nil, authority: "x", path: "/big")))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
    }

    @Test func dropsAResponseTheClientStopsReading() throws {
        let channel = try Self.channel()
        try Self.request(channel)
        channel.isWritable = false
        channel.pipeline.fireChannelWritabilityChanged()
        channel.embeddedEventLoop.advanceTime(by: .seconds(29))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
    }

    @Test func keepsAConnectionWhoseClientReadsOn() throws {
        let channel = try Self.channel()
        try Self.request(channel)
        for _ in 0..<4 {
            channel.isWritable = false
            channel.pipeline.fireChannelWritabilityChanged()
            channel.embeddedEventLoop.advanceTime(by: .seconds(20))
            channel.isWritable = true
            channel.pipeline.fireChannelWritabilityChanged()
        }
        #expect(channel.isActive)
        _ = try? channel.finish()
    }
}
