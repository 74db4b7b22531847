import Foundation
import Hummingbird
import HummingbirdTesting
import OtklikCore
@testable import OtklikHTTP
import Testing

/// `depart=` and `max_hours=` on GET /api/v1/routes, over the five complaints of `RouteSeed` (a line from
/// 31.05° to 31.40° E along 54.95° N, start at 31.01° E).
@Suite struct RouteDayAPITests {
    static let base = "district=\(RouteSeed.rudnya)&targets=incidents&start=\(RouteSeed.start)&round_trip=false"

    /// The Moscow-time instants of a route CSV, in the order written.
    static func moscowTimes(_ csv: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: #"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+03:00"#)
        return pattern.matches(in: csv, range: NSRange(csv.startIndex..., in: csv)).compactMap { Range($0.range, in: csv).map { String(csv[$0]) } }
    }

    /// 08:30 without an offset is Moscow time: 05:30 UTC in GPX, +03:00 in CSV; every ETA comes after it.
    @Test func departureWithoutAnOffsetIsMoscowTimeAndTheTimesFollowIt() async throws {
        try await Harness.withApp { client, store in
            _ = try await RouteSeed.seed(store)
            let csv = try await RouteSeed.get(client, Self.base + "&format=csv&depart=2026-12-07T08:30")
            #expect(csv.status == .ok, "\(RouteSeed.text(csv))")
            let times = Self.moscowTimes(RouteSeed.text(csv))
            // The start's departure, then each of the five stops' arrival and departure.
            #expect(times.count == 11)
            #expect(times.first == "2026-12-07T08:30:00+03:00")
            #expect(times.dropFirst().allSatisfy { $0 > "2026-12-07T08:30:00+03:00" && $0 < "2026-12-07T11:00:00+03:00" }, "\(times)")
            #expect(times == times.sorted())

            let gpx = try await RouteSeed.get(client, Self.base + "&format=gpx&depart=2026-12-07T08:30%2B03:00")
            let text = RouteSeed.text(gpx)
            #expect(text.contains("<time>2026-12-07T05:30:00Z</time>"))
            // The same moment written in UTC gives the same file.
            let utc = try await RouteSeed.get(client, Self.base + "&format=csv&depart=2026-12-07T05:30Z")
            #expect(RouteSeed.text(utc) == RouteSeed.text(csv))
        }
    }

    /// The whole line takes about 1 h 40 min (24.9 km × 1.3 at 40 km/h, five stops of 10 min); in one hour the
    /// first three fit (about 54 min), the two furthest are left for another day.
    @Test func maxHoursDropsTheStopsTheDayCannotHold() async throws {
        try await Harness.withApp { client, store in
            let ids = try await RouteSeed.seed(store)
            let r = try await RouteSeed.get(client, Self.base + "&format=geojson&depart=2026-12-07T08:30&max_hours=1")
            #expect(r.status == .ok, "\(RouteSeed.text(r))")
            let doc = try Harness.json(r.body)
            let stops = try RouteSeed.stops(r)
            #expect(stops.compactMap { $0["properties"]?["id"]?.str } == Array(ids.prefix(3)))
            let skipped = doc["route"]?["skipped"]?.list ?? []
            #expect(Set(skipped.compactMap { $0["id"]?.str }) == Set(ids.suffix(2)))
            #expect(skipped.allSatisfy { $0["reason"]?.str == "max_hours" })
            let csv = try await RouteSeed.get(client, Self.base + "&format=csv&depart=2026-12-07T08:30&max_hours=1")
            let end = try #require(Self.moscowTimes(RouteSeed.text(csv)).last)
            #expect(end > "2026-12-07T09:00:00+03:00" && end <= "2026-12-07T09:30:00+03:00", "\(end)")
        }
    }

    @Test(arguments: [
        ("depart=tomorrow", "depart: 'tomorrow' is not a departure time; give YYYY-MM-DDThh:mm in Moscow time, e.g. 2026-12-07T08:30, or add an offset, e.g. 2026-12-07T08:30+03:00"),
        ("depart=2026-12-07", "depart: '2026-12-07' is not a departure time; give YYYY-MM-DDThh:mm in Moscow time, e.g. 2026-12-07T08:30, or add an offset, e.g. 2026-12-07T08:30+03:00"),
        ("max_hours=0", "max_hours: 0 must be a number of hours more than 0 and at most 24, e.g. 8"),
        ("max_hours=30", "max_hours: 30 must be a number of hours more than 0 and at most 24, e.g. 8"),
        ("max_hours=eight", "max_hours: 'eight' is not a number of hours, e.g. 8"),
    ])
    func badDayValuesAre422WithWhatToFix(_ query: String, _ detail: String) async throws {
        try await Harness.withApp { client, store in
            _ = try await RouteSeed.seed(store)
            let r = try await RouteSeed.get(client, Self.base + "&" + query)
            #expect(r.status == .unprocessableContent)
            #expect(r.headers[.contentType] == "application/problem+json")
            #expect(try Harness.json(r.body)["detail"]?.str == detail)
        }
    }
}
