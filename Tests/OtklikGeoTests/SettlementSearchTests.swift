import Foundation
import Synchronization
import Testing
import OtklikCore
import OtklikGeo

/// The settlement search with the geodesic metric's bounds (`Geodesic.wgs84SphereRatio`) finds exactly what
/// the search that measures every candidate finds, with fewer geodesic calls, and often none.
@Suite struct SettlementSearchTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A fixed pseudo-random sequence in [0, 1).
    struct Sequence {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
    }

    /// Great-circle distance on the sphere of `AreaLocator.sphereRadius`: the one the bounds are measured against.
    static func sphere(_ a: GeoPoint, _ b: GeoPoint) -> Double { AreaLocator.sphericalDistance(a, b) }

    /// The ratio stays within its bounds for short and long pairs at every latitude. It is lowest for pairs
    /// running north–south near the equator (M = 6,335,439 m, 0.9944 of the mean radius) and highest for short
    /// pairs at the poles (a²/b = 6,399,594 m, 1.0045 of it).
    @Test func theGeodesicStaysWithinTheRatioOfTheSphere() {
        var r = Sequence(state: 7)
        var lowest = Double.infinity, highest = 0.0
        for k in 0..<20_000 {
            let lat = r.next() * 178 - 89, lon = r.next() * 360 - 180
            // Half the pairs within 5 km, half anywhere.
            let reach = k % 2 == 0 ? 0.05 : 90.0
            let b = GeoPoint(lon: max(-180, min(180, lon + (r.next() * 2 - 1) * reach)),
                             lat: max(-89.9, min(89.9, lat + (r.next() * 2 - 1) * reach)))
            let a = GeoPoint(lon: lon, lat: lat)
            let s = Self.sphere(a, b)
            guard s > 1 else { continue }
            let ratio = Geodesic.wgs84Distance(a, b) / s
            lowest = min(lowest, ratio)
            highest = max(highest, ratio)
        }
        // North–south at the equator: the smallest ratio there is.
        let meridian = Geodesic.wgs84Distance(GeoPoint(lon: 10, lat: -0.01), GeoPoint(lon: 10, lat: 0.01))
            / Self.sphere(GeoPoint(lon: 10, lat: -0.01), GeoPoint(lon: 10, lat: 0.01))
        #expect(abs(meridian - 6_335_439.0 / 6_371_008.8) < 1e-5)
        #expect(lowest >= meridian - 1e-6)
        let polar = Geodesic.wgs84Distance(GeoPoint(lon: 0, lat: 89.999), GeoPoint(lon: 90, lat: 89.999))
            / Self.sphere(GeoPoint(lon: 0, lat: 89.999), GeoPoint(lon: 90, lat: 89.999))
        #expect(abs(polar - 6_399_593.6 / 6_371_008.8) < 1e-5)
        #expect(highest <= polar + 1e-6)
        #expect(Geodesic.wgs84SphereRatio.contains(lowest) && Geodesic.wgs84SphereRatio.contains(highest))
        #expect(Geodesic.wgs84SphereRatio.contains(meridian) && Geodesic.wgs84SphereRatio.contains(polar))
    }

    final class Counter: Sendable {
        let calls = Mutex(0)
    }

    func locators(radius: Double) throws -> (full: AreaLocator, bounded: AreaLocator, fullCalls: Counter, boundedCalls: Counter, settlements: [Area]) {
        let s = try Area.fromGeoJSON(Data(contentsOf: Self.root.appendingPathComponent("data/settlements.geojson")), level: .settlement)
        let full = Counter(), bounded = Counter()
        let a = AreaLocator(districts: [], settlements: s, maxSettlementDistance: radius) { p, q in
            full.calls.withLock { $0 += 1 }
            return Geodesic.wgs84Distance(p, q)
        }
        let b = AreaLocator(districts: [], settlements: s, maxSettlementDistance: radius, metric: .init({ p, q in
            bounded.calls.withLock { $0 += 1 }
            return Geodesic.wgs84Distance(p, q)
        }, sphereRatio: Geodesic.wgs84Metric.sphereRatio))
        return (a, b, full, bounded, s)
    }

    @Test(arguments: [3000.0, 10_000.0])
    func theBoundedSearchFindsWhatTheFullSearchFinds(radius: Double) throws {
        let (full, bounded, fullCalls, boundedCalls, settlements) = try locators(radius: radius)
        var points: [GeoPoint] = []
        var r = Sequence(state: 2024)
        // Around settlements (as incidents are), anywhere in and around the oblast, on settlements themselves,
        // and halfway between two settlements (equal distances, where the lower index must win).
        let anchors = settlements.compactMap(\.anchor)
        for _ in 0..<20_000 {
            let a = anchors[Int(r.next() * Double(anchors.count))]
            points.append(GeoPoint(lon: a.lon + (r.next() * 2 - 1) * 0.06, lat: a.lat + (r.next() * 2 - 1) * 0.04))
        }
        for _ in 0..<5_000 { points.append(GeoPoint(lon: 30.5 + r.next() * 5.2, lat: 53.2 + r.next() * 3.1)) }
        for i in stride(from: 0, to: anchors.count - 1, by: 7) {
            points.append(anchors[i])
            points.append(GeoPoint(lon: (anchors[i].lon + anchors[i + 1].lon) / 2, lat: (anchors[i].lat + anchors[i + 1].lat) / 2))
        }
        var found = 0
        for p in points {
            let a = full.settlement(of: p), b = bounded.settlement(of: p)
            #expect(a?.name == b?.name && a?.distance == b?.distance, "at \(p.lon), \(p.lat)")
            if a != nil { found += 1 }
        }
        #expect(found > points.count / 4, "the points must mostly have a settlement for the comparison to mean something")
        let measuredFull = fullCalls.calls.withLock { $0 }, measuredBounded = boundedCalls.calls.withLock { $0 }
        // Within 3 km: 20,268 calls for every candidate, 11,718 with the bounds.
        #expect(measuredBounded * 10 < measuredFull * 7, "geodesic calls: \(measuredBounded) bounded, \(measuredFull) full")

        // Without the distance, the bounds alone decide almost every point.
        boundedCalls.calls.withLock { $0 = 0 }
        for p in points {
            let a = full.assign(p), b = bounded.assign(p, measuringDistance: false)
            #expect(a.settlement == b.settlement, "at \(p.lon), \(p.lat)")
            if let d = b.settlementDistance { #expect(d == a.settlementDistance) }
        }
        let unmeasured = boundedCalls.calls.withLock { $0 }
        // 1,276 against 20,268 within 3 km.
        #expect(unmeasured * 10 < measuredFull, "geodesic calls without the distance: \(unmeasured), full: \(measuredFull)")
    }
}
