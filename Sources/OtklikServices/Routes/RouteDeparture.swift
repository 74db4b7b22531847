public import Foundation
import OtklikCore

/// The day's frame as a planner gives it: `--depart` / `depart=` and `--max-hours` / `max_hours=`, read the same
/// way by the CLI and HTTP.
public enum RouteDeparture {
    /// A time without an offset is read in the region's zone, Moscow time (UTC+3 all year), which is also the
    /// zone the exports print their ETAs in; the machine's own zone plays no part, so a server elsewhere plans the
    /// same day.
    public static let zone = TimeZone(identifier: "Europe/Moscow") ?? TimeZone(secondsFromGMT: 3 * 3600)!

    /// `2026-12-07T08:30` (Moscow time), `2026-12-07T08:30:00+03:00` or `…Z`; a date alone is refused (the
    /// time of day matters).
    public static func parse(_ text: String, field: String) throws(RouteDayError) -> Date {
        let t = text.trimmingCharacters(in: .whitespaces)
        let fail = RouteDayError("\(field): '\(t.count > 40 ? String(t.prefix(40)) + "…" : t)' is not a departure time; "
            + "give YYYY-MM-DDThh:mm in Moscow time, e.g. 2026-12-07T08:30, or add an offset, e.g. 2026-12-07T08:30+03:00")
        guard t.count > 10 else { throw fail }
        if let withOffset = try? Timestamp.parse(t, field: field) { return withOffset }
        guard let wall = try? Timestamp.parse(t, field: field, assumeUTC: true) else { throw fail }
        // The wall clock read as UTC, moved back by the zone's offset at that moment.
        let guess = wall.addingTimeInterval(-Double(zone.secondsFromGMT(for: wall)))
        return wall.addingTimeInterval(-Double(zone.secondsFromGMT(for: guess)))
    }

    /// The working day's length in hours: more than 0, at most 24.
    public static func hours(_ value: Double, field: String) throws(RouteDayError) -> Double {
        guard value.isFinite, value > 0, value <= 24 else {
            throw RouteDayError("\(field): \(String(format: "%g", value)) must be a number of hours more than 0 and at most 24, e.g. 8")
        }
        return value
    }
}

/// A departure time or working day that cannot be read; the message says what to give instead.
public struct RouteDayError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }

    public static func notANumber(_ text: String, field: String) -> RouteDayError {
        RouteDayError("\(field): '\(text.count > 40 ? String(text.prefix(40)) + "…" : text)' is not a number of hours, e.g. 8")
    }
}
