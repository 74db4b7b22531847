import Foundation
import OtklikCore
import Testing
@testable import OtklikInspection

/// A plan whose deadline has passed still returns a complete, valid tour: the one it has, without the iterated
/// search and the intermediate re-optimisations.
struct PlannerDeadlineTests {
    static func candidates(_ n: Int) -> [RouteStop] {
        var rng = SeededGenerator(seed: 7)
        return (0..<n).map { i in
            let lon = 31.0 + Double(rng.below(100_000)) / 50_000
            let lat = 54.5 + Double(rng.below(100_000)) / 100_000
            return RouteStop(id: "s\(i)", name: "Объект \(i)", location: GeoPoint(lon: lon, lat: lat), priority: Double(1 + i % 5))
        }
    }

    @Test func pastDeadlineGivesAValidTourWithinTheLimits() throws {
        let stops = Self.candidates(300)
        var request = RouteRequest(start: GeoPoint(lon: 32.04, lat: 54.78), departure: Date(timeIntervalSince1970: 1_780_290_000))
        request.maxStops = 40
        request.solver.deadline = ContinuousClock.now
        let route = try RoutePlanner.plan(stops, request: request)
        #expect(route.stops.count == 40)
        #expect(Set(route.stops.map(\.stop.id)).count == 40)
        #expect(route.skipped.count == 260)
        #expect(route.totalMeters > 0)
    }

    @Test func searchLimitIsCutToTheDeadline() {
        var options = SolverOptions(wallClockLimit: .seconds(60))
        #expect(options.searchLimit == .seconds(60))
        options.deadline = ContinuousClock.now
        #expect(options.searchLimit == .zero)
        #expect(options.pastDeadline)
    }
}
