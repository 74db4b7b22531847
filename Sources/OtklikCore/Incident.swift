public import struct Foundation.Date

/// The reporter's contact. Personal data: stored, shown to authenticated operators, never published.
public struct ReporterContact: Sendable, Hashable, Codable {
    public var name: String?
    public var phone: String?
    public var email: String?

    public init(name: String? = nil, phone: String? = nil, email: String? = nil) {
        self.name = name
        self.phone = phone
        self.email = email
    }

    public var isEmpty: Bool { (name ?? "").isEmpty && (phone ?? "").isEmpty && (email ?? "").isEmpty }
}

/// A citizen complaint with its place and life cycle.
public struct Incident: Sendable, Hashable {
    public var id: Int64?
    public var source: IncidentSource
    public var externalID: String
    public var category: String
    public var description: String
    public var address: String
    public var location: GeoPoint
    public var reportedAt: Date
    public var status: IncidentStatus
    public var resolvedAt: Date?
    /// Derived on write from the area layers.
    public var district: String?
    public var settlement: String?
    /// Derived from the category (and the district override table).
    public var agency: String
    public var reporter: ReporterContact?
    /// True when the position is a settlement's point rather than where the problem is.
    public var approximateLocation: Bool
    /// Free-form extra fields (Open311 attributes, media URL).
    public var attributes: [String: String]
    public var updatedAt: Date?

    public init(id: Int64? = nil, source: IncidentSource, externalID: String, category: String,
                description: String = "", address: String = "", location: GeoPoint, reportedAt: Date,
                status: IncidentStatus = .new, resolvedAt: Date? = nil, district: String? = nil,
                settlement: String? = nil, agency: String = "", reporter: ReporterContact? = nil,
                approximateLocation: Bool = false, attributes: [String: String] = [:], updatedAt: Date? = nil) {
        self.id = id
        self.source = source
        self.externalID = externalID
        self.category = category
        self.description = description
        self.address = address
        self.location = location
        self.reportedAt = reportedAt
        self.status = status
        self.resolvedAt = resolvedAt
        self.district = district
        self.settlement = settlement
        self.agency = agency
        self.reporter = reporter
        self.approximateLocation = approximateLocation
        self.attributes = attributes
        self.updatedAt = updatedAt
    }

    /// The moment the category deadline passes.
    public func deadline(in taxonomy: Taxonomy) -> Date? {
        taxonomy[category].map { reportedAt.addingTimeInterval(Double($0.deadlineDays) * 86_400) }
    }

    /// Open and past its category deadline at `now`.
    public func isOverdue(at now: Date, taxonomy: Taxonomy) -> Bool {
        guard status.isOpen, let d = deadline(in: taxonomy) else { return false }
        return now > d
    }
}

/// One recorded status change.
public struct StatusEvent: Sendable, Hashable, Codable {
    public var incidentID: Int64
    public var from: IncidentStatus?
    public var to: IncidentStatus
    public var at: Date
    public var actor: String
    public var note: String

    public init(incidentID: Int64, from: IncidentStatus?, to: IncidentStatus, at: Date, actor: String, note: String) {
        self.incidentID = incidentID
        self.from = from
        self.to = to
        self.at = at
        self.actor = actor
        self.note = note
    }
}
