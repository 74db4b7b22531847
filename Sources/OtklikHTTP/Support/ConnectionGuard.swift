import NIOCore
import NIOHTTPTypes
import Synchronization

/// The limits every connection lives under. A client that connects and sends nothing, dribbles its header,
/// announces a body it never sends, or stops reading its response, loses its connection after a bounded time;
/// past `maxConnections` new connections are closed as soon as they are accepted, so that the descriptors left
/// keep /healthz and the real clients answered (see `ConnectionRegistry` for which connection goes).
public struct ConnectionLimits: Sendable, Hashable {
    /// A keep-alive connection with no request in progress is closed after this long.
    public var idleTimeout: Duration
    /// The whole request head (request line and every header) must arrive within this long of its first byte
    /// (of the accept, for a connection's first request): a total deadline, not one per byte.
    public var headerTimeout: Duration
    /// The whole request body must arrive within this long of its head.
    public var bodyTimeout: Duration
    /// A response that cannot be written because the client stopped reading is dropped after this long.
    public var writeTimeout: Duration
    /// Open connections at most; past it the longest-idle connection is closed to make room, or, when none is
    /// idle, the new one is closed at accept.
    public var maxConnections: Int

    public init(idleTimeout: Duration = .seconds(60), headerTimeout: Duration = .seconds(15),
                bodyTimeout: Duration = .seconds(60), writeTimeout: Duration = .seconds(30), maxConnections: Int = 4_096) {
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.writeTimeout = writeTimeout
        self.maxConnections = maxConnections
    }
}

/// Why the server closed a connection; a label of `otklik_http_connections_closed_total`.
enum ConnectionCloseReason: String, CaseIterable, Sendable {
    case overLimit = "over_limit", evicted = "evicted_idle", header = "header_timeout", body = "body_timeout",
         idle = "idle_timeout", write = "write_timeout"
}

/// The open connections, shared by every connection's guard. At the limit a new connection takes the place of
/// the connection that has been idle longest (connected and silent, or kept alive between requests): idle
/// connections cost a descriptor and serve nobody, and closing them first is what keeps /healthz and real
/// clients answered under a flood of them. Only when no connection is idle is the new one closed at accept.
final class ConnectionRegistry: Sendable {
    enum Admission { case admitted(evicting: (any Channel)?), refused }

    private struct Entry {
        let channel: any Channel
        /// When the connection last became idle (a tick of `State.clock`); nil while a request is in progress.
        var idleSince: UInt64?
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var clock: UInt64 = 0
    }

    private let state = Mutex(State())

    func enter(_ id: ObjectIdentifier, channel: any Channel, limit: Int) -> Admission {
        state.withLock { s in
            s.clock += 1
            var evicting: (any Channel)?
            if s.entries.count >= limit {
                guard let oldest = s.entries.filter({ $0.value.idleSince != nil })
                    .min(by: { $0.value.idleSince! < $1.value.idleSince! }) else { return .refused }
                evicting = oldest.value.channel
                s.entries[oldest.key] = nil
            }
            s.entries[id] = Entry(channel: channel, idleSince: s.clock)
            return .admitted(evicting: evicting)
        }
    }

    func setIdle(_ id: ObjectIdentifier, _ idle: Bool) {
        state.withLock { s in
            s.clock += 1
            guard s.entries[id] != nil else { return }
            s.entries[id]!.idleSince = idle ? s.clock : nil
        }
    }

    func leave(_ id: ObjectIdentifier) { state.withLock { s in s.entries[id] = nil } }

    var current: Int { state.withLock { $0.entries.count } }
}

/// One per connection, after the HTTP codec (Hummingbird's `additionalChannelHandlers`). It sees requests and
/// responses as parts; a small `ByteArrival` handler it places at the front of the pipeline tells it when the
/// first byte of the next request arrives, which the codec alone would only say once the head is complete.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum Phase { case awaitingFirstRequest, idle, readingHead, readingBody, responding }

    private let limits: ConnectionLimits
    private let registry: ConnectionRegistry
    private let metrics: Metrics?
    private var phase = Phase.awaitingFirstRequest
    private var counted = false
    private var deadline: Scheduled<Void>?
    private var writeDeadline: Scheduled<Void>?
    /// Requests whose head arrived and whose response has not been fully written (pipelining keeps it above 1).
    private var inFlight = 0
    private var context: ChannelHandlerContext?

    init(limits: ConnectionLimits, registry: ConnectionRegistry, metrics: Metrics?) {
        self.limits = limits
        self.registry = registry
        self.metrics = metrics
    }

    private var id: ObjectIdentifier { ObjectIdentifier(self) }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        switch registry.enter(id, channel: context.channel, limit: limits.maxConnections) {
        case .refused:
            close(context, .overLimit)
            return
        case .admitted(let evicting):
            if let evicting {
                metrics?.connectionClosed(.evicted)
                evicting.close(promise: nil)
            }
        }
        counted = true
        try? context.pipeline.syncOperations.addHandler(ByteArrival(owner: self), position: .first)
        arm(context, after: limits.headerTimeout, reason: .header)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    /// The first byte of a request arrived (called by `ByteArrival`). The first request's deadline already runs
    /// from the accept.
    fileprivate func bytesArrived() {
        guard let context else { return }
        switch phase {
        case .awaitingFirstRequest:
            phase = .readingHead
            registry.setIdle(id, false)
        case .idle:
            phase = .readingHead
            registry.setIdle(id, false)
            arm(context, after: limits.headerTimeout, reason: .header)
        case .readingHead, .readingBody, .responding:
            break
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            inFlight += 1
            if phase == .idle || phase == .awaitingFirstRequest { registry.setIdle(id, false) }
            phase = .readingBody
            arm(context, after: limits.bodyTimeout, reason: .body)
        case .body:
            break
        case .end:
            if phase == .readingBody {
                if inFlight == 0 {
                    // The response went out before the body was read (a refusal): the connection is idle now.
                    phase = .idle
                    registry.setIdle(id, true)
                    arm(context, after: limits.idleTimeout, reason: .idle)
                } else {
                    phase = .responding
                    disarm()
                }
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            inFlight = max(0, inFlight - 1)
            if inFlight == 0, phase == .responding {
                phase = .idle
                registry.setIdle(id, true)
                arm(context, after: limits.idleTimeout, reason: .idle)
            }
        }
        context.write(data, promise: promise)
    }

    /// Writability drops when NIO holds more than its high-water mark of unsent bytes, that is when the client
    /// reads slower than we write; if it does not come back in `writeTimeout`, the response and its buffers go.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            writeDeadline?.cancel()
            writeDeadline = nil
        } else if writeDeadline == nil {
            writeDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(limits.writeTimeout)) { [weak self] in
                guard let self, let context = self.context else { return }
                self.close(context, .write)
            }
        }
        context.fireChannelWritabilityChanged()
    }

    private func arm(_ context: ChannelHandlerContext, after timeout: Duration, reason: ConnectionCloseReason) {
        deadline?.cancel()
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout)) { [weak self] in
            guard let self, let context = self.context else { return }
            self.close(context, reason)
        }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }

    private func close(_ context: ChannelHandlerContext, _ reason: ConnectionCloseReason) {
        metrics?.connectionClosed(reason)
        context.close(promise: nil)
    }

    private func release() {
        disarm()
        writeDeadline?.cancel()
        writeDeadline = nil
        if counted {
            counted = false
            registry.leave(id)
        }
    }
}

/// Forwards everything untouched; only tells the guard that bytes came in.
private final class ByteArrival: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    weak var owner: ConnectionGuard?

    init(owner: ConnectionGuard) { self.owner = owner }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        owner?.bytesArrived()
        context.fireChannelRead(data)
    }
}
