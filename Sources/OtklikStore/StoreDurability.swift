/// How hard a commit is pushed to disk before the write returns: SQLite's `synchronous` setting under WAL.
///
/// Either way a commit is in the WAL file before the call returns, so a killed or crashed process loses nothing.
/// They differ on an operating-system crash or power loss:
/// - `full` syncs the WAL at every commit: a write the API answered survives. It costs one fsync per write.
/// - `normal` syncs only at checkpoints: the commits since the last checkpoint (up to about 1,000 pages of
///   WAL) can be lost, though the database stays consistent.
public enum StoreDurability: String, Sendable, CaseIterable {
    case normal
    case full

    /// The value of `PRAGMA synchronous`.
    var pragma: String { self == .full ? "FULL" : "NORMAL" }
}
