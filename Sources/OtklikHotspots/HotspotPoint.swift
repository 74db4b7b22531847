public import struct Foundation.Date
public import OtklikCore

/// One complaint as the hotspot engine sees it.
///
/// `x`/`y` are metres in a projected CRS chosen by the caller for the region (OtklikGeo); the engine never
/// computes distances in degrees. `location` is kept for output (centroids, hulls).
public struct HotspotPoint: Sendable, Hashable {
    public var id: Int64
    public var x: Double
    public var y: Double
    public var location: GeoPoint
    public var category: String
    public var reportedAt: Date
    public var status: IncidentStatus
    public var resolvedAt: Date?
    /// The agency responsible for the complaint; for a resolved one, the agency that resolved it.
    public var agency: String
    public var district: String?
    public var settlement: String?

    public init(id: Int64, x: Double, y: Double, location: GeoPoint, category: String, reportedAt: Date,
                status: IncidentStatus, resolvedAt: Date? = nil, agency: String = "", district: String? = nil,
                settlement: String? = nil) {
        self.id = id
        self.x = x
        self.y = y
        self.location = location
        self.category = category
        self.reportedAt = reportedAt
        self.status = status
        self.resolvedAt = resolvedAt
        self.agency = agency
        self.district = district
        self.settlement = settlement
    }

    /// Builds the engine's view of a stored incident; `x`/`y` come from the caller's projection of `location`.
    public init(incident: Incident, x: Double, y: Double) {
        self.init(id: incident.id ?? 0, x: x, y: y, location: incident.location, category: incident.category,
                  reportedAt: incident.reportedAt, status: incident.status, resolvedAt: incident.resolvedAt,
                  agency: incident.agency, district: incident.district, settlement: incident.settlement)
    }

    /// Open and past the category deadline at `now` (the same rule as `Incident.isOverdue`).
    public func isOverdue(at now: Date, deadlineDays: Int) -> Bool {
        status.isOpen && now > reportedAt.addingTimeInterval(Double(deadlineDays) * 86_400)
    }

    /// Resolved with a known time: a "fix" that later complaints can contradict.
    public var fixedAt: Date? { status == .resolved ? resolvedAt : nil }
}
