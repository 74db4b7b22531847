import Foundation
import OtklikCore

/// GPX 1.1 (topografix.com/GPX/1/1): one `rte` with the start, the stops in visiting order and the end, each
/// `rtept` with the ETA, name, description and a link back; optionally the stops again as `wpt`.
/// Element order follows the XSD sequences (wptType: time, name, desc, link, type).
public enum GPXWriter {
    public static func write(_ route: PlannedRoute, options: RouteExportOptions) -> String {
        let e = MarkupText.escape
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        x += "<gpx version=\"1.1\" creator=\"\(e(options.creator))\" xmlns=\"http://www.topografix.com/GPX/1/1\" "
        x += "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
        x += "xsi:schemaLocation=\"http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd\">\n"
        x += "  <metadata>\n"
        x += "    <name>\(e(options.title))</name>\n"
        x += "    <desc>\(e(summary(route)))</desc>\n"
        x += "    <time>\(StopText.iso(options.generatedAt, zone: .gmt))</time>\n"
        let path = route.path
        let lats = path.map(\.lat), lons = path.map(\.lon)
        x += "    <bounds minlat=\"\(StopText.coordinate(lats.min()!))\" minlon=\"\(StopText.coordinate(lons.min()!))\" "
        x += "maxlat=\"\(StopText.coordinate(lats.max()!))\" maxlon=\"\(StopText.coordinate(lons.max()!))\"/>\n"
        x += "  </metadata>\n"
        if options.includeWaypoints {
            for s in route.stops { x += point("wpt", s, indent: "  ") }
        }
        x += "  <rte>\n"
        x += "    <name>\(e(options.title))</name>\n"
        x += "    <desc>\(e(summary(route)))</desc>\n"
        x += endpoint(route.start, name: route.startName, time: route.departure, desc: "Начало маршрута")
        for s in route.stops { x += point("rtept", s, indent: "    ") }
        if let end = route.end {
            x += endpoint(end, name: route.endName, time: route.finish, desc: "Конец маршрута")
        }
        x += "  </rte>\n"
        x += "</gpx>\n"
        return x
    }

    static func summary(_ route: PlannedRoute) -> String {
        var s = "Объектов: \(route.stops.count); \(StopText.kilometres(route.totalMeters)) км по прямой, "
            + "≈\(StopText.kilometres(route.roadMeters)) км по дорогам"
        if let m = route.message { s += ". " + m }
        return s
    }

    private static func point(_ tag: String, _ s: PlannedStop, indent: String) -> String {
        let e = MarkupText.escape
        let loc = s.stop.location
        var x = "\(indent)<\(tag) lat=\"\(StopText.coordinate(loc.lat))\" lon=\"\(StopText.coordinate(loc.lon))\">\n"
        x += "\(indent)  <time>\(StopText.iso(s.arrival, zone: .gmt))</time>\n"
        x += "\(indent)  <name>\(e("\(s.order). \(s.stop.name)"))</name>\n"
        x += "\(indent)  <cmt>\(e(s.stop.id))</cmt>\n"
        x += "\(indent)  <desc>\(e(StopText.description(s.stop)))</desc>\n"
        if let url = s.stop.url, !url.isEmpty {
            x += "\(indent)  <link href=\"\(e(url))\">\n\(indent)    <text>\(e(s.stop.name))</text>\n\(indent)  </link>\n"
        }
        if !s.stop.category.isEmpty { x += "\(indent)  <type>\(e(s.stop.category))</type>\n" }
        x += "\(indent)</\(tag)>\n"
        return x
    }

    private static func endpoint(_ p: GeoPoint, name: String, time: Date, desc: String) -> String {
        let e = MarkupText.escape
        var x = "    <rtept lat=\"\(StopText.coordinate(p.lat))\" lon=\"\(StopText.coordinate(p.lon))\">\n"
        x += "      <time>\(StopText.iso(time, zone: .gmt))</time>\n"
        x += "      <name>\(e(name))</name>\n"
        x += "      <desc>\(e(desc))</desc>\n"
        x += "    </rtept>\n"
        return x
    }
}
