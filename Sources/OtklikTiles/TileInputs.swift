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

/// An area (hotspot outline, district) with the properties it carries in its layer.
public struct TilePolygonFeature: Sendable, Hashable {
    public var id: UInt64?
    public var geometry: Geometry
    public var properties: [MVTProperty]

    public init(id: UInt64?, geometry: Geometry, properties: [MVTProperty]) {
        self.id = id
        self.geometry = geometry
        self.properties = properties
    }

    /// A hotspot: `score`, `recurring`, `category`, `count` (incidents), `open_count`, `settlement`.
    public static func hotspot(id: Int64, geometry: Geometry, score: Double, recurring: Bool, category: String,
                               count: Int, openCount: Int, settlement: String?) -> TilePolygonFeature {
        var props: [MVTProperty] = [
            MVTProperty("id", Int(id)), MVTProperty("score", score), MVTProperty("recurring", recurring),
            MVTProperty("category", category), MVTProperty("count", count), MVTProperty("open_count", openCount),
        ]
        if let settlement { props.append(MVTProperty("settlement", settlement)) }
        return TilePolygonFeature(id: UInt64(max(id, 0)), geometry: geometry, properties: props)
    }

    /// A district: `name`, `per_1000` (incidents per 1,000 residents; absent without a population, as vector
    /// tiles have no null), `count`, `population`.
    public static func district(id: Int64, name: String, geometry: Geometry, per1000: Double?, count: Int,
                                population: Int?) -> TilePolygonFeature {
        var props: [MVTProperty] = [MVTProperty("name", name)]
        if let per1000 { props.append(MVTProperty("per_1000", per1000)) }
        props.append(MVTProperty("count", count))
        if let population { props.append(MVTProperty("population", population)) }
        return TilePolygonFeature(id: UInt64(max(id, 0)), geometry: geometry, properties: props)
    }
}
