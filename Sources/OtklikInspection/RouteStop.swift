public import OtklikCore

/// A place an inspector may visit: a hotspot or an incident, as the caller selected it.
/// `id` and `name` are carried unchanged into every export.
public struct RouteStop: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var location: GeoPoint
    /// How much the visit matters (e.g. hotspot score); non-negative.
    public var priority: Double
    /// Complaints at this place past their category deadline.
    public var overdueCount: Int
    /// Category title as it should be printed.
    public var category: String
    /// Complaints behind this stop (1 for a single incident).
    public var complaints: Int
    public var settlement: String?
    public var district: String?
    /// Link back to the incident or hotspot page.
    public var url: String?

    public init(id: String, name: String, location: GeoPoint, priority: Double = 1, overdueCount: Int = 0,
                category: String = "", complaints: Int = 1, settlement: String? = nil, district: String? = nil,
                url: String? = nil) {
        self.id = id
        self.name = name
        self.location = location
        self.priority = priority
        self.overdueCount = overdueCount
        self.category = category
        self.complaints = complaints
        self.settlement = settlement
        self.district = district
        self.url = url
    }
}
