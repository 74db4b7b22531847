public import OtklikCore
import Foundation
import GRDB

/// Which values of the database's change counter this store's own commits made.
///
/// Every write transaction that changes incidents or areas adds one to the counter (a row of
/// `store_change_places`, the counter being its last rowid), whichever process commits it. A value this store did not record was made by another
/// writer. Own values are recorded inside the transaction, before its commit can be seen by any reader, and
/// forgotten when it rolls back, so that no reader ever sees an own value that is not recorded yet.
///
/// `PRAGMA data_version` would tell another connection's commits without a counter, but only on the connection
/// that asks, and that would have to be the writer's, the one connection that sees no own commit as foreign:
/// every poll would wait behind the writes it polls for.
struct CommitLedger: Sendable {
    /// Own values kept at most; past it the oldest half goes, which can only make a poll that comes that late
    /// take own commits for foreign ones (their places are logged too, so that costs a few tiles more).
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

    /// The commits that took the counter from `seen` to `now` and are not this store's own, in order; nil when
    /// they cannot be listed: the counter went back (the file was replaced: restored from a backup, copied over),
    /// or more foreign commits came than `ChangedPlaces.kept` (their places are gone from the log). Any number of
    /// own commits is none: a server taking a thousand POSTs a second makes some 250 between two polls. Values up
    /// to `now` are forgotten, they have been seen.
    mutating func foreignCommits(after seen: Int64, upTo now: Int64) -> [Int64]? {
        guard now != seen else { return [] }
        defer { own.removeAll { $0 <= now } }
        guard now > seen else { return nil }
        let mine = Set(own.filter { $0 > seen && $0 <= now })
        guard now - seen - Int64(mine.count) <= ChangedPlaces.kept else { return nil }
        return (seen + 1...now).filter { !mine.contains($0) }
    }
}

/// Where one commit changed incidents, logged as the change counter's row (table `store_change_places`) so that a
/// server on the same file drops only the tiles and points another process's commit touched, as a PostGIS server
/// does with the points its notifications carry. Everything (areas replaced, a copy, an interrupted load finished,
/// more than `StoreChangeBuffer.pointLimit` points) is logged as NULL.
enum ChangedPlaces {
    /// Commits whose places are kept: a server polls four times a second, so it is this many commits behind only
    /// under a burst it could not follow anyway, and then it drops everything. At most about 50 MB of points
    /// (each commit's at most 10,000, for `kept` + `pruneEvery` commits), in practice far less: a POST logs its
    /// few points, an import's large transactions log none.
    static let kept: Int64 = 256
    /// The older rows go once per this many commits, not at each, so that most commits write the one page their
    /// row goes to, as the counter's update did before the log.
    static let pruneEvery: Int64 = 64

    /// As stored: each point's longitude and latitude as little-endian doubles; NULL for everything.
    static func encode(_ change: StoreChange) -> Data? {
        var capped = StoreChange.nothing
        capped.add(change)
        guard case .written(let points) = capped else { return nil }
        var data = Data(capacity: points.count * 16)
        for p in points {
            withUnsafeBytes(of: p.lon.bitPattern.littleEndian) { data.append(contentsOf: $0) }
            withUnsafeBytes(of: p.lat.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
        return data
    }

    /// The change a stored value records: everything for NULL or a value that is not whole points.
    static func decode(_ data: Data?) -> StoreChange {
        guard let data, data.count % 16 == 0 else { return .everything }
        return .written(data.withUnsafeBytes { raw in
            func double(at i: Int) -> Double { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))) }
            return stride(from: 0, to: raw.count, by: 16).map { GeoPoint(lon: double(at: $0), lat: double(at: $0 + 8)) }
        })
    }
}

extension SpatiaLiteStore: StoreChangeFeed {
    /// How often the change counter is read: a commit by another process is seen within this much.
    static let changePollInterval = Duration.milliseconds(250)

    /// Adds one to the change counter inside the open write transaction, records the value as this store's own
    /// and logs what the transaction `changed` (see `ChangedPlaces`). The counter is the log's last rowid, so one
    /// row is all a commit adds; the oldest rows go every `ChangedPlaces.pruneEvery` commits. Every write path
    /// that changes incidents or areas calls it, bulk loads included; the access audit does not, since it changes
    /// nothing a server remembers.
    func noteCommit(_ db: Database, changed: StoreChange) throws {
        try db.cachedStatement(sql: "INSERT INTO store_change_places (points) VALUES (?)")
            .execute(arguments: [ChangedPlaces.encode(changed)])
        let value = db.lastInsertedRowID
        if value % ChangedPlaces.pruneEvery == 0 {
            try db.cachedStatement(sql: "DELETE FROM store_change_places WHERE version <= ?")
                .execute(arguments: [value - ChangedPlaces.kept])
        }
        ownCommits.withLock { $0.recordOwn(value) }
        db.afterNextTransaction(onCommit: { _ in }, onRollback: { [self] _ in
            ownCommits.withLock { $0.forget(value) }
        })
    }

    /// What `commits` (foreign ones, from `CommitLedger`) changed, together: nil for nothing, everything when any
    /// of them logged everything or its entry is gone (pruned, or `commits` is nil).
    func change(of commits: [Int64]?) async throws -> StoreChange? {
        guard let commits else { return .everything }
        guard let first = commits.first, let last = commits.last else { return nil }
        let logged = try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT version, points FROM store_change_places WHERE version BETWEEN ? AND ?"),
                             arguments: [first, last])
                .reduce(into: [Int64: Data?]()) { $0[$1[0]] = .some($1[1]) }
        }
        var change = StoreChange.nothing
        for v in commits {
            change.add(logged[v].map(ChangedPlaces.decode) ?? .everything)
            if case .everything = change { return change }
        }
        return change == .nothing ? nil : change
    }

    /// The change counter as committed now.
    func changeVersion() async throws -> Int64 {
        try await pool.read { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(version), 0) FROM store_change_places")) ?? 0
        }
    }

    /// Commits by other processes on the same file (an `otklik import` beside the server, another server): the
    /// points each one logged, or `.everything` for one that logged none. Read every `changePollInterval`; one
    /// row from a reader connection, and the log of the foreign commits when there are any.
    public func changes() -> AsyncStream<StoreChange> {
        StoreChangeBuffer.stream { [self] buffer in
            var seen: Int64?
            var missed = false
            while !Task.isCancelled {
                do {
                    let now = try await changeVersion()
                    let change: StoreChange?
                    if let s = seen {
                        change = try await self.change(of: ownCommits.withLock { $0.foreignCommits(after: s, upTo: now) })
                    } else {
                        change = missed ? .everything : nil
                    }
                    if change == .everything {
                        // Another process may have replaced the areas: new incidents are placed with fresh ones.
                        invalidateLocator()
                    }
                    if let change { buffer.add(change) }
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
