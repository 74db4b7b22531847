public import Foundation

/// An incident as it arrives (CSV row, GeoJSON feature, API body, Open311 form), before validation.
/// Every path in goes through `validate`, so the rules are the same for imports and the API.
public struct IncidentInput: Sendable, Hashable {
    public var source: String?
    public var externalID: String?
    public var category: String?
    public var lon: Double?
    public var lat: Double?
    public var reportedAt: String?
    public var status: String?
    public var resolvedAt: String?
    public var description: String?
    public var address: String?
    public var reporter: ReporterContact?
    public var attributes: [String: String]

    public init(source: String? = nil, externalID: String? = nil, category: String? = nil, lon: Double? = nil,
                lat: Double? = nil, reportedAt: String? = nil, status: String? = nil, resolvedAt: String? = nil,
                description: String? = nil, address: String? = nil, reporter: ReporterContact? = nil,
                attributes: [String: String] = [:]) {
        self.source = source
        self.externalID = externalID
        self.category = category
        self.lon = lon
        self.lat = lat
        self.reportedAt = reportedAt
        self.status = status
        self.resolvedAt = resolvedAt
        self.description = description
        self.address = address
        self.reporter = reporter
        self.attributes = attributes
    }

    public struct Rules: Sendable {
        public var assumeUTC: Bool
        public var defaultSource: IncidentSource
        /// When set, a missing external_id is generated; imports leave it nil so that re-runs stay idempotent.
        public var generateMissingExternalID: Bool
        public var maxDescriptionLength: Int
        public var now: Date

        public init(assumeUTC: Bool = false, defaultSource: IncidentSource = .import,
                    generateMissingExternalID: Bool = false, maxDescriptionLength: Int = 4000, now: Date = Date()) {
            self.assumeUTC = assumeUTC
            self.defaultSource = defaultSource
            self.generateMissingExternalID = generateMissingExternalID
            self.maxDescriptionLength = maxDescriptionLength
            self.now = now
        }
    }

    /// Text may hold line breaks and tabs, but no other control character.
    private static func refuseControlCharacters(_ text: String, field: String) throws(ValidationError) {
        if text.utf8.contains(where: { $0 < 0x20 && $0 != 0x0A && $0 != 0x09 && $0 != 0x0D }) {
            throw .invalid(field: field, value: String(text.prefix(40)), reason: "contains control characters")
        }
    }

    /// Checks every rule and builds the incident; the first violation is thrown.
    public func validate(taxonomy: Taxonomy, rules: Rules) throws(ValidationError) -> Incident {
        let source = try source.map { s throws(ValidationError) in try IncidentSource.parse(s) } ?? rules.defaultSource
        var ext = externalID?.trimmingSpaces() ?? ""
        if ext.isEmpty {
            guard rules.generateMissingExternalID else { throw .missing(field: "external_id") }
            ext = UUID().uuidString.lowercased()
        }
        guard ext.utf8.count <= 200 || ext.count <= 200 else { throw .tooLong(field: "external_id", length: ext.count, limit: 200) }
        guard let code = category, !code.isEmpty else { throw .missing(field: "category") }
        let cat = try taxonomy.category(code)
        guard let lon else { throw .missing(field: "lon") }
        guard let lat else { throw .missing(field: "lat") }
        let point = try GeoPoint.validated(lon: lon, lat: lat)
        guard let reportedText = reportedAt, !reportedText.isEmpty else { throw .missing(field: "reported_at") }
        let reported = try Timestamp.parse(reportedText, field: "reported_at", assumeUTC: rules.assumeUTC)
        let status = try status.flatMap { $0.isEmpty ? nil : $0 }.map { s throws(ValidationError) in try IncidentStatus.parse(s) } ?? .new
        var resolved: Date?
        if let r = resolvedAt, !r.isEmpty {
            let d = try Timestamp.parse(r, field: "resolved_at", assumeUTC: rules.assumeUTC)
            guard d >= reported else {
                throw .resolvedBeforeReported(reportedAt: reportedText, resolvedAt: r)
            }
            resolved = d
        }
        if status == .resolved || status == .rejected, resolved == nil {
            // A closed complaint without a closing time still closed at some point; the report time is the
            // only honest lower bound, and it keeps repeat-after-fix analysis conservative.
            resolved = reported
        }
        if status.isOpen, resolved != nil { resolved = nil }
        let desc = description ?? ""
        // Counting characters walks grapheme clusters; the byte count is an upper bound that settles most rows.
        if desc.utf8.count > rules.maxDescriptionLength, desc.count > rules.maxDescriptionLength {
            throw .tooLong(field: "description", length: desc.count, limit: rules.maxDescriptionLength)
        }
        // Three calls, not a loop over an array of pairs: that array was an allocation per imported row.
        try Self.refuseControlCharacters(desc, field: "description")
        try Self.refuseControlCharacters(address ?? "", field: "address")
        try Self.refuseControlCharacters(ext, field: "external_id")
        return Incident(source: source, externalID: ext, category: cat.code, description: desc,
                        address: address ?? "", location: point, reportedAt: reported, status: status,
                        resolvedAt: resolved, agency: cat.agency,
                        reporter: (reporter?.isEmpty ?? true) ? nil : reporter, attributes: attributes)
    }
}
