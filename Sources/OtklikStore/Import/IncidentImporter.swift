public import OtklikCore
import Foundation

/// Streams an incident file into the store: CSV, GeoJSON FeatureCollection or NDJSON, plain or gzip.
///
/// Memory stays bounded by the batch size. Rows are validated with the same rules as the API; a refused
/// row is reported with its line and reason and the import goes on. A file that cannot be read at all
/// (no usable header, broken GeoJSON structure) fails before the first write.
public struct IncidentImporter: Sendable {
    public let store: SpatiaLiteStore
    public let taxonomy: Taxonomy
    public let options: ImportOptions

    public init(store: SpatiaLiteStore, options: ImportOptions) {
        self.store = store
        self.taxonomy = store.taxonomy
        self.options = options
    }

    public static let requiredColumns = ["external_id", "category", "lon", "lat", "reported_at"]
    public static let knownColumns = ["external_id", "source", "category", "lon", "lat", "reported_at", "status",
                                      "resolved_at", "description", "address"]

    public func run(path: String, onReject: @Sendable (ImportReject) -> Void,
                    onProgress: @Sendable (ImportProgress) -> Void) async throws -> ImportReport {
        let started = Date()
        try preflight(path: path)
        var report = ImportReport()
        let chunkSize = max(1, min(options.chunkSize, options.batchSize))
        var batch: [Incident] = []
        batch.reserveCapacity(chunkSize)
        let rules = IncidentInput.Rules(assumeUTC: options.assumeUTC, defaultSource: options.source ?? .import)
        var lastProgress = Date.distantPast
        let source = try ByteSource(path: path)

        // Two stages: this task parses, validates and prepares a chunk while the store's writer inserts the
        // previous one, committing every `batchSize` rows. At most one chunk waits for the writer, so memory
        // stays at about two chunks.
        try await store.beginBulk()
        let load = store.bulkLoad(actor: "import", transactionRows: options.batchSize)
        func flush() async throws {
            guard !batch.isEmpty else { return }
            let prepared = try store.prepareBulk(batch)
            batch.removeAll(keepingCapacity: true)
            try await load.send(prepared)
        }
        func progress(_ force: Bool) {
            let now = Date()
            guard force || now.timeIntervalSince(lastProgress) > 0.25 else { return }
            lastProgress = now
            onProgress(ImportProgress(bytesRead: source.consumedBytes, bytesTotal: source.totalBytes,
                                      rowsRead: report.rowsRead, inserted: load.written.inserted, phase: "rows"))
        }
        func accept(_ line: Int, _ input: IncidentInput) async throws {
            report.rowsRead += 1
            do {
                var inp = input
                if let s = options.source { inp.source = s.rawValue }
                batch.append(try inp.validate(taxonomy: taxonomy, rules: rules))
            } catch {
                report.rejected += 1
                report.rejectsByField[error.field, default: 0] += 1
                onReject(ImportReject(line: line, field: error.field, reason: error.description))
            }
            if batch.count >= chunkSize { try await flush() }
            progress(false)
        }
        func reject(_ line: Int, _ field: String, _ reason: String) {
            report.rowsRead += 1
            report.rejected += 1
            report.rejectsByField[field, default: 0] += 1
            onReject(ImportReject(line: line, field: field, reason: reason))
        }

        do {
            switch options.format {
            case .csv:
                var reader = CSVReader(source: source)
                guard let header = try reader.next() else { throw StoreError(.importFile, "\(path) is empty") }
                let mapper = try CSVRowMapper(header: header.fields, options: options)
                while let rec = try reader.next() {
                    do {
                        try await accept(rec.line, try mapper.input(rec.fields, line: rec.line))
                    } catch let e as ValidationError {
                        reject(rec.line, e.field, e.description)
                    }
                }
            case .ndjson:
                var reader = LineReader(source: source)
                while let rec = try reader.next() {
                    if rec.bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                    do {
                        let obj = try JSONSerialization.jsonObject(with: Data(rec.bytes))
                        try await accept(rec.line, try mapped(IncidentInput.fromFeature(obj)))
                    } catch let e as ValidationError {
                        reject(rec.line, e.field, e.description)
                    } catch {
                        reject(rec.line, "json", "not valid JSON: \(error.localizedDescription)")
                    }
                }
            case .geojson:
                var splitter = FeatureSplitter(source: source)
                while let rec = try splitter.next() {
                    do {
                        let obj = try JSONSerialization.jsonObject(with: Data(rec.bytes))
                        try await accept(rec.line, try mapped(IncidentInput.fromFeature(obj)))
                    } catch let e as ValidationError {
                        reject(rec.line, e.field, e.description)
                    } catch {
                        reject(rec.line, "json", "not valid JSON: \(error.localizedDescription)")
                    }
                }
            }
            try await flush()
            let written = try await load.finish()
            report.inserted = written.inserted
            report.duplicates = written.duplicates
            onProgress(ImportProgress(bytesRead: source.consumedBytes, bytesTotal: source.totalBytes,
                                      rowsRead: report.rowsRead, inserted: report.inserted, phase: "index"))
            // Rows that repeated a key in a load into an empty table are removed only now (see BulkIncidentWriter).
            let repeats = try await store.endBulk()
            report.inserted -= repeats
            report.duplicates += repeats
        } catch {
            // Rows handed to the writer are committed, and so stay; the index is rebuilt so that the database is
            // consistent whatever stopped the run.
            let kept = try? await load.finish()
            let repeats = (try? await store.endBulk()) ?? 0
            if let e = error as? StoreError, e.kind == .importFile, let kept {
                throw StoreError(.importFile, "\(e.message); the \(kept.inserted - repeats) new rows read before it are kept, and a run with the whole file skips them")
            }
            throw error
        }
        report.seconds = Date().timeIntervalSince(started)
        progress(true)
        return report
    }

    func mapped(_ input: IncidentInput) -> IncidentInput {
        var i = input
        if let c = i.category, let m = options.categoryMap[c] { i.category = m }
        if let s = i.status, let m = options.statusMap[s] { i.status = m }
        return i
    }

    /// Checks that the file can be read at all before anything is written.
    func preflight(path: String) throws {
        let source = try ByteSource(path: path)
        switch options.format {
        case .csv:
            var reader = CSVReader(source: source)
            guard let header = try reader.next() else { throw StoreError(.importFile, "\(path) is empty") }
            _ = try CSVRowMapper(header: header.fields, options: options)
        case .geojson:
            var splitter = FeatureSplitter(source: source)
            while try splitter.next() != nil {}
        case .ndjson:
            var reader = LineReader(source: source)
            while let first = try reader.next() {
                if first.bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                guard (try? JSONSerialization.jsonObject(with: Data(first.bytes))) != nil else {
                    throw StoreError(.importFile, "\(path) line \(first.line) is not JSON: is this NDJSON?")
                }
                break
            }
        }
    }
}

/// Maps a CSV header to our fields once, then turns each record into an `IncidentInput`.
struct CSVRowMapper {
    /// Where each of our fields sits in a record; looked up once from the header, not per row.
    struct Columns {
        let externalID, source, category, lon, lat, reportedAt, status, resolvedAt, description, address: Int?
        init(_ idx: [String: Int]) {
            externalID = idx["external_id"]; source = idx["source"]; category = idx["category"]
            lon = idx["lon"]; lat = idx["lat"]; reportedAt = idx["reported_at"]; status = idx["status"]
            resolvedAt = idx["resolved_at"]; description = idx["description"]; address = idx["address"]
        }
    }
    let columns: Columns
    let width: Int
    let options: ImportOptions
    let tzIndex: Int?

    init(header: [String], options: ImportOptions) throws {
        var names = header
        if let first = names.first, first.hasPrefix("\u{FEFF}") { names[0] = String(first.dropFirst()) }
        var position: [String: Int] = [:]
        for (i, n) in names.enumerated() { position[n.trimmingCharacters(in: .whitespaces)] = i }
        var idx: [String: Int] = [:]
        for ours in IncidentImporter.knownColumns {
            let theirs = options.columnMap[ours] ?? ours
            if let p = position[theirs] { idx[ours] = p }
        }
        for (ours, _) in options.columnMap where !IncidentImporter.knownColumns.contains(ours) {
            throw StoreError(.importFile, "--map-columns: unknown field '\(ours)' (fields: \(IncidentImporter.knownColumns.joined(separator: ", ")))")
        }
        for (ours, theirs) in options.columnMap where position[theirs] == nil {
            throw StoreError(.importFile, "--map-columns \(ours)=\(theirs): the file has no column '\(theirs)' (columns: \(names.joined(separator: ", ")))")
        }
        let missing = IncidentImporter.requiredColumns.filter { idx[$0] == nil }
        guard missing.isEmpty else {
            throw StoreError(.importFile, "the CSV header lacks required column(s) \(missing.joined(separator: ", ")); header is: \(names.joined(separator: ",")). Map foreign names with --map-columns ours=theirs")
        }
        if let tz = options.timeZoneColumn {
            guard let p = position[tz] else { throw StoreError(.importFile, "--tz-column: the file has no column '\(tz)'") }
            tzIndex = p
        } else {
            tzIndex = nil
        }
        columns = Columns(idx)
        width = names.count
        self.options = options
    }

    func input(_ fields: [String], line: Int) throws(ValidationError) -> IncidentInput {
        guard fields.count == width else {
            throw .invalid(field: "row", value: "\(fields.count) fields", reason: "expected \(width) fields as in the header")
        }
        func value(_ i: Int?) -> String? {
            guard let i else { return nil }
            let v = fields[i]
            return v.isEmpty ? nil : v
        }
        func number(_ i: Int?, _ name: String) throws(ValidationError) -> Double? {
            guard let text = value(i) else { return nil }
            guard let d = Double(text) ?? Double(text.trimmingSpaces()) else {
                throw .invalid(field: name, value: text, reason: "not a number")
            }
            return d
        }
        var category = value(columns.category)
        if let c = category, let m = options.categoryMap[c] { category = m }
        var status = value(columns.status)
        if let s = status, let m = options.statusMap[s] { status = m }
        var reported = value(columns.reportedAt)
        var resolved = value(columns.resolvedAt)
        if let tzi = tzIndex {
            let zone = fields[tzi]
            reported = try reported.map { s throws(ValidationError) in try Self.localize(s, zone: zone, field: "reported_at") }
            resolved = try resolved.map { s throws(ValidationError) in try Self.localize(s, zone: zone, field: "resolved_at") }
        }
        return IncidentInput(source: value(columns.source), externalID: value(columns.externalID), category: category,
                             lon: try number(columns.lon, "lon"), lat: try number(columns.lat, "lat"),
                             reportedAt: reported, status: status, resolvedAt: resolved,
                             description: value(columns.description), address: value(columns.address))
    }

    /// A local wall-clock time in an IANA zone, rewritten with its UTC offset at that instant.
    static func localize(_ text: String, zone: String, field: String) throws(ValidationError) -> String {
        if text.hasSuffix("Z") || text.dropFirst(10).contains("+") || text.dropFirst(10).contains("-") { return text }
        guard let tz = TimeZone(identifier: zone) else {
            throw .invalid(field: "tz", value: zone, reason: "unknown IANA time zone")
        }
        let asUTC = try Timestamp.parse(text, field: field, assumeUTC: true)
        // The offset at the local time: try the offset at the UTC reading, then correct once across a DST edge.
        var offset = tz.secondsFromGMT(for: asUTC)
        offset = tz.secondsFromGMT(for: asUTC.addingTimeInterval(Double(-offset)))
        return Timestamp.format(asUTC.addingTimeInterval(Double(-offset)))
    }
}
