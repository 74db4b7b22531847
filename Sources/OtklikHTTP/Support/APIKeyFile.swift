public import Foundation
import OtklikCore

/// The API keys file, as `otklik serve` reads it and `otklik keys` manages it.
///
/// ```json
/// {"keys": [{"name": "hotline-1", "role": "operator", "sha256": "<hex>", "agencies": ["Дорожное управление"],
///            "created": "2026-12-04T16:00:00Z"},
///           {"name": "ops", "role": "admin", "key": "<plain text, hashed at load>"}]}
/// ```
/// `role` is `intake`, `operator` or `admin` (see `APIRole`); `agencies` and `created` are optional.
public struct APIKeyFile: Sendable {
    public struct Entry: Codable, Sendable, Hashable {
        public var name: String?
        public var role: String
        public var sha256: String?
        /// A plain key, accepted for hand-written files; `otklik keys` never writes one.
        public var key: String?
        public var agencies: [String]?
        public var created: String?
    }

    public var entries: [Entry]

    public init(entries: [Entry] = []) { self.entries = entries }

    /// The file at `path`; a missing file is an error (the server was told to read it).
    public static func read(_ path: String) throws -> APIKeyFile {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw APIKeysError.unreadable(path: path, reason: error.localizedDescription)
        }
        struct File: Decodable { var keys: [Entry] }
        do {
            return APIKeyFile(entries: try JSONDecoder().decode(File.self, from: data).keys)
        } catch {
            throw APIKeysError.malformed(source: path, reason: "expected {\"keys\": [{\"name\", \"role\", \"key\" or \"sha256\"}]}")
        }
    }

    /// The file at `path`, or no keys when there is none yet.
    public static func readIfPresent(_ path: String) throws -> APIKeyFile {
        FileManager.default.fileExists(atPath: path) ? try read(path) : APIKeyFile()
    }

    /// The keys, checked: known roles, well-formed digests, agencies only on operator keys.
    public func keys(source: String) throws -> APIKeys {
        var keys = APIKeys()
        for (n, e) in entries.enumerated() {
            guard let role = APIRole(rawValue: e.role) else {
                throw APIKeysError.malformed(source: source, reason: "key \(n + 1): role '\(e.role)' is not one of \(APIRole.names)")
            }
            let name = e.name ?? "\(role.rawValue)-\(n + 1)"
            let agencies = Set(e.agencies ?? [])
            guard agencies.isEmpty || role == .operator_ else {
                throw APIKeysError.malformed(source: source, reason: "key \(n + 1): only operator keys name agencies")
            }
            if let digest = e.sha256 {
                guard Self.isDigest(digest) else {
                    throw APIKeysError.malformed(source: source, reason: "key \(n + 1): sha256 must be 64 hex digits")
                }
                keys.add(sha256: digest, role: role, name: name, agencies: agencies)
            } else if let plain = e.key, !plain.isEmpty {
                keys.add(plainKey: plain, role: role, name: name, agencies: agencies)
            } else {
                throw APIKeysError.malformed(source: source, reason: "key \(n + 1): needs \"key\" or \"sha256\"")
            }
        }
        return keys
    }

    static func isDigest(_ s: String) -> Bool { s.count == 64 && s.allSatisfy(\.isHexDigit) }

    /// The names the keys go by (an unnamed key by its role and position, as the server names it).
    public var names: [String] {
        entries.enumerated().map { n, e in e.name ?? "\(e.role)-\(n + 1)" }
    }

    /// Adds a new random key and returns it with its name; only its digest is kept.
    /// - Throws: `APIKeysError.malformed` for a taken name or agencies on a key that is not an operator's.
    public mutating func create(role: APIRole, name: String?, agencies: [String], now: Date) throws -> (name: String, key: String) {
        guard agencies.isEmpty || role == .operator_ else {
            throw APIKeysError.malformed(source: "--agency", reason: "only operator keys are limited to agencies")
        }
        let taken = Set(names)
        let chosen: String
        if let name {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, trimmed.count <= 100,
                  !trimmed.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                throw APIKeysError.malformed(source: "--name", reason: "a name is 1 to 100 printable characters")
            }
            guard !taken.contains(trimmed) else {
                throw APIKeysError.malformed(source: "--name", reason: "a key named '\(trimmed)' exists; revoke it first or choose another name")
            }
            chosen = trimmed
        } else {
            chosen = (1...).lazy.map { "\(role.rawValue)-\($0)" }.first { !taken.contains($0) }!
        }
        let key = Self.newKey()
        entries.append(Entry(name: chosen, role: role.rawValue, sha256: SHA256.hex(key), key: nil,
                             agencies: agencies.isEmpty ? nil : agencies, created: Timestamp.format(now)))
        return (chosen, key)
    }

    /// Removes the key named `name`; false when there is none.
    public mutating func revoke(name: String) -> Bool {
        let before = entries.count
        let names = self.names
        entries = zip(entries, names).filter { $0.1 != name }.map(\.0)
        return entries.count < before
    }

    /// Writes the file readable by its owner only: a new file with mode 0600 beside the old one, then renamed over
    /// it, so that a reader sees the old file or the new one and never half of one. Plain keys are written as
    /// their digests.
    public func write(to path: String) throws {
        var out = entries
        for i in out.indices {
            if let plain = out[i].key, out[i].sha256 == nil {
                out[i].sha256 = SHA256.hex(plain)
            }
            out[i].key = nil
        }
        struct File: Encodable { var keys: [Entry] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do { data = try encoder.encode(File(keys: out)) + Data("\n".utf8) } catch {
            throw APIKeysError.unwritable(path: path, reason: "\(error)")
        }
        let temp = path + ".tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw APIKeysError.unwritable(path: path, reason: String(cString: strerror(errno))) }
        // An old temporary file of the same name keeps its mode through O_TRUNC.
        fchmod(fd, 0o600)
        let written = data.withUnsafeBytes { buf in writeAll(fd, buf) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == data.count, synced, rename(temp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw APIKeysError.unwritable(path: path, reason: reason)
        }
    }

    /// `otk_` and 128 random bits in hex.
    static func newKey() -> String {
        var rng = SystemRandomNumberGenerator()
        let words = [rng.next(), rng.next()] as [UInt64]
        return "otk_" + words.map { w in
            let hex = String(w, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}

/// Writes every byte (`write` may write fewer than asked); the count written, or -1.
private func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Int {
    var done = 0
    while done < buffer.count {
        let n = write(fd, buffer.baseAddress! + done, buffer.count - done)
        if n < 0 {
            if errno == EINTR { continue }
            return -1
        }
        done += n
    }
    return done
}
