import ArgumentParser
import Foundation
import OtklikCore
import OtklikStore

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import incidents (CSV, GeoJSON, NDJSON; gzip too) or area boundaries (GeoJSON).",
        subcommands: [ImportIncidents.self, ImportAreas.self])
}

struct ImportIncidents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "incidents", abstract: "Import incidents from a file.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "CSV, GeoJSON FeatureCollection or NDJSON file (optionally .gz).") var file: String
    @Option(help: "csv, geojson or ndjson (default: from the file name).") var format: String?
    @Option(help: "Map our columns to the file's headers: ours=theirs,… e.g. reported_at=created_at,external_id=source_id.")
    var mapColumns: String?
    @Option(help: "Map the file's category (and status) values to ours: JSON {\"theirs\":\"ours\"} or {\"category\":{…},\"status\":{…}}, or CSV lines theirs,ours.")
    var categoryMap: String?
    @Option(help: "Force this source for every row (portal, hotline, social, inspector, open311, import).") var source: String?
    @Flag(help: "Read timestamps without an offset as UTC.") var assumeUTC = false
    @Flag(help: "Store points outside the region's districts too (they are refused by default: most are latitude and longitude swapped).")
    var allowOutside = false
    @Option(help: "A column with the IANA time zone of timestamps that have no offset.") var tzColumn: String?
    @Option(help: "Write every refused row (line, field, reason) to this CSV file.") var rejects: String?
    @Option(help: "Rows per transaction; an interrupted import keeps every transaction it committed.") var batchSize = BulkLoadOptions.defaultTransactionRows

    func run() async throws {
        guard let fmt = format.map({ ImportFormat(rawValue: $0.lowercased()) }) ?? ImportFormat.guess(path: file) else {
            throw CLIError("cannot tell the format of \(file); pass --format csv|geojson|ndjson")
        }
        guard batchSize > 0 && batchSize <= 1_000_000 else { throw CLIError("--batch-size must be between 1 and 1000000") }
        var options = ImportOptions(format: fmt, assumeUTC: assumeUTC, timeZoneColumn: tzColumn, batchSize: batchSize)
        if let m = mapColumns { options.columnMap = try ImportOptions.parsePairs(m, option: "--map-columns") }
        if let c = categoryMap {
            let maps = try ImportOptions.loadMapFile(c)
            options.categoryMap = maps.categories
            options.statusMap = maps.statuses
        }
        if let s = source { options.source = try IncidentSource.parse(s, field: "--source") }
        guard FileManager.default.isReadableFile(atPath: file) else { throw CLIError("cannot read \(file)") }
        // Before the database is opened: a binary file given by mistake leaves nothing behind.
        try ImportFile.checkIsText(path: file)
        let store = try global.openStore(mustExist: false)
        if !allowOutside { options.region = RegionCheck.covering(try await store.areas(level: .district)) }
        let rejectSink = try RejectSink(path: rejects)
        let progress = ProgressLine(label: "import")
        let report = try await StoreFactory.importFile(into: store, options: options, path: file, onReject: { r in
            rejectSink.write(r)
        }, onProgress: { p in
            let frac = p.bytesTotal > 0 ? Double(p.bytesRead) / Double(p.bytesTotal) : nil
            // The same words as the summary: rows read (refused ones too) and new rows added, so that the last
            // progress line, which carries the final count, and the summary agree.
            progress.update(fraction: p.phase == "index" ? 1 : frac,
                            detail: p.phase == "index" ? "building the spatial index…" : "\(formatCount(p.rowsRead)) rows read, \(formatCount(p.inserted)) added")
        })
        progress.flush()
        rejectSink.close()
        let rate = report.seconds > 0 ? Double(report.rowsRead) / report.seconds : 0
        progress.finish("""
            read \(formatCount(report.rowsRead)) rows in \(String(format: "%.1f", report.seconds)) s (\(formatCount(Int(rate))) rows/s): \
            \(formatCount(report.inserted)) added, \(formatCount(report.duplicates)) already present, \(formatCount(report.rejected)) rejected
            """)
        if report.rejected > 0 {
            let byField = report.rejectsByField.sorted { $0.value > $1.value }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            FileHandle.standardError.write(Data("rejected by field: \(byField)\(rejects.map { "; details in \($0)" } ?? "; pass --rejects FILE for every line")\n".utf8))
            for r in rejectSink.firstFew { FileHandle.standardError.write(Data("  line \(r.line): \(r.reason)\n".utf8)) }
        }
    }
}

/// Writes refused rows as CSV and keeps the first few for the summary.
final class RejectSink: @unchecked Sendable {
    private let handle: FileHandle?
    private let lock = NSLock()
    private(set) var firstFew: [ImportReject] = []

    init(path: String?) throws {
        if let path {
            guard FileManager.default.createFile(atPath: path, contents: Data("line,field,reason\n".utf8)),
                  let h = FileHandle(forWritingAtPath: path) else { throw CLIError("cannot write --rejects file \(path)") }
            h.seekToEndOfFile()
            handle = h
        } else {
            handle = nil
        }
    }

    func write(_ r: ImportReject) {
        lock.lock()
        defer { lock.unlock() }
        if firstFew.count < 10 { firstFew.append(r) }
        guard let handle else { return }
        // The reason quotes the refused value, which may be anything: one CSV cell rule for every file we write.
        handle.write(Data((CSVText.row([String(r.line), r.field, r.reason]) + "\n").utf8))
    }

    func close() { try? handle?.close() }
}

struct ImportAreas: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "areas",
        abstract: "Load district or settlement boundaries from GeoJSON, then re-derive every incident's district and settlement.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "GeoJSON FeatureCollection.") var file: String
    @Option(help: "district or settlement.") var level: String
    @Option(help: "The property holding the name.") var nameField = "name"

    func run() async throws {
        guard let lvl = AreaLevel(rawValue: level) else { throw CLIError("--level must be district or settlement, not '\(level)'") }
        guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
        let areas = try Area.fromGeoJSON(data, level: lvl, nameField: nameField)
        let store = try global.openStore(mustExist: false)
        let n = try await store.replaceAreas(areas, level: lvl)
        print("loaded \(n) \(lvl.rawValue) areas from \(file); incidents re-assigned")
    }
}
