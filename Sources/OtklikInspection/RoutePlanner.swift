import Foundation
import OtklikCore

/// Plans an inspector's day over candidate stops.
///
/// Prize-collecting rule, used when the stops cannot all fit (`maxStops`, `maxKilometres`, `maxHours`; the day's
/// hours are the road length at `speedKmh` plus `serviceMinutes` per stop):
/// 1. Each stop is worth `value = priority + overdueWeight × overdueCount` (at least 1e-6, so a worthless
///    stop still has a defined ratio and goes first).
/// 2. Start from the optimised tour through all candidates. While the tour breaks a limit, drop the stop with the
///    smallest `value ÷ detour`, where `detour = d(prev, s) + d(s, next) − d(prev, next)` is what the stop adds to
///    the current tour (a stop that costs nothing is never dropped before one that costs something; ties go to
///    the lower value, then the greater id). The tour is re-optimised by local search after every fifth of it
///    has been dropped, and fully (iterated local search) at the end.
/// 3. Then the dropped stops are offered back, highest `value ÷ cheapest insertion cost` first, wherever a stop
///    still fits under both limits, and the final tour is optimised again.
public enum RoutePlanner {
    public static func plan(_ candidates: [RouteStop], request: RouteRequest) throws(InspectionError) -> PlannedRoute {
        try request.validate()
        for (k, s) in candidates.enumerated() {
            guard s.priority.isFinite, s.priority >= 0 else {
                throw .invalidRequest(field: "stops[\(k)].priority", reason: "\(s.priority) must be zero or positive")
            }
            if request.metric == .geodesic {
                do { _ = try GeoPoint.validated(lon: s.location.lon, lat: s.location.lat) } catch {
                    throw .invalidRequest(field: "stops[\(k)] (\(s.id))", reason: error.description)
                }
            }
        }
        var points = [request.start]
        let endIndex: Int?
        switch request.finish {
        case .fixed(let e): points.append(e); endIndex = 1
        case .roundTrip, .openEnd: endIndex = nil
        }
        let firstStop = points.count
        points += candidates.map(\.location)
        let limit = DistanceMatrix.maximumCount - 2
        guard candidates.count <= limit else { throw .tooManyPoints(count: candidates.count, limit: limit) }

        if candidates.isEmpty {
            return assemble([], candidates: candidates, skipped: [], base: nil, points: points, endIndex: endIndex,
                            request: request, message: "Нет объектов для посещения: список кандидатов пуст")
        }
        let metric = request.metric
        let base = metric == .geodesic ? Geodesic.distanceMatrix(points)
            : DistanceMatrix(count: points.count) { metric.distance(points[$0], points[$1]) }
        let shape = Shape(base: base, points: points, endIndex: endIndex, open: request.finish == .openEnd)

        // Candidate k is base index firstStop + k.
        var selected = Array(firstStop..<points.count)
        var order = shape.solve(selected, options: request.solver, iterate: selected.count <= 1_000)
        let values = candidates.map { max(1e-6, $0.priority + request.overdueWeight * Double($0.overdueCount)) }
        func value(_ baseIndex: Int) -> Double { values[baseIndex - firstStop] }
        let roadFactor = request.detourFactor
        let maxStops = request.maxStops ?? Int.max
        let maxLength = request.maxKilometres.map { $0 * 1000 / roadFactor } ?? .infinity
        let maxSeconds = request.maxHours.map { $0 * 3600 } ?? .infinity
        let metresPerSecond = request.speedKmh * 1000 / 3600
        /// Hours of a day over `stops` stops whose path is `length` long, in seconds.
        func seconds(_ length: Double, stops: Int) -> Double {
            length * roadFactor / metresPerSecond + Double(stops) * request.serviceMinutes * 60
        }
        var skipped: [(Int, SkipReason)] = []

        var sinceOptimised = 0
        while !selected.isEmpty {
            let overStops = selected.count > maxStops
            let length = shape.length(order)
            let overLength = length > maxLength + 1e-9
            let overTime = seconds(length, stops: selected.count) > maxSeconds + 1e-6
            guard overStops || overLength || overTime else { break }
            let victim = cheapestToDrop(order, shape: shape, value: value)
            skipped.append((victim, overStops ? .stopLimit : overLength ? .distanceLimit : .timeLimit))
            selected.removeAll { $0 == victim }
            order.removeAll { $0 == victim }
            sinceOptimised += 1
            if sinceOptimised * 5 >= selected.count, !selected.isEmpty, !request.solver.pastDeadline {
                order = shape.solve(selected, options: request.solver, iterate: false)
                sinceOptimised = 0
            }
        }
        if !skipped.isEmpty {
            if !selected.isEmpty { order = shape.solve(selected, options: request.solver, iterate: true) }
            // Offer the dropped stops back where they still fit.
            var reinserted = true
            while reinserted, selected.count < maxStops {
                reinserted = false
                var best: (ratio: Double, skippedAt: Int, position: Int, cost: Double)?
                let currentLength = shape.length(order)
                for (k, (s, _)) in skipped.enumerated() {
                    let (position, cost) = shape.cheapestInsertion(s, into: order)
                    guard currentLength + cost <= maxLength + 1e-9,
                          seconds(currentLength + cost, stops: selected.count + 1) <= maxSeconds + 1e-6 else { continue }
                    let ratio = value(s) / max(cost, 1e-9)
                    if best == nil || ratio > best!.ratio { best = (ratio, k, position, cost) }
                }
                if let best {
                    let s = skipped.remove(at: best.skippedAt).0
                    order.insert(s, at: best.position)
                    selected.append(s)
                    reinserted = true
                }
            }
            if !selected.isEmpty {
                let improved = shape.solve(selected, options: request.solver, iterate: true)
                if shape.length(improved) <= shape.length(order) { order = improved }
            }
        }
        var message: String?
        if selected.isEmpty {
            message = "Ни один объект не помещается в ограничения дня (max_stops, max_km, max_hours)"
        } else if !skipped.isEmpty {
            message = "В маршрут вошли \(selected.count) из \(candidates.count) объектов; остальные не помещаются в ограничения дня"
        }
        let skippedStops = skipped.map { SkippedStop(stop: candidates[$0.0 - firstStop], reason: $0.1) }
            .sorted { ($1.stop.priority, $0.stop.id) < ($0.stop.priority, $1.stop.id) }
        return assemble(order.map { $0 - firstStop }, candidates: candidates, skipped: skippedStops, base: base,
                        points: points, endIndex: endIndex, request: request, message: message)
    }

    /// The stop whose value per metre of detour is lowest on the current order.
    static func cheapestToDrop(_ order: [Int], shape: Shape, value: (Int) -> Double) -> Int {
        var victim = order[0]
        var worst = Double.infinity
        var worstValue = Double.infinity
        for (k, s) in order.enumerated() {
            let prev = k == 0 ? 0 : order[k - 1]
            let next: Int? = k + 1 < order.count ? order[k + 1] : shape.closingPoint
            var detour = shape.base[prev, s]
            if let next { detour += shape.base[s, next] - shape.base[prev, next] }
            let ratio = detour <= 1e-9 ? Double.infinity : value(s) / detour
            let v = value(s)
            if ratio < worst || (ratio == worst && (v < worstValue || (v == worstValue && s > victim))) {
                victim = s
                worst = ratio
                worstValue = v
            }
        }
        return victim
    }

    static func assemble(_ visit: [Int], candidates: [RouteStop], skipped: [SkippedStop], base: DistanceMatrix?,
                         points: [GeoPoint], endIndex: Int?, request: RouteRequest, message: String?) -> PlannedRoute {
        let metric = request.metric
        let speed = request.speedKmh * 1000 / 3600
        let service = request.serviceMinutes * 60
        var stops: [PlannedStop] = []
        var previous = request.start
        var cumulative = 0.0
        var clock = request.departure
        for (k, c) in visit.enumerated() {
            let stop = candidates[c]
            let leg = metric.distance(previous, stop.location)
            cumulative += leg
            let road = leg * request.detourFactor
            let arrival = clock.addingTimeInterval(road / speed)
            let departure = arrival.addingTimeInterval(service)
            stops.append(PlannedStop(order: k + 1, stop: stop, legMeters: leg, cumulativeMeters: cumulative,
                                     roadLegMeters: road, arrival: arrival, departure: departure))
            clock = departure
            previous = stop.location
        }
        var end: GeoPoint?
        switch request.finish {
        case .roundTrip: end = request.start
        case .fixed(let e): end = e
        case .openEnd: end = nil
        }
        var finishLeg = 0.0
        if let end {
            finishLeg = metric.distance(previous, end)
            clock = clock.addingTimeInterval(finishLeg * request.detourFactor / speed)
        }
        let total = cumulative + finishLeg
        return PlannedRoute(start: request.start, startName: request.startName, end: end,
                            endName: request.finish == .roundTrip ? request.startName : request.endName,
                            stops: stops, finishLegMeters: finishLeg, totalMeters: total,
                            roadMeters: total * request.detourFactor, departure: request.departure, finish: clock,
                            skipped: skipped, message: message)
    }
}

/// The route's shape as a closed tour problem over a subset of the base points (index 0 = start).
/// Open end and fixed end become a closed tour through a dummy point: the dummy is at cost 0 from the start
/// (and from the fixed end), and at a prohibitive cost from every other point, so every good tour passes
/// start – dummy – end and the rest of it is the path.
struct Shape {
    let base: DistanceMatrix
    /// Positions of the base points, for the quadrant neighbour lists.
    let points: [GeoPoint]
    let endIndex: Int?
    let open: Bool

    /// The point the path must reach after its last stop, if any.
    var closingPoint: Int? { open ? nil : (endIndex ?? 0) }

    /// Path length from the start through `order` to the closing point.
    func length(_ order: [Int]) -> Double {
        var total = 0.0
        var prev = 0
        for s in order { total += base[prev, s]; prev = s }
        if let c = closingPoint { total += base[prev, c] }
        return total
    }

    /// Visiting order of `stops` (base indices) that minimises `length`.
    func solve(_ stops: [Int], options: SolverOptions, iterate: Bool) -> [Int] {
        if stops.count <= 1 { return stops }
        var nodes = [0]
        if let endIndex { nodes.append(endIndex) }
        nodes += stops
        let needsDummy = open || endIndex != nil
        let m = nodes.count + (needsDummy ? 1 : 0)
        let dummy = nodes.count
        var big = 0.0
        if needsDummy {
            for i in nodes { for j in nodes { big = max(big, base[i, j]) } }
            big = big * Double(nodes.count + 1) + 1
        }
        let matrix = DistanceMatrix(count: m) { i, j in
            if i == dummy || j == dummy {
                let other = i == dummy ? j : i
                return other == 0 || (endIndex != nil && other == 1) ? 0 : big
            }
            return base[nodes[i], nodes[j]]
        }
        var opts = options
        if !iterate { opts.kicksPerPoint = 0; opts.minimumKicks = 0 }
        let coordinates = (0..<m).map { i in
            let p = points[i == dummy ? 0 : nodes[i]]
            return (x: p.lon, y: p.lat)
        }
        let tour = TourSolver.solve(matrix, coordinates: coordinates, options: opts)
        // tour starts at 0 (the start); orient it so that it leaves the start away from the dummy / end.
        var sequence = Array(tour.dropFirst())
        if needsDummy {
            if sequence.first == dummy {
                sequence.reverse()
            }
        } else if sequence.count > 1, sequence.first! > sequence.last! {
            // Round trip: either direction has the same length; pick one deterministically.
            sequence.reverse()
        }
        return sequence.filter { $0 != dummy && !(endIndex != nil && $0 == 1) }.map { nodes[$0] }
    }

    /// Where `s` is cheapest to insert into `order`, and what it costs.
    func cheapestInsertion(_ s: Int, into order: [Int]) -> (position: Int, cost: Double) {
        var best = (position: order.count, cost: Double.infinity)
        for k in 0...order.count {
            let prev = k == 0 ? 0 : order[k - 1]
            let next: Int? = k < order.count ? order[k] : closingPoint
            var cost = base[prev, s]
            if let next { cost += base[s, next] - base[prev, next] }
            if cost < best.cost { best = (k, cost) }
        }
        return best
    }
}
