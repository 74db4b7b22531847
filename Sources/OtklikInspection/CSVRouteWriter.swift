import Foundation
import OtklikCore

/// The printable list (RFC 4180, UTF-8, comma separated, header first): one row for the start, one per stop
/// in visiting order, one for the end.
public enum CSVRouteWriter {
    public static let header = ["order", "role", "id", "name", "category", "complaints", "overdue", "settlement",
                                "district", "leg_km", "cumulative_km", "eta", "departure", "lat", "lon", "url"]

    public static func write(_ route: PlannedRoute, options: RouteExportOptions) -> String {
        let zone = options.timeZone
        var rows: [[String]] = [header]
        rows.append(["0", "start", "", route.startName, "", "", "", "", "", "0.00", "0.00", "",
                     StopText.iso(route.departure, zone: zone), StopText.coordinate(route.start.lat),
                     StopText.coordinate(route.start.lon), ""])
        for s in route.stops {
            rows.append([String(s.order), "stop", s.stop.id, s.stop.name, s.stop.category, String(s.stop.complaints),
                         String(s.stop.overdueCount), s.stop.settlement ?? "", s.stop.district ?? "",
                         StopText.kilometres(s.legMeters), StopText.kilometres(s.cumulativeMeters),
                         StopText.iso(s.arrival, zone: zone), StopText.iso(s.departure, zone: zone),
                         StopText.coordinate(s.stop.location.lat), StopText.coordinate(s.stop.location.lon),
                         s.stop.url ?? ""])
        }
        if let end = route.end {
            rows.append([String(route.stops.count + 1), "end", "", route.endName, "", "", "", "", "",
                         StopText.kilometres(route.finishLegMeters), StopText.kilometres(route.totalMeters),
                         StopText.iso(route.finish, zone: zone), "", StopText.coordinate(end.lat),
                         StopText.coordinate(end.lon), ""])
        }
        let body = rows.map(CSVText.row).joined(separator: "\r\n") + "\r\n"
        return (options.csvByteOrderMark ? "\u{FEFF}" : "") + body
    }
}
