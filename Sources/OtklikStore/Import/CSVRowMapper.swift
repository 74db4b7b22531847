import OtklikCore
import Foundation

/// Maps a CSV header to our fields once, then turns each record into an `IncidentInput`.
struct CSVRowMapper {
    static let requiredColumns = ["external_id", "category", "lon", "lat", "reported_at"]
    static let knownColumns = ["external_id", "source", "category", "lon", "lat", "reported_at", "status",
                               "resolved_at", "description", "address"]

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
        for ours in Self.knownColumns {
            let theirs = options.columnMap[ours] ?? ours
            if let p = position[theirs] { idx[ours] = p }
        }
        for (ours, _) in options.columnMap where !Self.knownColumns.contains(ours) {
            throw StoreError(.importFile, "--map-columns: unknown field '\(ours)' (fields: \(Self.knownColumns.joined(separator: ", ")))")
        }
        for (ours, theirs) in options.columnMap where position[theirs] == nil {
            throw StoreError(.importFile, "--map-columns \(ours)=\(theirs): the file has no column '\(theirs)' (columns: \(names.joined(separator: ", ")))")
        }
        let missing = Self.requiredColumns.filter { idx[$0] == nil }
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
