import OtklikCore
import Foundation

/// What a key may do (its scope; "role" in keys files and `OTKLIK_API_KEYS`), in increasing order of power. A key
/// of a higher role can do everything a lower one can.
///
/// - `intake`: file complaints (Open311 POST, incident POST); reads nothing that the public cannot.
/// - `operator`: also works on incidents (status changes, internal notes) and reads reporters' contacts, for the
///   agencies the key names, or for all when it names none.
/// - `admin`: everything, batch POSTs included.
public enum APIRole: String, Sendable, Comparable, CaseIterable, Codable {
    case intake
    case operator_ = "operator"
    case admin

    public static func < (a: APIRole, b: APIRole) -> Bool { a.rank < b.rank }
    private var rank: Int {
        switch self {
        case .intake: return 0
        case .operator_: return 1
        case .admin: return 2
        }
    }

    static let names = allCases.map(\.rawValue).joined(separator: ", ")
}

/// The authenticated caller.
public struct APIPrincipal: Sendable, Hashable {
    public var name: String
    public var role: APIRole
    /// The agencies whose incidents an operator key works on; empty means every agency. Admin keys work on all.
    public var agencies: Set<String>

    public init(name: String, role: APIRole, agencies: Set<String> = []) {
        self.name = name
        self.role = role
        self.agencies = agencies
    }

    /// Whether this key may work on (and read the reporter of) an incident routed to `agency`.
    public func worksOn(agency: String) -> Bool {
        role == .admin || (role == .operator_ && (agencies.isEmpty || agencies.contains(agency)))
    }
}

public enum APIKeysError: Error, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case malformed(source: String, reason: String)
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "API keys file \(path): \(reason)"
        case .malformed(let source, let reason): return "API keys (\(source)): \(reason)"
        case .unwritable(let path, let reason): return "cannot write API keys file \(path): \(reason)"
        }
    }
}

/// Bearer keys, held only as SHA-256 digests so that a memory or config dump does not leak usable keys.
///
/// File format: see `APIKeyFile`. Environment format (`OTKLIK_API_KEYS`): `key:role[:name],key:role[:name]`.
public struct APIKeys: Sendable {
    private var byDigest: [String: APIPrincipal] = [:]

    public init() {}

    public var isEmpty: Bool { byDigest.isEmpty }
    public var count: Int { byDigest.count }

    public mutating func add(plainKey: String, role: APIRole, name: String, agencies: Set<String> = []) {
        byDigest[SHA256.hex(plainKey)] = APIPrincipal(name: name, role: role, agencies: agencies)
    }

    public mutating func add(sha256 hex: String, role: APIRole, name: String, agencies: Set<String> = []) {
        byDigest[hex.lowercased()] = APIPrincipal(name: name, role: role, agencies: agencies)
    }

    public func principal(forKey key: String) -> APIPrincipal? {
        byDigest[SHA256.hex(key)]
    }

    /// Parses `key:role[:name],...`.
    public static func parseEnvironment(_ text: String) throws -> APIKeys {
        var keys = APIKeys()
        for (n, entry) in text.split(separator: ",").enumerated() {
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty else {
                throw APIKeysError.malformed(source: "OTKLIK_API_KEYS", reason: "entry \(n + 1) is not key:role[:name]")
            }
            guard let role = APIRole(rawValue: parts[1]) else {
                throw APIKeysError.malformed(source: "OTKLIK_API_KEYS",
                                             reason: "entry \(n + 1): role '\(parts[1])' is not one of \(APIRole.names)")
            }
            keys.add(plainKey: parts[0], role: role, name: parts.count == 3 ? parts[2] : "\(role.rawValue)-\(n + 1)")
        }
        return keys
    }

    public static func load(file path: String) throws -> APIKeys {
        try APIKeyFile.read(path).keys(source: path)
    }

    public static func sha256Hex(of key: String) -> String { SHA256.hex(key) }

    public func merging(_ other: APIKeys) -> APIKeys {
        var out = self
        out.byDigest.merge(other.byDigest) { _, new in new }
        return out
    }
}
