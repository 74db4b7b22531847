import Foundation
import Hummingbird
import Logging
import OtklikCore
import OtklikServices
import Synchronization

/// What every route needs, shared by reference: the application core and what only HTTP has (configuration,
/// keys, metrics). Built once by `buildApplication`.
final class AppServices: Sendable {
    let config: AppConfiguration
    let core: ApplicationServices
    let keyRing: KeyRing
    let rateLimiter: KeyRateLimiter
    let metrics: Metrics
    let logger: Logger
    let hosts: HostPolicy
    /// Large OGC items pages sent at once (see `PageGate`).
    let largePages: PageGate
    let startedAt = Date()
    /// When each key's use was last written to the store (see `noteUse`).
    private let keyUseWritten = Mutex<[String: Date]>([:])

    /// The store as the server holds it: writes through it drop exactly the tiles and counts they touch.
    var store: ServingStore { core.store }
    var taxonomy: Taxonomy { core.taxonomy }
    var analysis: any AnalysisProvider { core.analysis }
    /// The keys accepted now (the keys file is read again when it changes).
    var keys: APIKeys { keyRing.current }

    init(config: AppConfiguration, core: ApplicationServices, keys: APIKeys, logger: Logger) {
        self.config = config
        self.core = core
        self.keyRing = KeyRing(keys: keys, file: config.apiKeysFile, spec: config.apiKeysSpec, logger: logger)
        self.rateLimiter = KeyRateLimiter(rate: config.keyRequestsPerSecond, burst: config.keyBurst)
        self.logger = logger
        self.hosts = HostPolicy(config)
        let metrics = Metrics()
        self.metrics = metrics
        self.largePages = PageGate(limit: config.maxConcurrentLargePages, freeUpTo: OGCRoutes.chunkSize,
                                   retryAfterSeconds: config.busyRetryAfterSeconds, metrics: metrics)
    }

    /// Scheme and authority for absolute links: the configured base URL, else the request's Host when the server
    /// answers it (`HostCheckMiddleware` has refused the others), else the listen address.
    func baseURL(for request: Request) -> String {
        hosts.linkBase(for: request.head.authority)
    }

    /// The caller, if a key was presented. A present but unknown or malformed key is a 401, never a silent
    /// downgrade to anonymous; a key past its rate is a 429.
    func principal(of request: Request) async throws(Problem) -> APIPrincipal? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw .unauthorized("Authorization must be 'Bearer <key>'")
        }
        return try await authenticate(key: parts[1].trimmingCharacters(in: .whitespaces))
    }

    /// The key's principal, once the key is known and within its rate.
    func authenticate(key: String) async throws(Problem) -> APIPrincipal {
        guard let p = keyRing.principal(forKey: key) else { throw .unauthorized("the API key is not valid") }
        if let wait = rateLimiter.admit(p.name) {
            throw .rateLimited(retryAfter: wait, rate: rateLimiter.rate, burst: Int(rateLimiter.burst))
        }
        await noteUse(of: p.name)
        return p
    }

    /// Errors name the scope, never the key: a refusal is read by whoever holds the key, and in logs and
    /// partners' bug reports where the key's name tells who it belongs to.
    func require(_ role: APIRole, _ request: Request) async throws(Problem) -> APIPrincipal {
        guard let p = try await principal(of: request) else {
            throw .unauthorized("this operation needs an API key: Authorization: Bearer <key>")
        }
        guard p.role >= role else {
            throw .forbidden("this operation needs the \(role.rawValue) scope; this key has \(p.role.rawValue)")
        }
        return p
    }

    /// Refuses work on an incident outside the agencies of the caller's key.
    func requireWork(on incident: Incident, by p: APIPrincipal) throws(Problem) {
        guard p.worksOn(agency: incident.agency) else {
            throw .forbidden("this key works on incidents of \(p.agencies.sorted().joined(separator: ", ")); incident \(incident.id ?? 0) is routed to \(incident.agency)")
        }
    }

    /// Whether the caller may read the reporter's contact of `incident`.
    func mayReadContact(of incident: Incident, _ p: APIPrincipal?) -> Bool {
        p?.worksOn(agency: incident.agency) ?? false
    }

    /// Writes the read of a reporter's contact to the audit before the contact is sent: a read that cannot be
    /// recorded fails (500) instead of going unrecorded.
    func auditContactRead(of incident: Incident, by p: APIPrincipal, route: String) async throws {
        guard incident.reporter != nil, let id = incident.id else { return }
        try await store.recordContactReads([ContactRead(at: Date(), keyName: p.name, incidentID: id, route: route)])
    }

    /// Records that a key was used, at most once a minute per key, for `otklik keys list`. A failure costs only
    /// that figure, so it is logged and the request goes on.
    private func noteUse(of name: String) async {
        let now = Date()
        let due = keyUseWritten.withLock { written in
            if let last = written[name], now.timeIntervalSince(last) < 60 { return false }
            written[name] = now
            return true
        }
        guard due else { return }
        do {
            try await store.recordKeyUse(name: name, at: now)
        } catch {
            logger.notice("cannot record API key use", metadata: ["error": .logged("\(error)")])
        }
    }
}

extension Problem {
    static func rateLimited(retryAfter seconds: Int, rate: Double, burst: Int) -> Problem {
        let perSecond = rate == rate.rounded() ? String(Int(rate)) : String(rate)
        return Problem(.tooManyRequests, slug: "rate-limited", title: "Too many requests",
                       detail: "this API key may make \(perSecond) requests per second on average, \(burst) at once; retry in \(seconds) s",
                       headers: [.retryAfter: String(seconds)])
    }
}

/// Response helpers.
enum Respond {
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, contentType: String = "application/json",
                     headers: HTTPFields = [:]) -> Response {
        bytes(value.encoded(), status: status, contentType: contentType, headers: headers)
    }

    static func bytes(_ bytes: [UInt8], status: HTTPResponse.Status = .ok, contentType: String, headers: HTTPFields = [:]) -> Response {
        var h = headers
        h[.contentType] = contentType
        return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func text(_ s: String, contentType: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        bytes(Array(s.utf8), status: status, contentType: contentType, headers: headers)
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay).
func percentEncode(_ s: String) -> String {
    var out = ""
    for b in s.utf8 {
        switch b {
        case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2D, 0x2E, 0x5F, 0x7E: out.unicodeScalars.append(Unicode.Scalar(b))
        default:
            let hex = String(b, radix: 16, uppercase: true)
            out += "%" + (hex.count == 1 ? "0" + hex : hex)
        }
    }
    return out
}
