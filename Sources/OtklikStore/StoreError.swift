/// A storage failure. Carries SQLite's or SpatiaLite's own message so that the log says what broke;
/// the HTTP layer shows only a generic 500 detail for these.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case open, spatialite, migration, sqlite, importFile, corrupt, busy }
    public var kind: Kind
    public var message: String
    public var description: String { message }

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}
