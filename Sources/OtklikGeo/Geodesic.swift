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

    /// Where `wgs84Distance` divided by the great-circle distance on the sphere of `AreaLocator.sphereRadius`
    /// (R) lies, for every pair (the locator's `sphereRatio`). Along any path, the ellipsoid's line element is
    /// between min(M, N) / R and max(M, N) / R times the sphere's at the same latitude and longitude. The
    /// radii of curvature run from M at the equator, 6,335,439 m (0.9944 R), to a²/b at the poles,
    /// 6,399,594 m (1.0045 R). So the geodesic is at least 0.9944 times its own image on the sphere, which
    /// is no shorter than the great circle; and at most the ellipsoid image of the great circle, which is at
    /// most 1.0045 times as long. 0.99 and 1.01 leave room for rounding.
    public static let wgs84SphereRatio: ClosedRange<Double> = 0.99...1.01

    /// `wgs84Distance` with its bounds, for `AreaLocator` and the store.
    public static let wgs84Metric = AreaLocator.Metric(wgs84Distance, sphereRatio: wgs84SphereRatio)
}
