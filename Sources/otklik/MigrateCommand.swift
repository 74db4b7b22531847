import ArgumentParser
import Foundation
import Logging
import OtklikCore
import OtklikPostGIS

/// `otklik migrate`: a whole database copied between SpatiaLite and PostGIS, then verified table by table.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy a whole database between SpatiaLite and PostGIS (either way), then verify the copy.",
        discussion: """
        Copies every table: districts, settlements, incidents with their ids (links and hotspot ids stay valid), \
        status events, reporters' personal data (apart from the incidents, as in both stores), the record of contact \
        reads and the keys' last use. Ids given after the copy continue after the copied ones. Then every table is \
        read again on both sides: its row count and the SHA-256 of its rows (canonical text, in key order) are printed, \
        and any difference is an error (exit 1).

        The target must hold no rows: copying into a database in use would mix two databases' incidents and ids. \
        With --force, everything the target holds is deleted first. A SpatiaLite target that does not exist is created.

        API keys live in api-keys.json beside the database, not in it: the source's file is copied beside the target \
        when the target has none.

        Example: otklik migrate --from data/otklik.sqlite --to postgresql://otklik@127.0.0.1:5432/otklik
        """)

    @Option(help: "Folder whose categories.json and agency-overrides.json replace the copies built into otklik (env OTKLIK_DATA; default data, when it exists).")
    var dataDir: String?
    @Flag(help: "Log the stores' own notes too.") var verbose = false
    @Option(help: "The database to copy: a SpatiaLite file, or postgresql://user@host:port/dbname.") var from: String
    @Option(help: "The database to copy into: a SpatiaLite file (created when missing), or postgresql://user@host:port/dbname.")
    var to: String
    @Flag(help: "Delete everything the target holds before copying, instead of refusing a target that holds rows.")
    var force = false
    @Option(help: "Rows read and written at a time.") var chunkSize = 10_000

    func validate() throws {
        guard (1...1_000_000).contains(chunkSize) else { throw ValidationError("--chunk-size must be between 1 and 1000000") }
        // However they are spelled: with --force, a copy onto its own source would delete it.
        guard Self.identity(from) != Self.identity(to) else { throw ValidationError("--from and --to name the same database") }
    }

    /// The shared options as the other commands read them; no --db, which --from and --to replace.
    var global: GlobalOptions {
        get throws { try GlobalOptions.parse((dataDir.map { ["--data-dir", $0] } ?? []) + (verbose ? ["--verbose"] : [])) }
    }

    func run() async throws {
        let started = Date()
        let global = try self.global
        let taxonomy = try global.taxonomy()
        let routing = try global.agencyRouting(taxonomy: taxonomy)
        // The copy's own lines say what happens; the stores' notes (a migration, a retried connection) only with --verbose.
        var logger = global.logger("otklik.store")
        if !global.verbose { logger.logLevel = .warning }
        func open(_ db: String, mustExist: Bool) async throws -> any StoreBackend {
            if StoreFactory.isPostGIS(db) {
                let location: PostGISLocation
                do { location = try PostGISLocation(url: db) } catch { throw CLIError(error.description) }
                do { try await PostGISStore.checkReachable(location, logger: logger) } catch { throw CLIError("\(error)") }
            }
            return try StoreFactory.open(db, taxonomy: taxonomy, routing: routing, logger: logger, mustExist: mustExist,
                                         durability: .full)
        }
        if !StoreFactory.isPostGIS(from) && !FileManager.default.fileExists(atPath: from) {
            throw CLIError("no database at \(from) to copy; check --from")
        }
        let source = try await open(from, mustExist: true)
        let target = try await open(to, mustExist: false)
        let counts = try await Self.counts(of: source, named: from)
        let held = try await Self.reading(to) { try await target.nonEmptyTables() }
        if !held.isEmpty {
            let what = held.map { "\($0.table.name): \(formatCount($0.rows))" }.joined(separator: ", ")
            guard force else {
                throw CLIError("\(Self.shown(to)) already holds rows (\(what)); choose an empty database, or pass --force to replace them")
            }
            try await target.clearTransferTables()
            Keys.note("deleted what \(Self.shown(to)) held (\(what))")
        }

        let total = max(1, counts.reduce(0) { $0 + $1.rows })
        let progress = ProgressLine(label: "migrate")
        var copied: [TableChecksum] = []
        var before = 0
        for (table, rows) in counts {
            let offset = before
            copied.append(try await StoreCopy.copy(table, from: source, to: target, chunkSize: chunkSize) { done in
                progress.update(fraction: Double(offset + done) / Double(total) * 0.8,
                                detail: "\(table.name): \(formatCount(done)) of \(formatCount(rows)) rows copied")
            })
            before += rows
        }
        try await target.finishTransfer()

        var verified: [TableChecksum] = []
        before = 0
        for (table, rows) in counts {
            let offset = before
            verified.append(try await StoreCopy.checksum(table, of: target, chunkSize: chunkSize) { done in
                progress.update(fraction: 0.8 + Double(offset + done) / Double(total) * 0.2,
                                detail: "\(table.name): \(formatCount(done)) of \(formatCount(rows)) rows verified")
            })
            before += rows
        }
        progress.finish("copied \(formatCount(copied.reduce(0) { $0 + $1.rows })) rows from \(Self.shown(from)) to \(Self.shown(to)) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")

        Keys.printTable(header: ["table", "rows", "sha256", "target"], rows: zip(copied, verified).map { a, b in
            [a.table, String(a.rows), a.sha256, a == b ? "same" : "\(b.rows) rows, \(b.sha256)"]
        })
        let differing = zip(copied, verified).filter { $0 != $1 }
        if let (a, b) = differing.first {
            let more = differing.count > 1 ? " (and \(differing.count - 1) more tables)" : ""
            throw CLIError("verification failed: \(a.table) has \(a.rows) rows (sha256 \(a.sha256)) in \(Self.shown(from)) but \(b.rows) rows (sha256 \(b.sha256)) in \(Self.shown(to))\(more)")
        }
        copyKeysFile()
    }

    /// What names one database: the resolved file, or the server and database of a URL.
    static func identity(_ db: String) -> String {
        if StoreFactory.isPostGIS(db) {
            guard let l = try? PostGISLocation(url: db) else { return db }
            return "\(l.host.lowercased()):\(l.port)/\(l.database)"
        }
        return URL(fileURLWithPath: db).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// The row count of every table of the source, which must be readable.
    static func counts(of store: any StoreBackend, named db: String) async throws -> [(TransferTable, rows: Int)] {
        try await reading(db) {
            var out: [(TransferTable, rows: Int)] = []
            for t in TransferTable.all { out.append((t, try await store.transferCount(t))) }
            return out
        }
    }

    /// A first read of a database, whose failure (no server, a wrong name) is said in one line with the database.
    static func reading<T>(_ db: String, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let e as CLIError { throw e } catch {
            let text = "\(error)".split(whereSeparator: \.isNewline).first.map(String.init) ?? "\(error)"
            throw CLIError(text.contains(shown(db)) ? text : "\(shown(db)): \(text)")
        }
    }

    /// The database as messages name it (a URL without its password).
    static func shown(_ db: String) -> String {
        guard StoreFactory.isPostGIS(db), let c = URLComponents(string: db), c.password != nil else { return db }
        var copy = c
        copy.password = nil
        return copy.string ?? db
    }

    /// The API keys file of the source beside the target, unless the target has one or it is the same file.
    func copyKeysFile() {
        func keysFile(_ db: String) -> String {
            if let f = ProcessInfo.processInfo.environment["OTKLIK_API_KEYS_FILE"], !f.isEmpty { return f }
            if StoreFactory.isPostGIS(db) { return "api-keys.json" }
            let dir = (db as NSString).deletingLastPathComponent
            return (dir.isEmpty ? "." : dir) + "/api-keys.json"
        }
        let (a, b) = (keysFile(from), keysFile(to))
        let fm = FileManager.default
        guard fm.fileExists(atPath: a), URL(fileURLWithPath: a).standardized != URL(fileURLWithPath: b).standardized else { return }
        if fm.fileExists(atPath: b) {
            if fm.contentsEqual(atPath: a, andPath: b) { return }
            Keys.note("note: \(b) already exists and was kept; the keys in \(a) were not copied")
            return
        }
        do {
            try fm.copyItem(atPath: a, toPath: b)
            try fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: b)
            Keys.note("copied the API keys file \(a) to \(b)")
        } catch {
            Keys.note("note: the API keys file \(a) was not copied to \(b): \(error.localizedDescription)")
        }
    }
}
