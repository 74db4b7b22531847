public import OtklikCore

/// An incident as the tiles show it: public fields only (never the reporter's contact).
public struct TilePoint: Sendable, Hashable {
    public var id: Int64
    public var location: GeoPoint
    public var category: String
    public var status: String
    /// The report date as `yyyy-MM-dd` (UTC).
    public var date: String
    public var settlement: String?
    public var district: String?

    public init(id: Int64, location: GeoPoint, category: String, status: String, date: String,
                settlement: String? = nil, district: String? = nil) {
        self.id = id
        self.location = location
        self.category = category
        self.status = status
        self.date = date
        self.settlement = settlement
        self.district = district
    }
}

/// An area (hotspot outline, district) with the properties it carries in its layer (the published model's
/// scalars, see OtklikServices' `PublishedMVT`).
public struct TilePolygonFeature: Sendable, Hashable {
    public var id: UInt64?
    public var geometry: Geometry
    public var properties: [MVTProperty]

    public init(id: UInt64?, geometry: Geometry, properties: [MVTProperty]) {
        self.id = id
        self.geometry = geometry
        self.properties = properties
    }
}
