import Foundation
import Hummingbird

/// Which `Host` headers the server answers, and the scheme and authority its absolute links (OGC `self`/`next`,
/// `Location`, Open311 `url`, route stop links) start with. A client chooses its `Host` freely, so links taken
/// from it could point a cached or shared document at any site; the server therefore either uses a configured
/// base URL, or answers only the names it is known by: the listen address, the loopback names when it listens
/// on loopback, and the names the operator allowed. Any other `Host` is refused with 400 before routing.
struct HostPolicy: Sendable {
    /// Scheme, authority and optional path prefix, without a trailing slash, e.g. `https://otklik.example.org`.
    let baseURL: String?
    let listenHost: String
    let listenPort: Int
    /// Lower-cased names; an entry without a port matches that name on any port.
    let allowed: [String]

    init(baseURL: String?, listenHost: String, listenPort: Int, allowedHosts: [String]) {
        self.baseURL = baseURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.listenHost = listenHost.lowercased()
        self.listenPort = listenPort
        allowed = allowedHosts.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
    }

    init(_ config: AppConfiguration) {
        self.init(baseURL: config.baseURL, listenHost: config.host, listenPort: config.port, allowedHosts: config.allowedHosts)
    }

    static let loopbackNames: Set<String> = ["localhost", "127.0.0.1", "[::1]", "::1"]

    var listensOnLoopback: Bool {
        Self.loopbackNames.contains(listenHost) || listenHost.hasPrefix("127.")
    }

    /// The listen address as a link authority (IPv6 in brackets).
    private var listenAuthority: String {
        let h = listenHost.contains(":") && !listenHost.hasPrefix("[") ? "[\(listenHost)]" : listenHost
        return "\(h):\(listenPort)"
    }

    /// Whether a request with this `Host` (nil when the client sent none, as HTTP/1.0 allows) is answered.
    /// With a base URL every `Host` is: links never come from it.
    func accepts(_ authority: String?) -> Bool {
        guard baseURL == nil, let authority, !authority.isEmpty else { return true }
        guard authority.utf8.allSatisfy(Self.hostByte), let parts = Self.split(authority.lowercased()) else {
            return false
        }
        let (name, port) = parts
        for entry in allowed {
            guard let e = Self.split(entry) else { continue }
            if e.name == name, e.port == nil || e.port == port { return true }
        }
        let ownNames = listensOnLoopback ? Self.loopbackNames.union([listenHost]) : [listenHost]
        // Port 0 asks the system for a free port, which the policy does not learn: any port of its own names.
        return ownNames.contains(name) && (port == nil || port == listenPort || listenPort == 0)
    }

    /// Scheme and authority for absolute links: the base URL, else the accepted `Host`, else the listen address.
    func linkBase(for authority: String?) -> String {
        if let baseURL { return baseURL }
        if let authority, !authority.isEmpty, accepts(authority) { return "http://\(authority)" }
        return "http://\(listenAuthority)"
    }

    /// `name[:port]` (with `[v6]` names) into its parts; nil when the port is not a number.
    private static func split(_ s: String) -> (name: String, port: Int?)? {
        if s.hasPrefix("["), let close = s.firstIndex(of: "]") {
            let name = String(s[...close])
            let rest = s[s.index(after: close)...]
            if rest.isEmpty { return (name, nil) }
            guard rest.first == ":", let p = Int(rest.dropFirst()) else { return nil }
            return (name, p)
        }
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return (s, nil)
        case 2:
            guard let p = Int(parts[1]) else { return nil }
            return (String(parts[0]), p)
        default: return (s, nil)  // a bare IPv6 address
        }
    }

    private static func hostByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x2D
            || c == 0x3A || c == 0x5B || c == 0x5D
    }

    /// A base URL the links can start with: `http` or `https`, a host, and at most a path (no query, fragment
    /// or user part). Returns what is wrong with it, nil when it is usable.
    static func problem(withBaseURL s: String) -> String? {
        let lower = s.lowercased()
        guard let schemeEnd = lower.range(of: "://"), ["http", "https"].contains(String(lower[..<schemeEnd.lowerBound])) else {
            return "the base URL must start with http:// or https://, e.g. https://otklik.example.org"
        }
        let rest = s[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" }
        guard !authority.isEmpty, authority.utf8.allSatisfy(hostByte) else {
            return "the base URL must name a host (letters, digits, '.', '-', ':' and [ ] only), e.g. https://otklik.example.org"
        }
        guard !s.contains("?"), !s.contains("#"), !s.contains(" ") else {
            return "the base URL must not have a query, a fragment or spaces"
        }
        return nil
    }

    /// Names for `--allowed-hosts`: a comma list of `name` or `name:port`. Returns what is wrong, nil when usable.
    static func problem(withAllowedHosts list: [String]) -> String? {
        for entry in list where !entry.isEmpty {
            guard entry.utf8.allSatisfy(hostByte), split(entry.lowercased()) != nil else {
                return "'\(entry)' is not a host name or name:port (letters, digits, '.', '-', ':' and [ ] only)"
            }
        }
        return nil
    }
}

extension Problem {
    static func unknownHost(_ host: String) -> Problem {
        Problem(.badRequest, slug: "unknown-host", title: "Unknown host",
                detail: "this server does not answer to the host '\(QueryParameters.shorten(host))': links would point there; "
                    + "the operator can pass --allowed-hosts (OTKLIK_ALLOWED_HOSTS) with the names it is reached by, or --base-url (OTKLIK_BASE_URL)")
    }
}

/// Refuses requests whose `Host` the server does not answer (see `HostPolicy`), before any route runs.
/// `/healthz` is exempt: it has no links, and health probes often address the server by an IP of its own.
struct HostCheckMiddleware<Context: RequestContext>: RouterMiddleware {
    let policy: HostPolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if !policy.accepts(request.head.authority), request.uri.path != "/healthz" {
            throw Problem.unknownHost(request.head.authority ?? "")
        }
        return try await next(request, context)
    }
}
