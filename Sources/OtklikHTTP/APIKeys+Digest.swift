import OtklikCore

extension APIKeys {
    /// The hex SHA-256 under which a key is stored, for tools that write keys files (`otklik demo`).
    public static func digest(_ plainKey: String) -> String { SHA256.hex(plainKey) }
}
