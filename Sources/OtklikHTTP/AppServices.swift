import Foundation
import Hummingbird
import Logging
import OtklikCore
import OtklikServices

/// What every route needs, shared by reference: the application core and what only HTTP has (configuration,
/// keys, metrics). Built once by `buildApplication`.
final class AppServices: Sendable {
    let config: AppConfiguration
    let core: ApplicationServices
    let keys: APIKeys
    let metrics = Metrics()
    let logger: Logger
    let startedAt = Date()

    /// The store as the server holds it: writes through it drop exactly the tiles and counts they touch.
    var store: ServingStore { core.store }
    var taxonomy: Taxonomy { core.taxonomy }
    var analysis: any AnalysisProvider { core.analysis }

    init(config: AppConfiguration, core: ApplicationServices, keys: APIKeys, logger: Logger) {
        self.config = config
        self.core = core
        self.keys = keys
        self.logger = logger
    }

    /// Scheme and authority for absolute links: the configured base URL, else the request's Host.
    func baseURL(for request: Request) -> String {
        if let b = config.baseURL { return b.hasSuffix("/") ? String(b.dropLast()) : b }
        let host = request.head.authority
        if let host, !host.isEmpty, host.utf8.allSatisfy({ Self.hostByte($0) }) {
            return "http://\(host)"
        }
        return "http://\(config.host):\(config.port)"
    }

    private static func hostByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x2D
            || c == 0x3A || c == 0x5B || c == 0x5D
    }

    /// The caller, if a key was presented. A present but unknown or malformed key is a 401, never a silent
    /// downgrade to anonymous.
    func principal(of request: Request) throws(Problem) -> APIPrincipal? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw .unauthorized("Authorization must be 'Bearer <key>'")
        }
        let key = parts[1].trimmingCharacters(in: .whitespaces)
        guard let p = keys.principal(forKey: key) else { throw .unauthorized("the API key is not valid") }
        return p
    }

    func require(_ role: APIRole, _ request: Request) throws(Problem) -> APIPrincipal {
        guard let p = try principal(of: request) else {
            throw .unauthorized("this operation needs an API key: Authorization: Bearer <key>")
        }
        guard p.role >= role else {
            throw .forbidden("this operation needs the \(role.rawValue) role; the key '\(p.name)' has \(p.role.rawValue)")
        }
        return p
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
