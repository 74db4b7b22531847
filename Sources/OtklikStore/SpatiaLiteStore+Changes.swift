public import OtklikCore
import Foundation
import GRDB

/// Which values of the database's change counter this store's own commits made.
///
/// Every write transaction that changes incidents or areas adds one to the counter (the one row of
/// `store_changes`), whichever process commits it. A value this store did not record was made by another
/// writer. Own values are recorded inside the transaction, before its commit can be seen by any reader, and
/// forgotten when it rolls back, so that no reader ever sees an own value that is not recorded yet.
///
/// `PRAGMA data_version` would tell another connection's commits without a counter, but only on the connection
/// that asks, and that would have to be the writer's, the one connection that sees no own commit as foreign:
/// every poll would wait behind the writes it polls for.
struct CommitLedger: Sendable {
    /// Own values kept at most; past it the oldest half goes, which can only make a poll that comes that late
    /// take own commits for foreign ones (and drop everything once more than needed).
    static let capacity = 4_096
    /// Ascending: the counter only grows and own commits are made one after the other on the one writer.
    private(set) var own: [Int64] = []

    mutating func recordOwn(_ value: Int64) {
        own.append(value)
        if own.count > Self.capacity { own.removeFirst(own.count - Self.capacity / 2) }
    }

    /// The transaction that made `value` rolled back: the next commit, own or not, makes it again.
    mutating func forget(_ value: Int64) {
        if let i = own.lastIndex(of: value) { own.remove(at: i) }
    }

    /// Whether the commits that took the counter from `seen` to `now` include another writer's: fewer own values
    /// in that range than commits. A counter that went back means the file was replaced (restored from a
    /// backup, copied over): that is foreign too. Values up to `now` are forgotten, they have been seen.
    mutating func foreignCommits(after seen: Int64, upTo now: Int64) -> Bool {
        guard now != seen else { return false }
        defer { own.removeAll { $0 <= now } }
        guard now > seen else { return true }
        return Int64(own.count { $0 > seen && $0 <= now }) < now - seen
    }
}

extension SpatiaLiteStore: StoreChangeFeed {
    /// How often the change counter is read: a commit by another process is seen within this much.
    static let changePollInterval = Duration.milliseconds(250)

    /// Adds one to the change counter inside the open write transaction and records the value as this store's
    /// own. Every write path that changes incidents or areas calls it, bulk loads included; the access audit does
    /// not, since it changes nothing a server remembers.
    func noteCommit(_ db: Database) throws {
        guard let value = try Int64.fetchOne(db.cachedStatement(
            sql: "UPDATE store_changes SET version = version + 1 WHERE id = 1 RETURNING version")) else {
            throw StoreError(.sqlite, "the change counter (table store_changes) has no row")
        }
        ownCommits.withLock { $0.recordOwn(value) }
        db.afterNextTransaction(onCommit: { _ in }, onRollback: { [self] _ in
            ownCommits.withLock { $0.forget(value) }
        })
    }

    /// The change counter as committed now.
    func changeVersion() async throws -> Int64 {
        try await pool.read { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT version FROM store_changes WHERE id = 1")) ?? 0
        }
    }

    /// Commits by other processes on the same file (an `otklik import` beside the server), each as
    /// `.everything`: the counter says that another writer committed, not where. Read every
    /// `changePollInterval`; one row from a reader connection, about as cheap as a query gets.
    public func changes() -> AsyncStream<StoreChange> {
        StoreChangeBuffer.stream { [self] buffer in
            var seen: Int64?
            var missed = false
            while !Task.isCancelled {
                do {
                    let now = try await changeVersion()
                    let foreign = seen.map { s in ownCommits.withLock { $0.foreignCommits(after: s, upTo: now) } } ?? missed
                    if foreign {
                        // Another process may have replaced the areas: new incidents are placed with fresh ones.
                        invalidateLocator()
                        buffer.add(.everything)
                    }
                    seen = now
                } catch {
                    // Without a first reading, what happened meanwhile is unknown: everything, once read.
                    if seen == nil { missed = true }
                    logger.debug("cannot read the change counter: \(error)")
                }
                try? await Task.sleep(for: Self.changePollInterval)
            }
        }
    }
}
