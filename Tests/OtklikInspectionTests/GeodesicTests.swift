import Foundation
import OtklikCore
import Testing
@testable import OtklikInspection

/// Reference values: Fixtures/geodesic_wgs84.csv, written by Fixtures/make_geodesic.py with pyproj's Geod (PROJ's
/// geod_inverse, Karney's algorithm).
struct GeodesicTests {
    struct Case {
        var name: String
        var a: GeoPoint
        var b: GeoPoint
        var distance: Double
        var az1: Double
        var az2: Double
    }

    static func cases() throws -> [Case] {
        try Fixture.text("geodesic_wgs84", "csv").split(separator: "\n").dropFirst().map { line in
            let f = line.split(separator: ",").map(String.init)
            let v = f.dropFirst().map { Double($0)! }
            return Case(name: f[0], a: GeoPoint(lon: v[0], lat: v[1]), b: GeoPoint(lon: v[2], lat: v[3]),
                        distance: v[4], az1: v[5], az2: v[6])
        }
    }

    @Test func tenthOfADegreeEastOfSmolenskIs6434Metres() {
        let d = Geodesic.distance(GeoPoint(lon: 32.04, lat: 54.78), GeoPoint(lon: 32.14, lat: 54.78))
        #expect(abs(d - 6_434.379) < 0.001)
    }

    @Test func matchesPyprojToTheMillimetreWhereVincentyConverges() throws {
        for c in try Self.cases() where !c.name.hasPrefix("near_antipodal") {
            let r = Geodesic.inverse(c.a, c.b)
            #expect(r.converged, "\(c.name)")
            #expect(abs(r.distance - c.distance) < 0.001, "\(c.name): \(r.distance) vs \(c.distance)")
            if c.name != "pole_to_equator" {
                #expect(abs(r.initialAzimuth - c.az1) < 1e-6, "\(c.name) az1 \(r.initialAzimuth) vs \(c.az1)")
                #expect(abs(r.finalAzimuth - c.az2) < 1e-6, "\(c.name) az2 \(r.finalAzimuth) vs \(c.az2)")
            }
        }
    }

    @Test func nearlyAntipodalPointsStayWithinAMetreOfPyproj() throws {
        let antipodal = try Self.cases().filter { $0.name.hasPrefix("near_antipodal") }
        #expect(antipodal.count == 3)
        for c in antipodal {
            let d = Geodesic.distance(c.a, c.b)
            #expect(abs(d - c.distance) < 1.0, "\(c.name): \(d) vs \(c.distance)")
        }
    }

    @Test func isSymmetricAndZeroForTheSamePoint() {
        let a = GeoPoint(lon: 31.09, lat: 54.95), b = GeoPoint(lon: 32.04, lat: 54.78)
        #expect(Geodesic.distance(a, a) == 0)
        #expect(abs(Geodesic.distance(a, b) - Geodesic.distance(b, a)) < 1e-6)
    }
}
