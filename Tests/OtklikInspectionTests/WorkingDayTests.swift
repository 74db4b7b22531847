import Foundation
import OtklikCore
import Testing
@testable import OtklikInspection

/// `maxHours`: the day's travel (road length at the speed) and stops (service time) fit in the hours given;
/// stops are dropped by the same value-per-detour rule as for `maxKilometres`.
struct WorkingDayTests {
    static let departure = Date(timeIntervalSince1970: 1_796_621_400) // 2026-12-07T05:30:00Z, 08:30 in Moscow

    /// Stops every 1 km along a line, all of equal value; 36 km/h (10 m/s) with no road factor and 6 minutes at
    /// each stop. A round trip over the first n stops takes 2n km (200n s) plus 360n s: within one hour n ≤ 6
    /// (3,360 s); the seventh would make it 3,920 s.
    @Test func anHourHoldsTheStopsThatFitAndDropsTheRest() throws {
        let stops = (1...10).map { RouteStop(id: "s\($0)", name: "точка \($0)", location: GeoPoint(lon: Double($0) * 1000, lat: 0)) }
        let request = RouteRequest(start: GeoPoint(lon: 0, lat: 0), maxHours: 1, departure: Self.departure, speedKmh: 36,
                                   detourFactor: 1, serviceMinutes: 6, metric: .planar)
        let route = try RoutePlanner.plan(stops, request: request)
        let visited: [String] = route.stops.map(\.stop.id)
        #expect(visited == ["s1", "s2", "s3", "s4", "s5", "s6"])
        #expect(route.finish.timeIntervalSince(route.departure) == 3_360)
        #expect(route.finish.timeIntervalSince(route.departure) <= 3_600)
        #expect(Set(route.skipped.map(\.stop.id)) == ["s7", "s8", "s9", "s10"])
        #expect(route.skipped.allSatisfy { $0.reason == .timeLimit })
        #expect(route.message == "В маршрут вошли 6 из 10 объектов; остальные не помещаются в ограничения дня")
        // Arrivals count from the departure: the nearest stop is 1 km (100 s) out.
        #expect(route.stops.first?.stop.id == "s1")
        #expect(route.stops.first?.arrival.timeIntervalSince(Self.departure) == 100)
        #expect(route.stops.allSatisfy { $0.arrival > Self.departure && $0.departure == $0.arrival.addingTimeInterval(360) })
    }

    @Test func withoutALimitEveryStopIsVisited() throws {
        let stops = (1...10).map { RouteStop(id: "s\($0)", name: "точка \($0)", location: GeoPoint(lon: Double($0) * 1000, lat: 0)) }
        let request = RouteRequest(start: GeoPoint(lon: 0, lat: 0), departure: Self.departure, speedKmh: 36,
                                   detourFactor: 1, serviceMinutes: 6, metric: .planar)
        let route = try RoutePlanner.plan(stops, request: request)
        #expect(route.stops.count == 10)
        // 20 km at 10 m/s and ten stops of 6 minutes.
        #expect(route.finish.timeIntervalSince(route.departure) == 2_000 + 3_600)
    }

    @Test(arguments: [0.0, -1, 25, .nan, .infinity])
    func aDayOutsideZeroToTwentyFourHoursIsRefused(_ hours: Double) {
        let request = RouteRequest(start: GeoPoint(lon: 32, lat: 54.8), maxHours: hours, departure: Self.departure)
        #expect(throws: InspectionError.invalidRequest(field: "max_hours", reason: "\(hours) must be more than 0 and at most 24")) {
            try RoutePlanner.plan([], request: request)
        }
    }
}
