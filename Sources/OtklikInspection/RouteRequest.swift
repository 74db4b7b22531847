public import Foundation
public import OtklikCore

/// How distances between stops are measured. Route lengths are metres for `geodesic` and `planar`, and the
/// instance's own integer units for `tsplib`.
public enum RouteMetric: Sendable, Hashable {
    /// WGS84 ellipsoidal distance (`Geodesic`), lon/lat in degrees.
    case geodesic
    /// Euclidean distance on `lon` = x and `lat` = y, for projected or synthetic plane coordinates.
    case planar
    /// A TSPLIB distance function on `lon` = x and `lat` = y (for GEO, x = latitude DDD.MM: pass
    /// `GeoPoint(lon: x, lat: y)` exactly as the file gives them).
    case tsplib(TSPLIBMetric)

    public func distance(_ a: GeoPoint, _ b: GeoPoint) -> Double {
        switch self {
        case .geodesic: return Geodesic.distance(a, b)
        case .planar:
            let dx = a.lon - b.lon, dy = a.lat - b.lat
            return (dx * dx + dy * dy).squareRoot()
        case .tsplib(let m): return m.distance(a.lon, a.lat, b.lon, b.lat)
        }
    }
}

/// Where the day ends.
public enum RouteFinish: Sendable, Hashable {
    /// Back at the start point.
    case roundTrip
    /// Wherever the last stop is.
    case openEnd
    /// At a given point (home, another office).
    case fixed(GeoPoint)
}

/// One planning request: the day's frame around the candidate stops.
public struct RouteRequest: Sendable, Hashable {
    public var start: GeoPoint
    public var startName: String
    public var finish: RouteFinish
    public var endName: String
    /// At most this many stops (nil: no limit).
    public var maxStops: Int?
    /// At most this many estimated road kilometres (distance × `detourFactor`), nil: no limit.
    public var maxKilometres: Double?
    /// At most this many hours from leaving the start to the end of the day (travel and service), nil: no limit.
    public var maxHours: Double?
    /// Leaving the start point.
    public var departure: Date
    public var speedKmh: Double
    /// Road distance ÷ straight (geodesic) distance.
    public var detourFactor: Double
    /// Time spent at each stop.
    public var serviceMinutes: Double
    /// Weight of one overdue complaint in a stop's value (see `RoutePlanner`).
    public var overdueWeight: Double
    public var metric: RouteMetric
    public var solver: SolverOptions

    public init(start: GeoPoint, startName: String = "Старт", finish: RouteFinish = .roundTrip,
                endName: String = "Финиш", maxStops: Int? = nil, maxKilometres: Double? = nil, maxHours: Double? = nil,
                departure: Date, speedKmh: Double = 40, detourFactor: Double = 1.3, serviceMinutes: Double = 10,
                overdueWeight: Double = 1, metric: RouteMetric = .geodesic, solver: SolverOptions = SolverOptions()) {
        self.start = start
        self.startName = startName
        self.finish = finish
        self.endName = endName
        self.maxStops = maxStops
        self.maxKilometres = maxKilometres
        self.maxHours = maxHours
        self.departure = departure
        self.speedKmh = speedKmh
        self.detourFactor = detourFactor
        self.serviceMinutes = serviceMinutes
        self.overdueWeight = overdueWeight
        self.metric = metric
        self.solver = solver
    }

    func validate() throws(InspectionError) {
        func check(_ ok: Bool, _ field: String, _ reason: String) throws(InspectionError) {
            if !ok { throw .invalidRequest(field: field, reason: reason) }
        }
        try check(speedKmh.isFinite && speedKmh > 0, "speed", "\(speedKmh) km/h must be a positive number")
        try check(detourFactor.isFinite && detourFactor >= 1, "detour_factor", "\(detourFactor) must be at least 1")
        try check(serviceMinutes.isFinite && serviceMinutes >= 0, "service_minutes",
                  "\(serviceMinutes) must be zero or positive")
        try check(overdueWeight.isFinite && overdueWeight >= 0, "overdue_weight", "\(overdueWeight) must be zero or positive")
        if let maxStops { try check(maxStops >= 0, "max_stops", "\(maxStops) must be zero or positive") }
        if let maxKilometres {
            try check(maxKilometres.isFinite && maxKilometres > 0, "max_km", "\(maxKilometres) must be a positive number")
        }
        if let maxHours {
            try check(maxHours.isFinite && maxHours > 0 && maxHours <= 24, "max_hours",
                      "\(maxHours) must be more than 0 and at most 24")
        }
        if metric == .geodesic {
            var points = [("start", start)]
            if case .fixed(let end) = finish { points.append(("end", end)) }
            for (field, p) in points {
                do { _ = try GeoPoint.validated(lon: p.lon, lat: p.lat) } catch {
                    throw .invalidRequest(field: field, reason: error.description)
                }
            }
        }
    }
}
