import Foundation
import OtklikCore
import OtklikTestSupport
import Testing
@testable import OtklikInspection

struct RoutePlannerTests {
    static let smolensk = GeoPoint(lon: 32.04, lat: 54.78)
    static let departure = Date(timeIntervalSince1970: 1_780_290_000) // 2026-06-01T05:00:00Z

    static func stop(_ id: String, _ name: String, _ lon: Double, _ lat: Double, priority: Double = 1) -> RouteStop {
        RouteStop(id: id, name: name, location: GeoPoint(lon: lon, lat: lat), priority: priority, overdueCount: 0,
                  category: "Ямы на дорогах", complaints: 2, settlement: "Сосновка", district: "Руднянский район",
                  url: "https://otklik.example/hotspots/\(id)")
    }

    @Test func emptyCandidateListGivesAnEmptyRouteWithAMessage() throws {
        let route = try RoutePlanner.plan([], request: RouteRequest(start: Self.smolensk, departure: Self.departure))
        #expect(route.stops.isEmpty)
        #expect(route.totalMeters == 0)
        #expect(route.message != nil)
        #expect(route.finish == Self.departure)
    }

    /// One stop 0.1° east of Smolensk: 6,434.379 m each way (pyproj, Fixtures/geodesic_wgs84.csv); at 40 km/h with
    /// a 1.3 road factor each way takes 6,434.379 × 1.3 / (40,000 / 3,600) s, plus 10 min at the stop.
    @Test func etaUsesSpeedRoadFactorAndServiceTime() throws {
        let s = Self.stop("h1", "Яма у школы", 32.14, 54.78)
        let route = try RoutePlanner.plan([s], request: RouteRequest(start: Self.smolensk, departure: Self.departure))
        let leg = 6_434.3794
        let drive = leg * 1.3 / (40_000.0 / 3_600)
        let planned = try #require(route.stops.first)
        #expect(abs(planned.legMeters - leg) < 0.001)
        #expect(abs(planned.roadLegMeters - leg * 1.3) < 0.01)
        #expect(abs(planned.arrival.timeIntervalSince(Self.departure) - drive) < 0.01)
        #expect(abs(planned.departure.timeIntervalSince(planned.arrival) - 600) < 1e-6)
        #expect(abs(route.totalMeters - 2 * leg) < 0.002)
        #expect(abs(route.finish.timeIntervalSince(Self.departure) - (2 * drive + 600)) < 0.01)
        #expect(route.end == Self.smolensk)
    }

    static func villages() -> [RouteStop] {
        [
            stop("1", "Сосновка", 31.50, 54.90, priority: 3), stop("2", "Рудня", 31.09, 54.95),
            stop("3", "Демидов", 31.51, 55.27), stop("4", "Велиж", 31.19, 55.60),
            stop("5", "Кардымово", 32.43, 54.89), stop("6", "Починок", 32.44, 54.40),
            stop("7", "Монастырщина", 31.83, 54.35),
        ]
    }

    /// Independent reference: the shortest open path from the start over all orders, by brute force.
    @Test func openEndRouteIsTheShortestPathFromTheStart() throws {
        let stops = Self.villages()
        let route = try RoutePlanner.plan(stops, request: RouteRequest(start: Self.smolensk, finish: .openEnd,
                                                                       departure: Self.departure))
        #expect(route.end == nil)
        #expect(route.finishLegMeters == 0)
        var best = Double.infinity
        func search(_ from: GeoPoint, _ left: [RouteStop], _ sofar: Double) {
            if left.isEmpty { best = min(best, sofar); return }
            for (k, s) in left.enumerated() {
                var rest = left
                rest.remove(at: k)
                search(s.location, rest, sofar + Geodesic.distance(from, s.location))
            }
        }
        search(Self.smolensk, stops, 0)
        #expect(abs(route.totalMeters - best) < 1e-6)
        #expect(Set(route.stops.map(\.stop.id)) == Set(stops.map(\.id)))
        #expect(route.stops.map(\.order) == Array(1...stops.count))
        #expect(abs(route.stops.last!.cumulativeMeters - route.totalMeters) < 1e-6)
    }

    @Test func fixedEndRouteFinishesThereAndIsShortest() throws {
        let stops = Self.villages()
        let end = GeoPoint(lon: 33.0, lat: 55.0)
        let route = try RoutePlanner.plan(stops, request: RouteRequest(start: Self.smolensk, finish: .fixed(end),
                                                                       departure: Self.departure))
        #expect(route.end == end)
        #expect(route.path.first == Self.smolensk && route.path.last == end)
        var best = Double.infinity
        func search(_ from: GeoPoint, _ left: [RouteStop], _ sofar: Double) {
            if left.isEmpty { best = min(best, sofar + Geodesic.distance(from, end)); return }
            for (k, s) in left.enumerated() {
                var rest = left
                rest.remove(at: k)
                search(s.location, rest, sofar + Geodesic.distance(from, s.location))
            }
        }
        search(Self.smolensk, stops, 0)
        #expect(abs(route.totalMeters - best) < 1e-6)
    }

    @Test func carriesIdsNamesAndFieldsThrough() throws {
        let stops = Self.villages()
        let route = try RoutePlanner.plan(stops, request: RouteRequest(start: Self.smolensk, departure: Self.departure))
        for p in route.stops {
            let original = try #require(stops.first { $0.id == p.stop.id })
            #expect(p.stop == original)
        }
    }

    /// On a plane: a cheap cluster of low-value stops next to the start and two valuable ones a little further.
    /// With room for two stops, value per metre of detour keeps the valuable pair.
    @Test func stopLimitKeepsTheStopsWithMostValuePerDetour() throws {
        var stops: [RouteStop] = []
        for k in 0..<8 {
            stops.append(RouteStop(id: "low\(k)", name: "мелкая \(k)", location: GeoPoint(lon: 100 + Double(k) * 10, lat: 0),
                                   priority: 1))
        }
        stops.append(RouteStop(id: "hi1", name: "важная 1", location: GeoPoint(lon: 0, lat: 500), priority: 50))
        stops.append(RouteStop(id: "hi2", name: "важная 2", location: GeoPoint(lon: 40, lat: 520), priority: 0,
                               overdueCount: 40))
        let request = RouteRequest(start: GeoPoint(lon: 0, lat: 0), maxStops: 2, departure: Self.departure,
                                   metric: .planar)
        let route = try RoutePlanner.plan(stops, request: request)
        #expect(Set(route.stops.map(\.stop.id)) == ["hi1", "hi2"])
        #expect(route.skipped.count == 8)
        #expect(route.skipped.allSatisfy { $0.reason == .stopLimit })
        #expect(route.message != nil)
    }

    @Test func distanceLimitBoundsTheEstimatedRoadLength() throws {
        // Stops every 1 km along a line, all equal: with 10 road-km and a 1.3 factor, the round trip can reach
        // 3.846 km out, so the first three stops fit.
        let stops = (1...10).map { RouteStop(id: "s\($0)", name: "точка \($0)", location: GeoPoint(lon: Double($0) * 1000, lat: 0)) }
        let request = RouteRequest(start: GeoPoint(lon: 0, lat: 0), maxKilometres: 10, departure: Self.departure,
                                   metric: .planar)
        let route = try RoutePlanner.plan(stops, request: request)
        #expect(route.stops.map(\.stop.id).sorted() == ["s1", "s2", "s3"])
        #expect(route.roadMeters <= 10_000)
        #expect(route.skipped.allSatisfy { $0.reason == .distanceLimit })
    }

    @Test func noStopFitsGivesEmptyRouteWithMessage() throws {
        let stops = [RouteStop(id: "far", name: "далеко", location: GeoPoint(lon: 50_000, lat: 0))]
        let route = try RoutePlanner.plan(stops, request: RouteRequest(start: GeoPoint(lon: 0, lat: 0), maxKilometres: 1,
                                                                       departure: Self.departure, metric: .planar))
        #expect(route.stops.isEmpty)
        #expect(route.skipped.map(\.stop.id) == ["far"])
        #expect(route.message != nil)
    }

    @Test func rejectsImpossibleRequests() {
        let s = [Self.stop("1", "x", 32.1, 54.8)]
        #expect(throws: InspectionError.invalidRequest(field: "speed", reason: "0.0 km/h must be a positive number")) {
            try RoutePlanner.plan(s, request: RouteRequest(start: Self.smolensk, departure: Self.departure, speedKmh: 0))
        }
        #expect(throws: InspectionError.self) {
            try RoutePlanner.plan(s, request: RouteRequest(start: GeoPoint(lon: 200, lat: 0), departure: Self.departure))
        }
        #expect(throws: InspectionError.self) {
            try RoutePlanner.plan([Self.stop("1", "x", 32.1, 95)],
                                  request: RouteRequest(start: Self.smolensk, departure: Self.departure))
        }
        #expect(throws: InspectionError.self) {
            try RoutePlanner.plan(s, request: RouteRequest(start: Self.smolensk, maxStops: -1, departure: Self.departure))
        }
    }

    /// The same planner, fed a TSPLIB instance through its own metric, as a round trip from node 1.
    @Test(.requiresSharedData(SharedData.optimaFile))
    func plannerSolvesTSPLIBInstancesInTheirOwnMetric() throws {
        let optima = try SharedData.optima()
        for name in ["berlin52", "gr96"] {
            let instance = try TSPLIB.parseInstance(try SharedData.text("tsplib/\(name).tsp"))
            let stops = (1..<instance.count).map {
                RouteStop(id: String($0 + 1), name: "n\($0 + 1)", location: GeoPoint(lon: instance.x[$0], lat: instance.y[$0]))
            }
            let request = RouteRequest(start: GeoPoint(lon: instance.x[0], lat: instance.y[0]), departure: Self.departure,
                                       metric: .tsplib(instance.metric))
            let route = try RoutePlanner.plan(stops, request: request)
            let optimum = try #require(optima[name])
            #expect(route.stops.count == instance.count - 1)
            #expect(route.totalMeters >= optimum)
            #expect((route.totalMeters - optimum) / optimum <= 0.02, "\(name): \(route.totalMeters)")
        }
    }
}
