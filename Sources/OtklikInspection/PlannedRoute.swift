public import Foundation
public import OtklikCore

/// A stop in visiting order with its leg and timing.
public struct PlannedStop: Sendable, Hashable {
    /// 1-based visiting order.
    public var order: Int
    public var stop: RouteStop
    /// Distance from the previous point (start or previous stop), in the metric's units (metres).
    public var legMeters: Double
    /// Distance from the start up to this stop.
    public var cumulativeMeters: Double
    /// Estimated road distance of the leg (`legMeters × detourFactor`).
    public var roadLegMeters: Double
    public var arrival: Date
    /// Arrival plus the service time.
    public var departure: Date
}

/// Why a candidate is not in the route.
public enum SkipReason: String, Sendable, Hashable, Codable {
    case stopLimit = "max_stops"
    case distanceLimit = "max_km"
    case timeLimit = "max_hours"
}

public struct SkippedStop: Sendable, Hashable {
    public var stop: RouteStop
    public var reason: SkipReason
}

/// The planner's answer: everything the exporters need.
public struct PlannedRoute: Sendable, Hashable {
    public var start: GeoPoint
    public var startName: String
    /// The final point after the last stop: the start (round trip), the fixed end, or nil (open end).
    public var end: GeoPoint?
    public var endName: String
    public var stops: [PlannedStop]
    /// Last stop (or start) to `end`; 0 for an open end.
    public var finishLegMeters: Double
    /// Whole length including the finish leg.
    public var totalMeters: Double
    /// `totalMeters × detourFactor`.
    public var roadMeters: Double
    public var departure: Date
    /// Arrival at `end`, or the end of the last service for an open end.
    public var finish: Date
    public var skipped: [SkippedStop]
    /// Set when the route is empty or shortened, for the user to read.
    public var message: String?

    /// Start, the stops in order, then the end when there is one: the route's polyline.
    public var path: [GeoPoint] {
        [start] + stops.map(\.stop.location) + (end.map { [$0] } ?? [])
    }
}
