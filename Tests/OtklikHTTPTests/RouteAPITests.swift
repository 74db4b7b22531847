import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Hummingbird
import HummingbirdTesting
import OtklikCore
@testable import OtklikHTTP
import OtklikServices
import OtklikInspection
import Testing

/// Five open complaints on one parallel in the Rudnya district (54.95° N), inserted out of order, plus a resolved
/// one that must never be visited. From a start west of them the shortest open route visits them west to east,
/// and the shortest round trip does too (or east to west: the same tour reversed).
enum RouteSeed {
    static let lat = 54.95
    /// (lon, address) west to east.
    static let line: [(Double, String)] = [
        (31.05, "ул. Садовая, 1 (Сосновка)"), (31.10, "ул. Ленина, 7"), (31.20, "пер. Школьный, 3"),
        (31.30, "Сосновка, у клуба"), (31.40, "д. Ёлкино, ул. Полевая, 12"),
    ]
    static let insertOrder = [3, 0, 4, 1, 2]
    static let start = "31.01,54.95"

    /// Seeds the harness areas and the complaints; returns the incident id of each `line` entry.
    static func seed(_ store: Store) async throws -> [String] {
        try await Harness.seed(store, count: 0)
        var incidents = insertOrder.map { k in
            Incident(source: .import, externalID: "route-\(k)", category: "road.pothole",
                     description: "Яма на дороге", address: line[k].1, location: GeoPoint(lon: line[k].0, lat: lat),
                     reportedAt: Date().addingTimeInterval(-3600), status: .new)
        }
        incidents.append(Incident(source: .import, externalID: "route-resolved", category: "road.pothole",
                                  address: "ул. Закрытая, 1", location: GeoPoint(lon: 31.25, lat: lat),
                                  reportedAt: Date().addingTimeInterval(-7200), status: .resolved,
                                  resolvedAt: Date().addingTimeInterval(-3600)))
        let outcomes = try await store.insert(incidents, actor: "seed")
        var ids = Array(repeating: "", count: line.count)
        for (n, k) in insertOrder.enumerated() { ids[k] = String(outcomes[n].id) }
        return ids
    }

    static let rudnya = "%D0%A0%D1%83%D0%B4%D0%BD%D1%8F%D0%BD%D1%81%D0%BA%D0%B8%D0%B9%20%D1%80%D0%B0%D0%B9%D0%BE%D0%BD"
    static let smolensk = "%D0%A1%D0%BC%D0%BE%D0%BB%D0%B5%D0%BD%D1%81%D0%BA"

    static func get(_ client: any TestClientProtocol, _ query: String) async throws -> TestResponse {
        try await client.execute(uri: "/api/v1/routes?" + query, method: .get) { $0 }
    }

    static func text(_ r: TestResponse) -> String { String(decoding: r.body.readableBytesView, as: UTF8.self) }

    /// The stop features of a route GeoJSON, in order.
    static func stops(_ r: TestResponse) throws -> [JSONValue] {
        try Harness.json(r.body)["features"]?.list.filter { $0["properties"]?["role"]?.str == "stop" } ?? []
    }
}

/// Reads `rtept` elements back with Foundation's XMLParser (an independent reader of our GPX).
final class RoutePointReader: NSObject, XMLParserDelegate {
    struct Point { var lat = "", lon = "", name = "", cmt = "" }
    var points: [Point] = []
    private var current: Point?
    private var text = ""

    static func read(_ data: Data) -> (points: [Point], ok: Bool) {
        let reader = RoutePointReader()
        let parser = XMLParser(data: data)
        parser.delegate = reader
        let ok = parser.parse()
        return (reader.points, ok)
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if name == "rtept" { current = Point(lat: attributes["lat"] ?? "", lon: attributes["lon"] ?? "") }
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "name" where current != nil: current?.name = text
        case "cmt" where current != nil: current?.cmt = text
        case "rtept": if let c = current { points.append(c) }; current = nil
        default: break
        }
    }
}

@Suite struct RouteAPITests {
    @Test func eachFormatHasItsContentTypeAndAnAttachmentName() async throws {
        try await Harness.withApp { client, store in
            _ = try await RouteSeed.seed(store)
            let expected: [(String, String)] = [
                ("gpx", "application/gpx+xml"), ("kml", "application/vnd.google-earth.kml+xml"),
                ("geojson", "application/geo+json"), ("csv", "text/csv"),
            ]
            for (format, type) in expected {
                let r = try await RouteSeed.get(client, "district=\(RouteSeed.rudnya)&targets=incidents&start=\(RouteSeed.start)&format=\(format)")
                #expect(r.status == .ok, "\(format): \(RouteSeed.text(r))")
                #expect(r.headers[.contentType]?.hasPrefix(type) == true, "\(format): \(r.headers[.contentType] ?? "-")")
                // RFC 6266: an ASCII fallback, and the real name as UTF-8 in RFC 5987 form.
                let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
                let star = "route-Руднянский-район.\(format)".addingPercentEncoding(withAllowedCharacters: unreserved)!
                #expect(r.headers[.contentDisposition]
                        == "attachment; filename=\"route-rudnyanskiy-rayon.\(format)\"; filename*=UTF-8''\(star)")
                #expect(RouteSeed.text(r).contains("Ёлкино"), "\(format) lost the Cyrillic address")
            }
        }
    }

    @Test func gpxReadsBackWithStopsWestToEastAndCyrillicIntact() async throws {
        try await Harness.withApp { client, store in
            let ids = try await RouteSeed.seed(store)
            let r = try await RouteSeed.get(client, "district=\(RouteSeed.rudnya)&targets=incidents&start=\(RouteSeed.start)&round_trip=false")
            #expect(r.status == .ok)
            let (points, ok) = RoutePointReader.read(Data(r.body.readableBytesView))
            #expect(ok)
            let stops = points.filter { !$0.cmt.isEmpty }
            #expect(stops.map(\.cmt) == ids)
            #expect(stops.map(\.name) == RouteSeed.line.enumerated().map { "\($0.offset + 1). \($0.element.1)" })
            #expect(stops.map(\.lon) == ["31.05", "31.1", "31.2", "31.3", "31.4"])
            // Open end: the route is the start point, then the stops; nothing after the last stop.
            #expect(points.count == RouteSeed.line.count + 1)
            #expect(points.first?.lon == "31.01")
        }
    }

    @Test func geoJSONCarriesIncidentIdsAndLinks() async throws {
        try await Harness.withApp { client, store in
            let ids = try await RouteSeed.seed(store)
            let r = try await RouteSeed.get(client, "bbox=31.0,54.9,31.5,55.0&targets=incidents&start=\(RouteSeed.start)&round_trip=false&format=geojson")
            #expect(r.status == .ok)
            let stops = try RouteSeed.stops(r)
            #expect(stops.compactMap { $0["properties"]?["id"]?.str } == ids)
            #expect(stops.compactMap { $0["properties"]?["url"]?.str } == ids.map { "http://test.local/api/v1/incidents/\($0)" })
            #expect(stops.compactMap { $0["properties"]?["order"]?.int } == [1, 2, 3, 4, 5])
        }
    }

    @Test func roundTripComesBackToTheStartAndOpenEndDoesNot() async throws {
        try await Harness.withApp { client, store in
            _ = try await RouteSeed.seed(store)
            let base = "district=\(RouteSeed.rudnya)&targets=incidents&start=\(RouteSeed.start)&format=geojson"
            func path(_ r: TestResponse) throws -> [JSONValue] {
                try Harness.json(r.body)["features"]?.list.first { $0["geometry"]?["type"]?.str == "LineString" }?["geometry"]?["coordinates"]?.list ?? []
            }
            let round = try await RouteSeed.get(client, base)  // the default
            let explicit = try await RouteSeed.get(client, base + "&round_trip=true")
            let open = try await RouteSeed.get(client, base + "&round_trip=false")
            let roundPath = try path(round), openPath = try path(open)
            #expect(try path(explicit).count == roundPath.count)
            #expect(roundPath.count == 7)  // start, five stops, start again
            #expect(roundPath.last?.list.first?.double == 31.01)
            #expect(openPath.count == 6)
            #expect(openPath.last?.list.first?.double == 31.4)
            let roles = try Harness.json(open.body)["features"]?.list.compactMap { $0["properties"]?["role"]?.str }
            #expect(roles?.contains("end") == false)
            // A fixed end instead.
            let fixed = try await RouteSeed.get(client, base + "&end=31.45,54.99")
            #expect(try path(fixed).last?.list.map { $0.double } == [31.45, 54.99])
        }
    }

    @Test func maxStopsBoundsTheDay() async throws {
        try await Harness.withApp { client, store in
            let ids = try await RouteSeed.seed(store)
            let r = try await RouteSeed.get(client, "district=\(RouteSeed.rudnya)&targets=incidents&start=\(RouteSeed.start)&max_stops=2&format=geojson")
            #expect(r.status == .ok)
            let stops = try RouteSeed.stops(r)
            #expect(stops.count == 2)
            let chosen = Set(stops.compactMap { $0["properties"]?["id"]?.str })
            #expect(chosen.isSubset(of: Set(ids)))
            let none = try await RouteSeed.get(client, "district=\(RouteSeed.rudnya)&targets=incidents&start=\(RouteSeed.start)&max_stops=0&format=geojson")
            #expect(try RouteSeed.stops(none).isEmpty)
        }
    }

    @Test func districtWithNothingToVisitGivesAnEmptyRouteWithAMessage() async throws {
        try await Harness.withApp { client, store in
            _ = try await RouteSeed.seed(store)
            for targets in ["incidents", "hotspots"] {
                let r = try await RouteSeed.get(client, "district=\(RouteSeed.smolensk)&targets=\(targets)&start=32.04,54.78&format=geojson")
                #expect(r.status == .ok, "\(targets): \(RouteSeed.text(r))")
                let doc = try Harness.json(r.body)
                #expect(try RouteSeed.stops(r).isEmpty)
                #expect(doc["route"]?["message"]?.str?.contains("Смоленск") == true, "\(targets): \(doc["route"]?["message"]?.str ?? "nil")")
                #expect(r.headers[.contentDisposition]?.contains("filename=\"route-smolensk.geojson\"") == true)
            }
            let gpx = try await RouteSeed.get(client, "district=\(RouteSeed.smolensk)&targets=incidents&start=32.04,54.78")
            #expect(gpx.status == .ok)
            #expect(RoutePointReader.read(Data(gpx.body.readableBytesView)).ok)
        }
    }

    @Test func clusteredOpenComplaintsBecomeOneHotspotStop() async throws {
        try await Harness.withApp { client, store in
            try await Harness.seed(store, count: 0)
            // Six open complaints within ~15 m in Сосновка: one DBSCAN cluster at the default radius.
            let incidents = (0..<6).map { i in
                Incident(source: .import, externalID: "site-\(i)", category: "waste.container_site",
                         address: "Сосновка, площадка", location: GeoPoint(lon: 31.3 + Double(i) * 0.00003, lat: 54.9),
                         reportedAt: Date().addingTimeInterval(Double(-3600 * (i + 1))))
            }
            _ = try await store.insert(incidents, actor: "seed")
            let r = try await RouteSeed.get(client, "district=\(RouteSeed.rudnya)&category=waste.container_site&start=31.1,54.95&format=geojson")
            #expect(r.status == .ok, "\(RouteSeed.text(r))")
            let stops = try RouteSeed.stops(r)
            #expect(stops.count == 1)
            let p = stops.first?["properties"]
            let id = try #require(p?["id"]?.str)
            #expect(p?["url"]?.str == "http://test.local/ogc/collections/hotspots/items/\(id)")
            #expect(p?["complaints"]?.int == 6)
            #expect(p?["name"]?.str?.hasSuffix(" — Сосновка") == true, "\(p?["name"]?.str ?? "nil")")
        }
    }

    @Test(arguments: [
        ("district=x", "start"),
        ("start=abc", "start"),
        ("start=200,54.9", "start"),
        ("start=31.1", "start"),
        ("start=31.1,54.9&end=31.2", "end"),
        ("start=31.1,54.9&end=31.2,54.9&round_trip=true", "round_trip"),
        ("start=31.1,54.9&round_trip=yes", "round_trip"),
        ("start=31.1,54.9&bbox=31,54,32", "bbox"),
        ("start=31.1,54.9&bbox=31,54,32,53", "bbox"),
        ("start=31.1,54.9&category=road.pothole,no.such", "no.such"),
        ("start=31.1,54.9&district=a&bbox=31,54,32,55", "at most one"),
        ("start=31.1,54.9&district=a&settlement=b", "at most one"),
        ("start=31.1,54.9&foo=1", "unknown parameter 'foo'"),
        ("start=31.1,54.9&format=shp", "format"),
        ("start=31.1,54.9&targets=all", "targets"),
        ("start=31.1,54.9&max_stops=-1", "max_stops"),
        ("start=31.1,54.9&max_stops=two", "max_stops"),
        ("start=31.1,54.9&max_km=0", "max_km"),
        ("start=31.1,54.9&speed=0", "speed"),
        ("start=31.1,54.9&district=", "district"),
        ("start=31.1,54.9&start=31.2,54.9", "more than once"),
    ])
    func badParametersAreProblems(query: String, mention: String) async throws {
        try await Harness.withApp { client, store in
            _ = try await RouteSeed.seed(store)
            let r = try await RouteSeed.get(client, query)
            #expect(r.status == .badRequest, "\(query)")
            #expect(r.headers[.contentType] == "application/problem+json")
            let detail = try Harness.json(r.body)["detail"]?.str ?? ""
            #expect(detail.contains(mention), "\(query): \(detail)")
            #expect(r.headers[.contentDisposition] == nil)
        }
    }
}
