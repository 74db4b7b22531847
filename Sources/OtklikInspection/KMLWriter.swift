import Foundation
import OtklikCore

/// KML 2.2: a Document with the start, one Placemark per stop in visiting order (ExtendedData carries id, order,
/// ETA and the counts) and the route as a LineString.
public enum KMLWriter {
    public static func write(_ route: PlannedRoute, options: RouteExportOptions) -> String {
        let e = MarkupText.escape
        let zone = options.timeZone
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        x += "<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n"
        x += "<Document>\n"
        x += "  <name>\(e(options.title))</name>\n"
        x += "  <description>\(e(GPXWriter.summary(route)))</description>\n"
        x += placemark(name: route.startName, description: "Начало маршрута, выезд "
                       + StopText.iso(route.departure, zone: zone), data: [("order", "0"), ("role", "start")],
                       point: route.start)
        for s in route.stops {
            var data: [(String, String)] = [
                ("order", String(s.order)), ("role", "stop"), ("id", s.stop.id), ("category", s.stop.category),
                ("complaints", String(s.stop.complaints)), ("overdue", String(s.stop.overdueCount)),
                ("eta", StopText.iso(s.arrival, zone: zone)), ("leg_km", StopText.kilometres(s.legMeters)),
                ("cumulative_km", StopText.kilometres(s.cumulativeMeters)),
            ]
            if let v = s.stop.settlement { data.append(("settlement", v)) }
            if let v = s.stop.district { data.append(("district", v)) }
            if let v = s.stop.url { data.append(("url", v)) }
            var description = StopText.description(s.stop) + "; прибытие " + StopText.iso(s.arrival, zone: zone)
            if let url = s.stop.url { description += "; " + url }
            x += placemark(name: "\(s.order). \(s.stop.name)", description: description, data: data,
                           point: s.stop.location)
        }
        if let end = route.end, end != route.start {
            x += placemark(name: route.endName, description: "Конец маршрута, прибытие "
                           + StopText.iso(route.finish, zone: zone),
                           data: [("order", String(route.stops.count + 1)), ("role", "end")], point: end)
        }
        let coords = route.path.map { "\(StopText.coordinate($0.lon)),\(StopText.coordinate($0.lat))" }
        if coords.count >= 2 {
            x += "  <Placemark>\n"
            x += "    <name>\(e(options.title))</name>\n"
            x += "    <description>\(e(GPXWriter.summary(route)))</description>\n"
            x += "    <LineString>\n      <tessellate>1</tessellate>\n"
            x += "      <coordinates>\(coords.joined(separator: " "))</coordinates>\n"
            x += "    </LineString>\n"
            x += "  </Placemark>\n"
        }
        x += "</Document>\n</kml>\n"
        return x
    }

    private static func placemark(name: String, description: String, data: [(String, String)], point: GeoPoint) -> String {
        let e = MarkupText.escape
        var x = "  <Placemark>\n"
        x += "    <name>\(e(name))</name>\n"
        x += "    <description>\(e(description))</description>\n"
        x += "    <ExtendedData>\n"
        for (k, v) in data { x += "      <Data name=\"\(e(k))\"><value>\(e(v))</value></Data>\n" }
        x += "    </ExtendedData>\n"
        x += "    <Point><coordinates>\(StopText.coordinate(point.lon)),\(StopText.coordinate(point.lat))</coordinates></Point>\n"
        x += "  </Placemark>\n"
        return x
    }
}
