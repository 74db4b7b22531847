import CProj
public import OtklikCore

/// Distances on the WGS84 ellipsoid with PROJ's geodesic routines (Karney's algorithm).
/// `geod_geodesic` is a plain struct with no resources, so copies are safe across threads.
public struct Geodesic: Sendable {
    private var g = geod_geodesic()

    public init() {
        // WGS84 semi-major axis and flattening.
        geod_init(&g, 6_378_137, 1 / 298.257223563)
    }

    /// Metres between two points. Note geod_inverse's (lat, lon) argument order.
    public func distance(_ a: GeoPoint, _ b: GeoPoint) -> Double {
        var s12 = 0.0
        var gg = g
        geod_inverse(&gg, a.lat, a.lon, b.lat, b.lon, &s12, nil, nil)
        return s12
    }

    /// Distance and the forward azimuth at `a` in degrees.
    public func inverse(_ a: GeoPoint, _ b: GeoPoint) -> (distance: Double, azimuth: Double) {
        var s12 = 0.0, azi1 = 0.0, azi2 = 0.0
        var gg = g
        geod_inverse(&gg, a.lat, a.lon, b.lat, b.lon, &s12, &azi1, &azi2)
        return (s12, azi1)
    }

    /// The point `distance` metres from `a` along `azimuth` degrees.
    public func destination(_ a: GeoPoint, azimuth: Double, distance: Double) -> GeoPoint {
        var lat2 = 0.0, lon2 = 0.0, azi2 = 0.0
        var gg = g
        geod_direct(&gg, a.lat, a.lon, azimuth, distance, &lat2, &lon2, &azi2)
        return GeoPoint(lon: lon2, lat: lat2)
    }

    /// The metric the core's `AreaLocator` takes.
    public static let wgs84Distance: @Sendable (GeoPoint, GeoPoint) -> Double = {
        let g = Geodesic()
        return { a, b in g.distance(a, b) }
    }()

    /// `wgs84Distance` is never below this times the great-circle distance on the sphere of
    /// `AreaLocator.sphereRadius` (its `sphereFloor`). Along any path, the ellipsoid's line element is at least
    /// min(M, N) / R times the sphere's at the same latitude and longitude, and the smallest radius of
    /// curvature is M at the equator, 6,335,439 m: 0.9944 of the mean radius. So every path, the geodesic
    /// included, is at least 0.9944 times as long as its image on the sphere, which is at least the
    /// great-circle distance. 0.99 leaves room for rounding.
    public static let wgs84SphereFloor = 0.99
}
