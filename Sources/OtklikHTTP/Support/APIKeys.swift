import Foundation

/// Roles in increasing order of power. A key of a higher role can do everything a lower one can.
public enum APIRole: String, Sendable, Comparable, CaseIterable, Codable {
    case operator_ = "operator"
    case admin

    public static func < (a: APIRole, b: APIRole) -> Bool { a.rank < b.rank }
    private var rank: Int { self == .operator_ ? 1 : 2 }
}

/// The authenticated caller.
public struct APIPrincipal: Sendable, Hashable {
    public var name: String
    public var role: APIRole
}

public enum APIKeysError: Error, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case malformed(source: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "API keys file \(path): \(reason)"
        case .malformed(let source, let reason): return "API keys (\(source)): \(reason)"
        }
    }
}

/// Bearer keys, held only as SHA-256 digests so that a memory or config dump does not leak usable keys.
///
/// File format (JSON): `{"keys": [{"name": "hotline-1", "role": "operator", "sha256": "<hex>"},
/// {"name": "ops", "role": "admin", "key": "<plain text, hashed at load>"}]}`.
/// Environment format (`OTKLIK_API_KEYS`): `key:role[:name],key:role[:name]`.
public struct APIKeys: Sendable {
    private var byDigest: [String: APIPrincipal] = [:]

    public init() {}

    public var isEmpty: Bool { byDigest.isEmpty }
    public var count: Int { byDigest.count }

    public mutating func add(plainKey: String, role: APIRole, name: String) {
        byDigest[SHA256.hex(plainKey)] = APIPrincipal(name: name, role: role)
    }

    public mutating func add(sha256 hex: String, role: APIRole, name: String) {
        byDigest[hex.lowercased()] = APIPrincipal(name: name, role: role)
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
                                             reason: "entry \(n + 1): role '\(parts[1])' is not operator or admin")
            }
            keys.add(plainKey: parts[0], role: role, name: parts.count == 3 ? parts[2] : "\(role.rawValue)-\(n + 1)")
        }
        return keys
    }

    public static func load(file path: String) throws -> APIKeys {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw APIKeysError.unreadable(path: path, reason: error.localizedDescription)
        }
        struct Entry: Decodable {
            var name: String?
            var role: String
            var key: String?
            var sha256: String?
        }
        struct File: Decodable { var keys: [Entry] }
        let file: File
        do { file = try JSONDecoder().decode(File.self, from: data) } catch {
            throw APIKeysError.malformed(source: path, reason: "expected {\"keys\": [{\"name\", \"role\", \"key\" or \"sha256\"}]}")
        }
        var keys = APIKeys()
        for (n, e) in file.keys.enumerated() {
            guard let role = APIRole(rawValue: e.role) else {
                throw APIKeysError.malformed(source: path, reason: "key \(n + 1): role '\(e.role)' is not operator or admin")
            }
            let name = e.name ?? "\(role.rawValue)-\(n + 1)"
            if let digest = e.sha256 {
                guard digest.count == 64, digest.allSatisfy(\.isHexDigit) else {
                    throw APIKeysError.malformed(source: path, reason: "key \(n + 1): sha256 must be 64 hex digits")
                }
                keys.add(sha256: digest, role: role, name: name)
            } else if let plain = e.key, !plain.isEmpty {
                keys.add(plainKey: plain, role: role, name: name)
            } else {
                throw APIKeysError.malformed(source: path, reason: "key \(n + 1): needs \"key\" or \"sha256\"")
            }
        }
        return keys
    }

    public static func sha256Hex(of key: String) -> String { SHA256.hex(key) }

    public func merging(_ other: APIKeys) -> APIKeys {
        var out = self
        out.byDigest.merge(other.byDigest) { _, new in new }
        return out
    }
}
