import Foundation

/// Where a PostGIS database is: the parts of a `postgresql://user[:password]@host[:port]/dbname` URL.
public struct PostGISLocation: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String

    public init(host: String, port: Int = 5432, user: String, password: String? = nil, database: String) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
    }

    /// Whether `text` names a PostgreSQL database rather than a file.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    /// Parses a `postgresql://` URL; throws with what to fix when a part is missing.
    public init(url text: String) throws(PostGISError) {
        guard Self.isURL(text), let c = URLComponents(string: text) else {
            throw PostGISError(.url, "'\(Self.redacted(text))' is not a postgresql://user@host:port/dbname URL")
        }
        guard let host = c.host, !host.isEmpty else {
            throw PostGISError(.url, "the database URL names no host: postgresql://user@host:port/dbname")
        }
        guard let user = c.user, !user.isEmpty else {
            throw PostGISError(.url, "the database URL names no user: postgresql://user@\(host)/dbname")
        }
        let name = String(c.path.drop { $0 == "/" })
        guard !name.isEmpty, !name.contains("/") else {
            throw PostGISError(.url, "the database URL names no database: postgresql://\(user)@\(host)/dbname")
        }
        self.init(host: host, port: c.port ?? 5432, user: user, password: c.password, database: name)
    }

    /// The URL without its password, for messages and logs.
    public var description: String { "postgresql://\(user)@\(host):\(port)/\(database)" }

    static func redacted(_ text: String) -> String {
        guard let c = URLComponents(string: text), c.password != nil else { return text }
        var copy = c
        copy.password = "***"
        return copy.string ?? text
    }
}

/// A failure of the PostGIS backend, with the server's own message when there is one.
public struct PostGISError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case url, connect, migration, query, corrupt, load }
    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
