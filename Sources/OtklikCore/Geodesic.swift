import Foundation

/// The result of the inverse geodesic problem on the WGS84 ellipsoid.
public struct GeodesicInverse: Sendable, Hashable {
    /// Length of the geodesic in metres.
    public var distance: Double
    /// Forward azimuth at the first point, degrees clockwise from north.
    public var initialAzimuth: Double
    /// Forward azimuth at the second point, degrees clockwise from north.
    public var finalAzimuth: Double
    /// False when Vincenty's iteration did not converge (nearly antipodal points) and the solution came from the
    /// bracketing fallback; the distance is then still accurate to well under a metre.
    public var converged: Bool
}

/// Ellipsoidal distances on WGS84, the one geodesic of the project (route legs, settlement search, tests),
/// in pure Swift so that the pure modules (the route planner) can use it. Vincenty's inverse
/// (1975) is accurate to ~0.1 mm where it converges; its fixed-point iteration on the auxiliary longitude λ
/// fails only for nearly antipodal points, and there we solve the same equation for λ by bisection instead.
public enum Geodesic {
    public static let semiMajorAxis = 6_378_137.0
    public static let flattening = 1 / 298.257_223_563
    static let semiMinorAxis = semiMajorAxis * (1 - flattening)

    /// Geodesic length in metres between two WGS84 points.
    @inlinable
    public static func distance(_ a: GeoPoint, _ b: GeoPoint) -> Double {
        inverse(a, b).distance
    }

    public static func inverse(_ p1: GeoPoint, _ p2: GeoPoint) -> GeodesicInverse {
        let r1 = Reduced(p1), r2 = Reduced(p2)
        return inverse(r1, r2)
    }

    /// A point's longitude (radians) and the sine and cosine of its reduced latitude: compute it once per point
    /// when measuring many pairs (a distance table).
    public struct Reduced: Sendable {
        let lon: Double, sinU: Double, cosU: Double

        public init(_ p: GeoPoint) {
            let rad = Double.pi / 180
            let U = atan((1 - flattening) * tan(p.lat * rad))
            lon = p.lon * rad
            sinU = sin(U)
            cosU = cos(U)
        }
    }

    public static func inverse(_ r1: Reduced, _ r2: Reduced) -> GeodesicInverse {
        let f = flattening
        let a = semiMajorAxis
        let b = semiMinorAxis
        let rad = Double.pi / 180
        var L = r2.lon - r1.lon
        // Longitude difference in (-π, π]: the shorter way round.
        if L > .pi { L -= 2 * .pi } else if L <= -.pi { L += 2 * .pi }
        let sinU1 = r1.sinU, cosU1 = r1.cosU, sinU2 = r2.sinU, cosU2 = r2.cosU

        let aux = Auxiliary(sinU1: sinU1, cosU1: cosU1, sinU2: sinU2, cosU2: cosU2, f: f)
        var lambda = L
        var state = aux.evaluate(lambda)
        if state.sinSigma == 0 {
            return GeodesicInverse(distance: 0, initialAzimuth: 0, finalAzimuth: 0, converged: true)
        }
        var converged = false
        for _ in 0..<200 {
            let next = L + state.correction
            if abs(next - lambda) < 1e-12 {
                lambda = next
                converged = true
                break
            }
            lambda = next
            state = aux.evaluate(lambda)
            if state.sinSigma == 0 { break }
        }
        // A fixed point beyond π is the equatorial (or near-equatorial) line the long way round, not a geodesic
        // that Vincenty's formulation can describe: treat it as the antipodal case.
        if converged, abs(lambda) > .pi { converged = false }
        if converged {
            state = aux.evaluate(lambda)
        } else {
            // λ − L − correction(λ) changes sign on [|L|, π] for the nearly antipodal cases where the fixed point
            // iteration oscillates; bisection is slow but cannot diverge.
            let sign: Double = L < 0 ? -1 : 1
            var lo = abs(L), hi = Double.pi
            func g(_ x: Double) -> Double { x - abs(L) - abs(aux.evaluate(sign * x).correction) }
            if g(lo) * g(hi) <= 0 {
                for _ in 0..<200 {
                    let mid = (lo + hi) / 2
                    if g(lo) * g(mid) <= 0 { hi = mid } else { lo = mid }
                    if hi - lo < 1e-14 { break }
                }
                lambda = sign * (lo + hi) / 2
            } else {
                // No root on the way round: the geodesic runs over a pole (meridional, λ = π).
                lambda = sign * Double.pi
            }
            state = aux.evaluate(lambda)
            if abs(abs(lambda) - .pi) < 1e-9, let antipodal = antipodalCase(aux: aux, L: L, a: a, b: b) {
                return antipodal
            }
        }

        let cos2Alpha = state.cos2Alpha
        let uSq = cos2Alpha * (a * a - b * b) / (b * b)
        let A = 1 + uSq / 16384 * (4096 + uSq * (-768 + uSq * (320 - 175 * uSq)))
        let B = uSq / 1024 * (256 + uSq * (-128 + uSq * (74 - 47 * uSq)))
        let c2 = state.cos2SigmaM
        let deltaSigma = B * state.sinSigma * (c2 + B / 4 * (state.cosSigma * (-1 + 2 * c2 * c2)
            - B / 6 * c2 * (-3 + 4 * state.sinSigma * state.sinSigma) * (-3 + 4 * c2 * c2)))
        let s = b * A * (state.sigma - deltaSigma)
        let sinL = sin(lambda), cosL = cos(lambda)
        let az1 = atan2(cosU2 * sinL, cosU1 * sinU2 - sinU1 * cosU2 * cosL) / rad
        let az2 = atan2(cosU1 * sinL, -sinU1 * cosU2 + cosU1 * sinU2 * cosL) / rad
        return GeodesicInverse(distance: s, initialAzimuth: az1, finalAzimuth: az2, converged: converged)
    }

    /// Nearly antipodal points whose geodesic passes through λ = π on the auxiliary sphere (e.g. two points on
    /// the equator almost half the world apart): there σ is fixed and the unknown is α, found by bisection on
    /// π − |L| = (1 − C) f sin α (σ + C sin σ (cos 2σm + C cos σ (−1 + 2 cos² 2σm))) (Vincenty 1975b's idea).
    static func antipodalCase(aux: Auxiliary, L: Double, a: Double, b: Double) -> GeodesicInverse? {
        let f = aux.f
        let cosSigma = aux.sinU1 * aux.sinU2 - aux.cosU1 * aux.cosU2
        let sinSigma = abs(aux.cosU1 * aux.sinU2 + aux.sinU1 * aux.cosU2)
        let sigma = atan2(sinSigma, cosSigma)
        let target = Double.pi - abs(L)
        func terms(_ sinAlpha: Double) -> (h: Double, cos2Alpha: Double, cos2SigmaM: Double) {
            let cos2Alpha = 1 - sinAlpha * sinAlpha
            let cos2SigmaM = cos2Alpha == 0 ? 0 : cosSigma - 2 * aux.sinU1 * aux.sinU2 / cos2Alpha
            let C = f / 16 * cos2Alpha * (4 + f * (4 - 3 * cos2Alpha))
            let h = (1 - C) * f * sinAlpha
                * (sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM))) - target
            return (h, cos2Alpha, cos2SigmaM)
        }
        var lo = 0.0, hi = 1.0
        guard terms(hi).h >= 0 else { return nil }
        for _ in 0..<200 where hi - lo > 1e-15 {
            let mid = (lo + hi) / 2
            if terms(mid).h < 0 { lo = mid } else { hi = mid }
        }
        let sinAlpha = (lo + hi) / 2
        let t = terms(sinAlpha)
        let uSq = t.cos2Alpha * (a * a - b * b) / (b * b)
        let A = 1 + uSq / 16384 * (4096 + uSq * (-768 + uSq * (320 - 175 * uSq)))
        let B = uSq / 1024 * (256 + uSq * (-128 + uSq * (74 - 47 * uSq)))
        let c2 = t.cos2SigmaM
        let deltaSigma = B * sinSigma * (c2 + B / 4 * (cosSigma * (-1 + 2 * c2 * c2)
            - B / 6 * c2 * (-3 + 4 * sinSigma * sinSigma) * (-3 + 4 * c2 * c2)))
        let distance = b * A * (sigma - deltaSigma)
        let sign: Double = L < 0 ? -1 : 1
        let az1 = sign * asin(min(1, sinAlpha / aux.cosU1)) * 180 / .pi
        let az2 = sign * (180 - asin(min(1, sinAlpha / aux.cosU2)) * 180 / .pi)
        return GeodesicInverse(distance: distance, initialAzimuth: az1, finalAzimuth: az2, converged: false)
    }

    /// Vincenty's quantities on the auxiliary sphere for a trial λ.
    struct Auxiliary {
        let sinU1: Double, cosU1: Double, sinU2: Double, cosU2: Double, f: Double

        struct State {
            var sinSigma: Double, cosSigma: Double, sigma: Double
            var cos2Alpha: Double, cos2SigmaM: Double
            /// (1 − C) f sin α (σ + C sin σ (cos 2σm + C cos σ (−1 + 2 cos² 2σm))): λ − L at the solution.
            var correction: Double
        }

        func evaluate(_ lambda: Double) -> State {
            let sinL = sin(lambda), cosL = cos(lambda)
            let t1 = cosU2 * sinL
            let t2 = cosU1 * sinU2 - sinU1 * cosU2 * cosL
            let sinSigma = (t1 * t1 + t2 * t2).squareRoot()
            let cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosL
            let sigma = atan2(sinSigma, cosSigma)
            let sinAlpha = sinSigma == 0 ? 0 : cosU1 * cosU2 * sinL / sinSigma
            let cos2Alpha = 1 - sinAlpha * sinAlpha
            // On the equator cos²α = 0 and cos 2σm is taken as 0 (Vincenty's note).
            let cos2SigmaM = cos2Alpha == 0 ? 0 : cosSigma - 2 * sinU1 * sinU2 / cos2Alpha
            let C = f / 16 * cos2Alpha * (4 + f * (4 - 3 * cos2Alpha))
            let correction = (1 - C) * f * sinAlpha
                * (sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)))
            return State(sinSigma: sinSigma, cosSigma: cosSigma, sigma: sigma, cos2Alpha: cos2Alpha,
                         cos2SigmaM: cos2SigmaM, correction: correction)
        }
    }
}

extension Geodesic {
    /// `distance` as a function value, the metric `AreaLocator` takes.
    public static let wgs84Distance: @Sendable (GeoPoint, GeoPoint) -> Double = { a, b in distance(a, b) }

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
