public import OtklikCore
import Foundation
import GRDB

/// The store's side of a bulk load: the `BulkIncidentLoading` port, the steps it orders (set the indexes
/// aside, write through a `BulkLoad`, rebuild them), the journal switch around them, and the recovery of a
/// load that a previous process did not finish.
extension SpatiaLiteStore: BulkIncidentLoading {
    /// Finishes a bulk load that a previous process did not finish. A load that is still running in another
    /// process holds its `LoadLock` and is left to finish itself.
    func recoverDeferredIndex() throws {
        guard try pool.read({ db in try DeferredIndexes.saved(db) }) != nil else { return }
        guard let lock = try LoadLock.take(for: path) else {
            logger.info("a bulk load is writing to \(path); it rebuilds the indexes it set aside when it ends")
            return
        }
        try withExtendedLifetime(lock) {
            try pool.write { db in
                guard try DeferredIndexes.saved(db) != nil else { return }
                logger.warning("finishing an interrupted bulk load: building the indexes it set aside")
                let removed = try DeferredIndexes.restore(db)
                // Where the interrupted load wrote is not known.
                try self.noteCommit(db, changed: .everything)
                if removed > 0 {
                    logger.warning("removed \(removed) incidents of the interrupted load that repeated the (source, external_id) of one loaded before them")
                }
            }
        }
    }

    /// Computes everything the bulk insert binds for these incidents (areas, agency, text timestamps,
    /// geometry), without the database. It also checks what the table's CHECK constraints check, since the
    /// bulk writer leaves them off (see `withBulkPragmas`): the position's range here, the status by its type.
    public func prepareBulk(_ incidents: [Incident]) throws -> PreparedChunk {
        let loc = try loadedLocator()
        var chunk = PreparedChunk(capacity: incidents.count)
        for inc in incidents {
            _ = try GeoPoint.validated(lon: inc.location.lon, lat: inc.location.lat)
            let place = loc.assign(inc.location, measuringDistance: false)
            let district = inc.district ?? place.district
            chunk.append(inc, district: district, settlement: inc.settlement ?? place.settlement,
                         agency: agency(for: inc, district: district))
        }
        return chunk
    }

    /// The `BulkIncidentLoading` port: `beginBulk`, a `BulkLoad` for `body`, its `finish` and `endBulk`, in
    /// that order on every path. When `body` or the writer fails, what was sent stays committed and the
    /// indexes are rebuilt anyway, so that the database is consistent whatever stopped the load.
    public func withBulkLoad<T>(_ options: BulkLoadOptions, _ body: (BulkLoad) async throws -> T) async throws
        -> (value: T, written: BulkLoadCounts) {
        try await beginBulk()
        let load = BulkLoad(store: self, actor: options.actor, transactionRows: options.transactionRows)
        do {
            let value = try await body(load)
            var written = try await load.finish()
            // Rows that repeated a key in a load into an empty table are removed only now (see DeferredIndexes).
            let repeats = try await endBulk()
            written.inserted -= repeats
            written.duplicates += repeats
            return (value, written)
        } catch {
            _ = try? await load.finish()
            _ = try? await endBulk()
            throw error
        }
    }

    /// The writer of a `BulkLoad`: one write access for the whole load, a transaction per `transactionRows`
    /// rows (rounded up to whole chunks), until `next` returns nil.
    func writeBulk(actor: String, transactionRows: Int, next: @escaping @Sendable () -> PreparedChunk?,
                   failed: @escaping @Sendable (any Error) -> Void,
                   wrote: @escaping @Sendable ((inserted: Int, duplicates: Int)) -> Void) async throws {
        try await pool.writeWithoutTransaction { db in
            do {
                try Self.withBulkPragmas(db) {
                    let w = try BulkIncidentWriter(db: db, actor: actor)
                    var open = 0
                    var places = StoreChange.nothing
                    func commit() throws {
                        try self.noteCommit(db, changed: places)
                        try db.execute(sql: "COMMIT")
                        self.loadPlaces.withLock { $0.add(places) }
                    }
                    while let chunk = next() {
                        if open == 0 {
                            try db.execute(sql: "BEGIN IMMEDIATE")
                            places = .nothing
                        }
                        wrote(try w.write(chunk))
                        if case .written = places { places.add(.written(chunk.locations)) }
                        open += chunk.count
                        if open >= transactionRows {
                            try commit()
                            open = 0
                        }
                    }
                    if open > 0 { try commit() }
                }
            } catch {
                failed(error)
                throw error
            }
        }
    }

    /// Runs `body` with two kinds of checks off that a bulk write cannot fail, both back on when it returns:
    /// - foreign keys: the events and reporters it adds refer to incidents inserted in the same transaction,
    ///   so checking each reference costs a lookup per row. The pragma has no effect inside a transaction,
    ///   hence the transactions are opened inside `body`;
    /// - CHECK constraints: `prepareBulk` has checked each position's range and a status cannot be other
    ///   than the four of its type. Evaluating them cost about 2 s of a million-row load's 12 s of inserts
    ///   (Benchmarks/import_floor.py). Every other write path keeps them.
    /// The writer's connection serves nothing else during the load's one write access.
    private static func withBulkPragmas<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        try db.execute(sql: "PRAGMA foreign_keys = OFF")
        try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
        defer {
            // A failed body leaves its transaction open, and inside one the foreign-key pragma does nothing.
            if db.isInsideTransaction { try? db.execute(sql: "ROLLBACK") }
            try? db.execute(sql: "PRAGMA ignore_check_constraints = OFF")
            try? db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        return try body()
    }

    /// Writes incidents already in memory through a `BulkLoad` of its own, inside a load begun by `beginBulk`
    /// and ended by `endBulk` by hand: the steps of `withBulkLoad`, for tests that stop between them (a process
    /// that dies half way, another connection writing in between). Everything else uses `withBulkLoad`.
    public func bulkInsert(_ incidents: [Incident], actor: String,
                           transactionRows: Int = BulkLoadOptions.defaultTransactionRows) async throws -> (inserted: Int, duplicates: Int) {
        let load = BulkLoad(store: self, actor: actor, transactionRows: transactionRows)
        do {
            try await load.load(all: incidents)
        } catch {
            _ = try? await load.finish()   // what was sent is committed
            throw error
        }
        let written = try await load.finish()
        return (written.inserted, written.duplicates)
    }

    /// Takes the database's `LoadLock`, sets the deferred indexes aside and, when nothing else has the file
    /// open, switches it to a rollback journal for the load (see `useRollbackJournal`). Throws when another
    /// load is writing to the same file.
    public func beginBulk() async throws {
        // The areas are read now: nothing reads the database while the load writes.
        _ = try await locator()
        guard let lock = try LoadLock.take(for: path) else {
            throw StoreError(.busy, "another import is loading into \(path); run this one when it has finished")
        }
        heldLoadLock.withLock { $0 = lock }
        loadPlaces.withLock { $0 = .nothing }
        do {
            try await pool.write { db in try DeferredIndexes.setAside(db) }
        } catch {
            heldLoadLock.withLock { $0 = nil }
            throw error
        }
        await useRollbackJournal()
    }

    /// Rebuilds what `beginBulk` set aside, returns the file to WAL and releases the `LoadLock`. Returns the
    /// number of incidents removed because they repeated the key of one loaded before them (only when the key
    /// was set aside, see `BulkIncidentWriter`); they were counted as inserted while the load ran.
    @discardableResult
    public func endBulk() async throws -> Int {
        defer { heldLoadLock.withLock { $0 = nil } }
        let removed = try await pool.write { db in
            let removed = try DeferredIndexes.restore(db)
            // Every place the load wrote again: until the R*Tree is rebuilt here, a box query beside the load
            // missed its rows, and a server may have kept a tile drawn so since its commits.
            try self.noteCommit(db, changed: self.loadPlaces.withLock { $0 })
            return removed
        }
        try await useWAL()
        return removed
    }

    /// The journal a bulk load writes through: "delete" (rollback) when it had the file to itself, else "wal".
    public func journalMode() async throws -> String {
        try await pool.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// WAL writes every page twice (into the WAL, then into the file at the checkpoint) and the checkpoints
    /// run on the writer's thread. A rollback journal writes a new page once and journals only the pages that
    /// existed before the transaction, which a load mostly appends past: a million-row import took 2–4 s less.
    ///
    /// SQLite allows the switch only when no other connection has the file open, so a running server (or any
    /// reader) keeps the load in WAL, where it runs as before. A server that starts during the load waits for
    /// a commit, switches the file back to WAL itself, and the load goes on in WAL from its next
    /// transaction. A commit is as durable either way (synchronous FULL while in the rollback journal); a
    /// load killed half way leaves a hot journal, which the next open rolls back before it returns to WAL.
    private func useRollbackJournal() async {
        pool.releaseMemory()   // closes this process's idle readers, which would keep the file in WAL
        do {
            let mode = try await pool.writeWithoutTransaction { db -> String in
                let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE") ?? ""
                if mode == "delete" { try db.execute(sql: "PRAGMA synchronous = FULL") }
                return mode
            }
            if mode == "delete" {
                logger.debug("writing through a rollback journal: nothing else has the database open")
            } else {
                logger.info("\(Self.besideAnotherProcess)")
            }
        } catch {
            // SQLite refuses the switch with "database is locked" while another connection has the file open.
            // That is the expected case, not a failure: say what happens, keep SQLite's words for --verbose.
            logger.info("\(Self.besideAnotherProcess)")
            logger.debug("the switch to a rollback journal was refused: \(error)")
        }
    }

    /// What the load does when it cannot have the file to itself, in the words of someone running an import.
    static let besideAnotherProcess =
        "writing in WAL mode because another process (a server?) has the database open; the import goes on beside it"

    private func useWAL() async throws {
        let mode = try await pool.writeWithoutTransaction { db -> String in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            return try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") ?? ""
        }
        guard mode == "wal" else {
            throw StoreError(.sqlite, "the database stayed in \(mode) journal mode after a bulk load; the next open returns it to WAL")
        }
    }

    /// SQLite's own check of the spatial index structure; "ok" when sound.
    public func checkSpatialIndex() async throws -> String {
        try await pool.read { db in try String.fetchOne(db, sql: "SELECT rtreecheck('idx_incidents_geom')") ?? "" }
    }
}
