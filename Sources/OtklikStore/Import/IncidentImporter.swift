public import OtklikCore
import Foundation

/// Streams an incident file into a store: CSV, GeoJSON FeatureCollection or NDJSON, plain or gzip.
///
/// Memory stays bounded by the batch size. Rows are validated with the same rules as the API; a refused
/// row is reported with its line and reason and the import goes on. A file that cannot be read at all
/// (no usable header, broken GeoJSON structure) fails before the first write.
///
/// It reads, validates and batches; the store, through Core's `BulkIncidentLoading`, places each batch in its
/// districts and settlements and writes it. Generic rather than existential, and one call per batch, so a
/// second backend takes the same importer at no cost per row.
public struct IncidentImporter<Store: BulkIncidentLoading>: Sendable {
    public let store: Store
    public let taxonomy: Taxonomy
    public let options: ImportOptions

    public init(store: Store, options: ImportOptions) {
        self.store = store
        self.taxonomy = store.taxonomy
        self.options = options
    }

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
        func reject(_ line: Int, _ field: String, _ reason: String) {
            report.rowsRead += 1
            report.rejected += 1
            report.rejectsByField[field, default: 0] += 1
            onReject(ImportReject(line: line, field: field, reason: reason))
        }

        // Two stages: this task parses, validates and hands a chunk to the store, which prepares it here and
        // inserts it on its writer while this task parses the next, committing every `batchSize` rows. At most
        // one chunk waits for the writer, so memory stays at about two chunks.
        //
        // A file that turns out unreadable half way (`StoreError.importFile`) ends the load as the end of the
        // file does, so that its message can say how many new rows were kept.
        var unreadable: StoreError?
        let written: BulkLoadCounts
        do {
            written = try await store.withBulkLoad(BulkLoadOptions(actor: "import", transactionRows: options.batchSize)) { load in
                func flush() async throws {
                    guard !batch.isEmpty else { return }
                    try await load.load(batch)
                    batch.removeAll(keepingCapacity: true)
                }
                func progress() {
                    let now = Date()
                    guard now.timeIntervalSince(lastProgress) > 0.25 else { return }
                    lastProgress = now
                    onProgress(ImportProgress(bytesRead: source.consumedBytes, bytesTotal: source.totalBytes,
                                              rowsRead: report.rowsRead, inserted: load.written.inserted, phase: "rows"))
                }
                func accept(_ line: Int, _ input: IncidentInput) async throws {
                    var refusal: (field: String, reason: String)?
                    do {
                        var inp = input
                        if let s = options.source { inp.source = s.rawValue }
                        let incident = try inp.validate(taxonomy: taxonomy, rules: rules)
                        if let outside = options.region?.refusal(of: incident.location) {
                            refusal = ("location", outside.description)
                        } else {
                            batch.append(incident)
                        }
                    } catch {
                        refusal = (error.field, error.description)
                    }
                    if let refusal { reject(line, refusal.field, refusal.reason) } else { report.rowsRead += 1 }
                    if batch.count >= chunkSize { try await flush() }
                    progress()
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
                    case .ndjson, .geojson:
                        var reader = featureRecords(source)
                        while let rec = try reader.next() {
                            if rec.bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                            let feature: JSONValue
                            do throws(JSONParser.Failure) {
                                feature = try JSONParser.parse(rec.bytes)
                            } catch {
                                reject(rec.line, "json", "not valid JSON: \(error.reason) at byte \(error.offset)")
                                continue
                            }
                            let input: IncidentInput
                            do throws(IncidentInput.FeatureError) {
                                // Files from other systems carry properties of their own; only ours are read.
                                input = try IncidentInput.fromFeature(feature, unknownProperties: .ignore)
                            } catch {
                                reject(rec.line, error.field, error.description)
                                continue
                            }
                            try await accept(rec.line, mapped(input))
                        }
                    }
                } catch let e as StoreError where e.kind == .importFile {
                    unreadable = e
                    return
                }
                try await flush()
                let written = try await load.finishWriting()
                onProgress(ImportProgress(bytesRead: source.consumedBytes, bytesTotal: source.totalBytes,
                                          rowsRead: report.rowsRead, inserted: written.inserted, phase: "index"))
            }.written
        } catch {
            throw unreadable ?? error
        }
        if let unreadable {
            // Rows handed to the writer are committed, and so stay; the store has rebuilt its indexes anyway.
            throw StoreError(.importFile, "\(unreadable.message); the \(written.inserted) new rows read before it are kept, and a run with the whole file skips them")
        }
        report.inserted = written.inserted
        report.duplicates = written.duplicates
        report.seconds = Date().timeIntervalSince(started)
        onProgress(ImportProgress(bytesRead: source.consumedBytes, bytesTotal: source.totalBytes,
                                  rowsRead: report.rowsRead, inserted: report.inserted, phase: "rows"))
        return report
    }

    func mapped(_ input: IncidentInput) -> IncidentInput {
        var i = input
        if let c = i.category, let m = options.categoryMap[c] { i.category = m }
        if let s = i.status, let m = options.statusMap[s] { i.status = m }
        return i
    }

    /// The records of a GeoJSON FeatureCollection or an NDJSON file, one feature each.
    func featureRecords(_ source: ByteSource) -> any FeatureRecordReader {
        options.format == .ndjson ? LineReader(source: source) : FeatureSplitter(source: source)
    }

    /// Checks that the file can be read at all before anything is written.
    func preflight(path: String) throws {
        try ImportFile.checkIsText(path: path)
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
                guard (try? JSONParser.parse(first.bytes)) != nil else {
                    throw StoreError(.importFile, "\(path) line \(first.line) is not JSON: is this NDJSON?")
                }
                break
            }
        }
    }
}
