public import OtklikCore
public import Logging
import Foundation
import GRDB
import CSpatiaLite
import Synchronization

/// The SpatiaLite implementation of the storage ports.
///
/// A GRDB `DatabasePool` (WAL: many readers, one writer) with mod_spatialite loaded into every connection.
/// Incidents keep their coordinates twice: as REAL lon/lat (exact tests, fast reads) and as a SpatiaLite
/// POINT with an R*Tree index (bbox candidates, and what GIS tools read).
public final class SpatiaLiteStore: IncidentRepository, IncidentNotes, AreaRepository, DatabaseSizeReporting, @unchecked Sendable {
    public let path: String
    public let taxonomy: Taxonomy
    let pool: DatabasePool
    let logger: Logger
    let metric: AreaLocator.Metric
    let settlementRadius: Double
    /// What a commit survives (see `StoreDurability`).
    public let durability: StoreDurability
    private let locatorLock = NSLock()
    private var cachedLocator: AreaLocator?
    private var routing: AgencyRouting?
    /// Held from `beginBulk` to `endBulk`.
    let heldLoadLock = Mutex<LoadLock?>(nil)
    /// Where the bulk load under way wrote, logged again when it ends (see `endBulk`).
    let loadPlaces = Mutex(StoreChange.nothing)
    /// See `keyIsPresent`.
    let keyPresence = Mutex<(schemaVersion: Int, present: Bool)?>(nil)
    /// The page cache of every connection, in SQLite's negative-KiB form.
    static let cacheKiB = -32768
    /// See `usesRTree`.
    let boxPlans = Mutex<[BBox: (usesRTree: Bool, at: ContinuousClock.Instant)]>([:])
    /// The change counter values of this store's own commits (see `CommitLedger`).
    let ownCommits = Mutex(CommitLedger())

    /// Opens (creating if needed) and migrates the database at `path`.
    /// - Parameters:
    ///   - settlementRadius: metres within which the nearest settlement point is assigned (default 3 km).
    ///   - metric: the metric for that search and for `nearby`; pass the geodesic one (OtklikGeo) in production.
    ///   - durability: what a single write survives; `full` unless the operator chose otherwise.
    ///
    /// A new database file is created readable and writable by its owner only (0600): it holds reporters' names,
    /// phones and e-mails. SQLite gives its -wal, -shm and -journal files the mode of the database file.
    public init(path: String, taxonomy: Taxonomy, logger: Logger, settlementRadius: Double = 3000,
                metric: AreaLocator.Metric = .sphere, durability: StoreDurability = .full) throws {
        self.path = path
        self.taxonomy = taxonomy
        self.logger = logger
        self.metric = metric
        self.settlementRadius = settlementRadius
        self.durability = durability
        try Self.createPrivately(path)
        var config = Configuration()
        config.busyMode = .timeout(30)
        config.maximumReaderCount = 8
        config.prepareDatabase { db in
            guard let conn = db.sqliteConnection else { throw StoreError(.open, "no SQLite connection") }
            try SpatiaLiteLoader.load(into: conn)
            // The default 4 KB pages. 8 KB pages made a million-row import about 2 s faster but cut single POSTs
            // from about 2,400/s to 1,500/s: each small commit writes every page it touches, twice the bytes.
            // 32 MB of page cache: the (source, external_id) key of a million rows no longer fits the 2 MB default.
            try db.execute(sql: "PRAGMA cache_size = \(SpatiaLiteStore.cacheKiB)")
            // Readers read through a memory map instead of a pread (and a copy) per page: a 10,000-feature page
            // spent a quarter of its time copying pages out of the kernel. Not the writer: a bulk import reads
            // back every row to index it, and mapped pages would count against its memory.
            if db.configuration.readonly { try db.execute(sql: "PRAGMA mmap_size = 1073741824") }
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch let e as StoreError {
            throw e
        } catch {
            throw StoreError(.open, "cannot open database \(path): \(error)")
        }
        do {
            try pool.writeWithoutTransaction { db in
                // Only the writer commits. GRDB sets NORMAL on it when it turns WAL on, after `prepareDatabase`, so
                // the choice is made here (see `StoreDurability` for what each loses).
                try db.execute(sql: "PRAGMA synchronous = \(durability.pragma)")
                let hasMeta = try Bool.fetchOne(db, sql:
                    "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'spatial_ref_sys'") ?? false
                if !hasMeta {
                    let ok = try Int.fetchOne(db, sql: "SELECT InitSpatialMetadata(1)") ?? 0
                    guard ok == 1 else { throw StoreError(.spatialite, "InitSpatialMetadata failed") }
                }
            }
            try Schema.migrator().migrate(pool)
            try recoverDeferredIndex()
        } catch let e as StoreError {
            throw e
        } catch {
            throw StoreError(.migration, "cannot migrate \(path): \(error)")
        }
    }

    /// Creates an empty database file (a valid empty SQLite database) with mode 0600 when there is none, so that
    /// SQLite, which creates the file with 0644 less the umask, opens ours instead. An existing file keeps the
    /// mode its owner gave it.
    static func createPrivately(_ path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 {
            close(fd)
            return
        }
        let code = errno
        guard code == EEXIST else {
            throw StoreError(.open, "cannot create database \(path): \(String(cString: strerror(code)))")
        }
    }

    /// Size of the database files in bytes (main file plus WAL).
    public func databaseSize() throws -> Int64 {
        var total: Int64 = 0
        for suffix in ["", "-wal"] {
            if let attrs = try? FileManager.default.attributesOfItem(atPath: path + suffix),
               let size = attrs[.size] as? NSNumber {
                total += size.int64Value
            }
        }
        return total
    }

    // MARK: - Area locator

    /// The area layers as the locator that places incidents, read once and kept until the areas change. Read
    /// with GRDB's async API: a synchronous read here blocked a thread of Swift's cooperative pool per waiting
    /// request, and under a burst of POSTs every such thread waited for a reader connection while the work that
    /// would release one could not run (the server stopped answering, /healthz included).
    func locator() async throws -> AreaLocator {
        if let l = locatorLock.withLock({ cachedLocator }) { return l }
        let (d, s) = try await pool.read { db in (try Self.readAreas(db, level: .district), try Self.readAreas(db, level: .settlement)) }
        return installLocator(districts: d, settlements: s)
    }

    /// The locator for synchronous callers (the bulk pipeline's preparation, after `beginBulk` has read it).
    func loadedLocator() throws -> AreaLocator {
        if let l = locatorLock.withLock({ cachedLocator }) { return l }
        let (d, s) = try pool.read { db in (try Self.readAreas(db, level: .district), try Self.readAreas(db, level: .settlement)) }
        return installLocator(districts: d, settlements: s)
    }

    private func installLocator(districts d: [Area], settlements s: [Area]) -> AreaLocator {
        let l = AreaLocator(districts: d, settlements: s, maxSettlementDistance: settlementRadius, metric: metric)
        locatorLock.withLock { cachedLocator = l }
        return l
    }

    /// Per-district agency overrides applied on write; nil means the category's own agency.
    public func setAgencyRouting(_ routing: AgencyRouting?) {
        locatorLock.withLock { self.routing = routing }
    }

    /// The agency a new incident is routed to: the district override when there is one, else the category's.
    func agency(for inc: Incident, district: String?) -> String {
        if let r = locatorLock.withLock({ routing }) {
            let a = r.agency(category: inc.category, district: district)
            if !a.isEmpty { return a }
        }
        return inc.agency.isEmpty ? (taxonomy[inc.category]?.agency ?? "") : inc.agency
    }

    func invalidateLocator() {
        locatorLock.lock()
        cachedLocator = nil
        locatorLock.unlock()
    }

    /// A write transaction, run once more when it failed because another connection changed the schema since
    /// this one last read it: a bulk load sets indexes and triggers aside and puts them back. SQLite (3.40) then
    /// fails the first INSERT with SQLITE_SCHEMA ("no such table: incidents") instead of preparing it again; the
    /// failed transaction was rolled back, and the second run reads the new schema.
    func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(updates)
        } catch let e as DatabaseError where e.resultCode == .SQLITE_SCHEMA {
            logger.debug("schema changed by another connection; writing again")
            return try await pool.write(updates)
        }
    }

    func wrap<T>(_ what: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as DomainError {
            throw e
        } catch let e as StoreError {
            throw e
        } catch let e as ValidationError {
            throw e
        } catch {
            throw StoreError(.sqlite, "\(what): \(error)")
        }
    }
}
