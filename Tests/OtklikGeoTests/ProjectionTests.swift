import Testing
import OtklikCore
import OtklikGeo

// Reference values: PITFALLS.md (measured with PROJ's cs2cs / pyproj on this machine):
//   echo 32.04 54.78 | cs2cs -f %.3f EPSG:4326 EPSG:32636  (lon/lat order after normalisation)
//   -> 438255.626 6070733.082 ; geod inv 0.1° east of Smolensk -> 6434.379 m
@Suite struct ProjectionTests {
    @Test func choosesUTMZoneFromTheDataCentre() throws {
        #expect(MetricProjection.utmCRS(for: GeoPoint(lon: 32.04, lat: 54.78)) == "EPSG:32636")
        #expect(MetricProjection.utmCRS(for: GeoPoint(lon: -118.25, lat: 34.05)) == "EPSG:32611")
        #expect(MetricProjection.utmCRS(for: GeoPoint(lon: 151.2, lat: -33.9)) == "EPSG:32756")
    }

    @Test func projectsSmolenskInLonLatOrder() throws {
        let proj = try MetricProjection(crs: "EPSG:32636")
        let xy = proj.project(GeoPoint(lon: 32.04, lat: 54.78))
        #expect(abs(xy.x - 438_255.626) < 0.001)
        #expect(abs(xy.y - 6_070_733.082) < 0.001)
        let back = proj.unproject(x: xy.x, y: xy.y)
        #expect(abs(back.lon - 32.04) < 1e-9)
        #expect(abs(back.lat - 54.78) < 1e-9)
    }

    @Test func batchProjectionMatchesSingle() throws {
        let proj = try MetricProjection(region: BBox(minLon: 30.7, minLat: 53.3, maxLon: 35.4, maxLat: 56.1))
        let pts = [GeoPoint(lon: 31.5, lat: 54.9), GeoPoint(lon: 33.0, lat: 55.5)]
        let batch = proj.project(pts)
        for (i, p) in pts.enumerated() {
            let one = proj.project(p)
            #expect(batch.xs[i] == one.x)
            #expect(batch.ys[i] == one.y)
        }
    }

    @Test func rejectsUnknownCRSWithPROJMessage() {
        #expect(throws: GeoError.self) { try MetricProjection(crs: "EPSG:999999") }
    }

    @Test func measuresGeodesicDistanceEastOfSmolensk() {
        let d = Geodesic.distance(GeoPoint(lon: 32.04, lat: 54.78), GeoPoint(lon: 32.14, lat: 54.78))
        #expect(abs(d - 6_434.379) < 0.001)
    }

}
