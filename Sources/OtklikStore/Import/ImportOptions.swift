public import OtklikCore
import Foundation

public enum ImportFormat: String, Sendable, CaseIterable {
    case csv, geojson, ndjson

    /// By extension, looking through a trailing .gz.
    public static func guess(path: String) -> ImportFormat? {
        var name = path.lowercased()
        if name.hasSuffix(".gz") { name.removeLast(3) }
        if name.hasSuffix(".csv") || name.hasSuffix(".tsv") { return .csv }
        if name.hasSuffix(".ndjson") || name.hasSuffix(".jsonl") || name.hasSuffix(".geojsonl") { return .ndjson }
        if name.hasSuffix(".geojson") || name.hasSuffix(".json") { return .geojson }
        return nil
    }
}

public struct ImportOptions: Sendable {
    public var format: ImportFormat
    /// Our column name → the file's header, e.g. reported_at → created_at.
    public var columnMap: [String: String]
    /// The file's category value → our category code.
    public var categoryMap: [String: String]
    /// The file's status value → our status.
    public var statusMap: [String: String]
    /// Forces the source of every row (the file's `source` column is then ignored).
    public var source: IncidentSource?
    public var assumeUTC: Bool
    /// A column holding an IANA time zone for timestamps without an offset.
    public var timeZoneColumn: String?
    /// Rows per transaction (rounded up to whole chunks). An interrupted import keeps every transaction it
    /// committed.
    public var batchSize: Int
    /// Rows validated and prepared together and handed to the writer at once: the pipeline's grain. Memory holds
    /// about two chunks.
    public var chunkSize: Int
    /// The service's region: a row whose point lies outside it (most often latitude and longitude swapped) is
    /// refused. nil takes every point (`--allow-outside`, or no districts to judge by).
    public var region: RegionCheck?

    public init(format: ImportFormat, columnMap: [String: String] = [:], categoryMap: [String: String] = [:],
                statusMap: [String: String] = [:], source: IncidentSource? = nil, assumeUTC: Bool = false,
                timeZoneColumn: String? = nil, batchSize: Int = BulkLoadOptions.defaultTransactionRows,
                chunkSize: Int = BulkLoadOptions.defaultBatchRows) {
        self.format = format
        self.columnMap = columnMap
        self.categoryMap = categoryMap
        self.statusMap = statusMap
        self.source = source
        self.assumeUTC = assumeUTC
        self.timeZoneColumn = timeZoneColumn
        self.batchSize = batchSize
        self.chunkSize = chunkSize
    }

    /// Parses `a=b,c=d` (the CLI's --map-columns).
    public static func parsePairs(_ text: String, option: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for pair in text.split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, !kv[0].isEmpty, !kv[1].isEmpty else {
                throw ValidationError.invalid(field: option, value: String(pair), reason: "expected ours=theirs")
            }
            out[kv[0]] = kv[1]
        }
        return out
    }

    /// Reads a category map file: a JSON object {"theirs": "ours"}, or {"category": {...}, "status": {...}},
    /// or CSV lines `theirs,ours`.
    public static func loadMapFile(_ path: String) throws -> (categories: [String: String], statuses: [String: String]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError(.importFile, "cannot read category map \(path)")
        }
        if let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            if let c = obj["category"] as? [String: String] {
                return (c, obj["status"] as? [String: String] ?? [:])
            }
            guard let flat = obj as? [String: String] else {
                throw StoreError(.importFile, "category map \(path): values must be strings")
            }
            return (flat, [:])
        }
        var out: [String: String] = [:]
        for (i, line) in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).enumerated() {
            let parts = line.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { throw StoreError(.importFile, "category map \(path) line \(i + 1): expected theirs,ours") }
            out[parts[0]] = parts[1]
        }
        return (out, [:])
    }
}

/// One refused row: where it was and why.
public struct ImportReject: Sendable, Hashable {
    public var line: Int
    public var field: String
    public var reason: String
}

public struct ImportProgress: Sendable {
    public var bytesRead: Int64
    public var bytesTotal: Int64
    public var rowsRead: Int
    /// New rows written so far (the last transaction may still be open).
    public var inserted: Int
    public var phase: String
}

public struct ImportReport: Sendable {
    public var rowsRead = 0
    public var inserted = 0
    public var duplicates = 0
    public var rejected = 0
    /// Counts of reject reasons by field, for the summary.
    public var rejectsByField: [String: Int] = [:]
    public var seconds = 0.0
}
