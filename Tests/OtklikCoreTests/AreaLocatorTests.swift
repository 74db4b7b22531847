import Foundation
import Testing
import OtklikCore

@Suite struct AreaLocatorTests {
    // Two unit squares sharing the edge lon = 1; a hole in the right one.
    let left = Area(level: .district, name: "Левый район",
                    geometry: .polygon([[GeoPoint(lon: 0, lat: 0), GeoPoint(lon: 1, lat: 0), GeoPoint(lon: 1, lat: 1), GeoPoint(lon: 0, lat: 1), GeoPoint(lon: 0, lat: 0)]]))
    let right = Area(level: .district, name: "Правый район",
                     geometry: .polygon([
                        [GeoPoint(lon: 1, lat: 0), GeoPoint(lon: 2, lat: 0), GeoPoint(lon: 2, lat: 1), GeoPoint(lon: 1, lat: 1), GeoPoint(lon: 1, lat: 0)],
                        [GeoPoint(lon: 1.4, lat: 0.4), GeoPoint(lon: 1.6, lat: 0.4), GeoPoint(lon: 1.6, lat: 0.6), GeoPoint(lon: 1.4, lat: 0.6), GeoPoint(lon: 1.4, lat: 0.4)],
                     ]))

    func locator(settlements: [Area] = []) -> AreaLocator {
        // Planar metres on this toy map: 1 degree = 100 km.
        AreaLocator(districts: [left, right], settlements: settlements, maxSettlementDistance: 3000) { a, b in
            ((a.lon - b.lon) * (a.lon - b.lon) + (a.lat - b.lat) * (a.lat - b.lat)).squareRoot() * 100_000
        }
    }

    @Test func assignsDistrictByPointInPolygon() {
        let l = locator()
        #expect(l.district(of: GeoPoint(lon: 0.5, lat: 0.5)) == "Левый район")
        #expect(l.district(of: GeoPoint(lon: 1.2, lat: 0.5)) == "Правый район")
        #expect(l.district(of: GeoPoint(lon: 1.5, lat: 0.5)) == nil, "inside the hole")
        #expect(l.district(of: GeoPoint(lon: 3, lat: 0.5)) == nil)
    }

    @Test func pointOnASharedBorderBelongsToExactlyOneDistrict() {
        let l = locator()
        #expect(l.district(of: GeoPoint(lon: 1, lat: 0.5)) != nil)
    }

    @Test func picksNearestSettlementWithinTheRadius() {
        let s = [Area(level: .settlement, name: "Сосновка", population: 120, geometry: .point(GeoPoint(lon: 0.50, lat: 0.50))),
                 Area(level: .settlement, name: "Рудня", population: 9000, geometry: .point(GeoPoint(lon: 0.52, lat: 0.50)))]
        let l = locator(settlements: s)
        #expect(l.settlement(of: GeoPoint(lon: 0.505, lat: 0.5))?.name == "Сосновка")
        #expect(l.settlement(of: GeoPoint(lon: 0.516, lat: 0.5))?.name == "Рудня")
        let far = l.settlement(of: GeoPoint(lon: 0.60, lat: 0.5))
        #expect(far == nil, "8 km away is beyond 3 km")
    }
}
