import Foundation
import OtklikCore

/// GeoJSON (RFC 7946) FeatureCollection: the start, each stop as a Point with its order and ETA, the end, and
/// the path as a LineString. Written by hand so that the key order is stable and diffs stay readable.
public enum GeoJSONRouteWriter {
    public static func write(_ route: PlannedRoute, options: RouteExportOptions) -> String {
        let zone = options.timeZone
        var features: [String] = []
        features.append(feature(point: route.start, properties: [
            ("role", .string("start")), ("order", .number(0)), ("name", .string(route.startName)),
            ("departure", .string(StopText.iso(route.departure, zone: zone))),
        ]))
        for s in route.stops {
            var p: [(String, JSONValue)] = [
                ("role", .string("stop")), ("order", .number(Double(s.order))), ("id", .string(s.stop.id)),
                ("name", .string(s.stop.name)), ("category", .string(s.stop.category)),
                ("complaints", .number(Double(s.stop.complaints))), ("overdue", .number(Double(s.stop.overdueCount))),
                ("priority", .number(s.stop.priority)),
                ("settlement", s.stop.settlement.map(JSONValue.string) ?? .null),
                ("district", s.stop.district.map(JSONValue.string) ?? .null),
                ("url", s.stop.url.map(JSONValue.string) ?? .null),
                ("leg_m", .number(s.legMeters.rounded())), ("cumulative_m", .number(s.cumulativeMeters.rounded())),
                ("road_leg_m", .number(s.roadLegMeters.rounded())),
                ("eta", .string(StopText.iso(s.arrival, zone: zone))),
                ("departure", .string(StopText.iso(s.departure, zone: zone))),
            ]
            p.append(("description", .string(StopText.description(s.stop))))
            features.append(feature(point: s.stop.location, properties: p))
        }
        if let end = route.end {
            features.append(feature(point: end, properties: [
                ("role", .string("end")), ("order", .number(Double(route.stops.count + 1))),
                ("name", .string(route.endName)), ("eta", .string(StopText.iso(route.finish, zone: zone))),
            ]))
        }
        let path = route.path
        if path.count >= 2 {
            let coords = path.map { "[\(StopText.coordinate($0.lon)),\(StopText.coordinate($0.lat))]" }
            let props: [(String, JSONValue)] = [
                ("role", .string("path")), ("stops", .number(Double(route.stops.count))),
                ("length_m", .number(route.totalMeters.rounded())), ("road_m", .number(route.roadMeters.rounded())),
                ("departure", .string(StopText.iso(route.departure, zone: zone))),
                ("finish", .string(StopText.iso(route.finish, zone: zone))),
            ]
            features.append("{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":["
                + coords.joined(separator: ",") + "]},\"properties\":" + object(props) + "}")
        }
        var top: [(String, JSONValue)] = [("title", .string(options.title)),
                                          ("generated", .string(StopText.iso(options.generatedAt, zone: zone)))]
        top.append(("message", route.message.map(JSONValue.string) ?? .null))
        top.append(("skipped", .raw("[" + route.skipped.map {
            object([("id", .string($0.stop.id)), ("name", .string($0.stop.name)), ("reason", .string($0.reason.rawValue))])
        }.joined(separator: ",") + "]")))
        return "{\"type\":\"FeatureCollection\",\"route\":" + object(top) + ",\"features\":[\n"
            + features.joined(separator: ",\n") + "\n]}\n"
    }

    enum JSONValue {
        case string(String), number(Double), null, raw(String)
    }

    private static func feature(point: GeoPoint, properties: [(String, JSONValue)]) -> String {
        "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[\(StopText.coordinate(point.lon)),"
            + "\(StopText.coordinate(point.lat))]},\"properties\":" + object(properties) + "}"
    }

    private static func object(_ members: [(String, JSONValue)]) -> String {
        "{" + members.map { "\(quote($0.0)):\(render($0.1))" }.joined(separator: ",") + "}"
    }

    private static func render(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return quote(s)
        case .null: return "null"
        case .raw(let s): return s
        case .number(let d):
            if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
            return "\(d)"
        }
    }

    static func quote(_ s: String) -> String { JSONText.quote(s) }
}
