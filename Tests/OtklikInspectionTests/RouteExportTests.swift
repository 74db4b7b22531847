import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import OtklikCore
import OtklikTestSupport
import Testing
@testable import OtklikInspection

/// Collects elements' text and attributes in document order.
final class XMLCollector: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String], text: String)] = []
    private var stack: [Int] = []

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String]) {
        elements.append((name, attributes, ""))
        stack.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let i = stack.last { elements[i].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        stack.removeLast()
    }

    static func parse(_ xml: String) throws -> XMLCollector {
        let c = XMLCollector()
        let p = XMLParser(data: Data(xml.utf8))
        p.delegate = c
        guard p.parse() else { throw p.parserError ?? CocoaError(.fileReadCorruptFile) }
        return c
    }
}

struct RouteExportTests {
    static let generated = Date(timeIntervalSince1970: 1_780_286_400) // 2026-06-01T04:00:00Z
    static let tricky = "Свалка <за> гаражами & \"Рябинка\", 'двор'"

    static func route() throws -> PlannedRoute {
        var stops = RoutePlannerTests.villages()
        stops[2].name = tricky
        stops[2].url = "https://otklik.example/incidents/3?x=1&y=2"
        stops[4].settlement = nil
        stops[4].url = nil
        return try RoutePlanner.plan(stops, request: RouteRequest(start: RoutePlannerTests.smolensk,
                                                                  startName: "Офис, Смоленск",
                                                                  departure: RoutePlannerTests.departure))
    }

    static let options = RouteExportOptions(title: "Осмотр: Руднянский район", generatedAt: generated)

    // MARK: GPX

    @Test func gpxRoundTripKeepsOrderNamesIdsAndCyrillic() throws {
        let route = try Self.route()
        let gpx = GPXWriter.write(route, options: Self.options)
        let doc = try XMLCollector.parse(gpx)
        #expect(doc.elements.first?.name == "gpx")
        #expect(doc.elements.first?.attributes["version"] == "1.1")
        #expect(doc.elements.first?.attributes["creator"] == "Otklik")
        let rtepts = doc.elements.filter { $0.name == "rtept" }
        #expect(rtepts.count == route.path.count)
        for (e, p) in zip(rtepts, route.path) {
            #expect(abs(Double(e.attributes["lat"]!)! - p.lat) < 1e-7)
            #expect(abs(Double(e.attributes["lon"]!)! - p.lon) < 1e-7)
        }
        let names = doc.elements.filter { $0.name == "name" }.map(\.text)
        for s in route.stops { #expect(names.contains("\(s.order). \(s.stop.name)")) }
        #expect(names.contains("Офис, Смоленск"))
        let cmts = doc.elements.filter { $0.name == "cmt" }.map(\.text)
        #expect(Array(cmts.suffix(route.stops.count)) == route.stops.map(\.stop.id))
        let links = doc.elements.filter { $0.name == "link" }.compactMap { $0.attributes["href"] }
        #expect(links.contains("https://otklik.example/incidents/3?x=1&y=2"))
        let descs = doc.elements.filter { $0.name == "desc" }.map(\.text)
        #expect(descs.contains { $0.contains("Ямы на дорогах") && $0.contains("Сосновка, Руднянский район")
            && $0.contains("жалоб: 2") && $0.contains("просрочено: 0") })
        #expect(doc.elements.filter { $0.name == "wpt" }.count == route.stops.count)
        let bounds = try #require(doc.elements.first { $0.name == "bounds" })
        #expect(Double(bounds.attributes["minlat"]!)! == route.path.map(\.lat).min())
        #expect(doc.elements.first { $0.name == "time" }?.text == "2026-06-01T04:00:00Z")
    }

    @Test(.requiresSharedData(SharedData.gpxSchemaFile), .requires(.xmllint))
    func gpxIsValidAgainstTheOfficialSchema() throws {
        for includeWaypoints in [true, false] {
            var options = Self.options
            options.includeWaypoints = includeWaypoints
            for route in [try Self.route(), try RoutePlanner.plan([], request: RouteRequest(
                start: RoutePlannerTests.smolensk, departure: RoutePlannerTests.departure))] {
                let file = try Tool.temporaryFile("route.gpx", contents: GPXWriter.write(route, options: options))
                let r = try ExternalProcess.run(Peers.require(.xmllint), ["--noout", "--schema", SharedData.gpxSchema.path, file.path])
                #expect(r.succeeded, "\(r)")
            }
        }
    }

    @Test(.requires(.gpxpy))
    func gpxpyReadsBackTheSamePoints() throws {
        let route = try Self.route()
        let file = try Tool.temporaryFile("route.gpx", contents: GPXWriter.write(route, options: Self.options))
        let script = """
        import sys, gpxpy
        g = gpxpy.parse(open(sys.argv[1], encoding='utf-8'))
        for p in g.routes[0].points:
            print(f"{p.latitude:.7f}\\t{p.longitude:.7f}\\t{p.name}\\t{p.comment or ''}")
        print(f"WPT\\t{len(g.waypoints)}\\t{g.creator}")
        """
        let r = try ExternalProcess.run(Command(Peers.require(.gpxpy), ["-c", script, file.path], stderr: .separate))
        #expect(r.succeeded, "\(r)")
        let lines = r.output.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let points = lines.filter { $0.first != "WPT" }
        #expect(points.count == route.path.count)
        for (fields, p) in zip(points, route.path) {
            #expect(abs(Double(fields[0])! - p.lat) < 1e-7 && abs(Double(fields[1])! - p.lon) < 1e-7)
        }
        #expect(points.dropFirst().prefix(route.stops.count).map { $0[2] } == route.stops.map { "\($0.order). \($0.stop.name)" })
        #expect(points.dropFirst().prefix(route.stops.count).map { $0[3] } == route.stops.map(\.stop.id))
        #expect(lines.last == ["WPT", String(route.stops.count), "Otklik"])
    }

    @Test(.requires(.gpsbabel))
    func gpsbabelReadsBackTheSamePoints() throws {
        let route = try Self.route()
        let file = try Tool.temporaryFile("route.gpx", contents: GPXWriter.write(route, options: Self.options))
        // Routes only, as unicsv (lat, lon, name per line, with a header).
        let r = try ExternalProcess.run(Command(Peers.require(.gpsbabel), ["-r", "-i", "gpx", "-f", file.path, "-o", "unicsv", "-F", "-"],
                                                stderr: .separate))
        #expect(r.succeeded, "\(r)")
        let rows = r.output.split(whereSeparator: \.isNewline).dropFirst()
        #expect(rows.count == route.path.count)
        #expect(r.output.contains("Сосновка"))
    }

    // MARK: KML

    @Test func kmlIsWellFormedWithPlacemarksInOrderAndALineString() throws {
        let route = try Self.route()
        let kml = KMLWriter.write(route, options: Self.options)
        let doc = try XMLCollector.parse(kml)
        #expect(doc.elements.first?.name == "kml")
        #expect(doc.elements.first?.attributes["xmlns"] == "http://www.opengis.net/kml/2.2")
        let names = doc.elements.filter { $0.name == "name" }.map(\.text)
        let stopNames = route.stops.map { "\($0.order). \($0.stop.name)" }
        let found = names.filter { stopNames.contains($0) }
        #expect(found == stopNames)
        #expect(names.contains { $0.hasSuffix(". " + Self.tricky) })
        #expect(doc.elements.contains { $0.name == "LineString" })
        let coords = try #require(doc.elements.last { $0.name == "coordinates" }).text
        let pairs = coords.split(separator: " ").map { $0.split(separator: ",").map { Double($0)! } }
        #expect(pairs.count == route.path.count)
        for (pair, p) in zip(pairs, route.path) { #expect(abs(pair[0] - p.lon) < 1e-7 && abs(pair[1] - p.lat) < 1e-7) }
        let ids = doc.elements.enumerated().filter { $0.element.name == "Data" && $0.element.attributes["name"] == "id" }
            .map { doc.elements[$0.offset + 1].text }
        #expect(ids == route.stops.map(\.stop.id))
    }

    @Test(.requires(.ogrinfo))
    func gdalReadsTheKML() throws {
        let route = try Self.route()
        let file = try Tool.temporaryFile("route.kml", contents: KMLWriter.write(route, options: Self.options))
        let r = try ExternalProcess.run(Peers.require(.ogrinfo), ["-ro", "-al", "-q", file.path])
        #expect(r.succeeded, "\(r)")
        #expect(r.output.components(separatedBy: "POINT (").count - 1 == route.stops.count + 1)
        #expect(r.output.contains("LINESTRING ("))
        #expect(r.output.contains("Сосновка"))
        #expect(r.output.contains(Self.tricky))
    }

    // MARK: GeoJSON

    @Test func geojsonHasStopsWithOrderAndEtaAndThePath() throws {
        let route = try Self.route()
        let text = GeoJSONRouteWriter.write(route, options: Self.options)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(json["type"] as? String == "FeatureCollection")
        let features = try #require(json["features"] as? [[String: Any]])
        let stops = features.filter { ($0["properties"] as? [String: Any])?["role"] as? String == "stop" }
        #expect(stops.count == route.stops.count)
        let formatter = ISO8601DateFormatter()
        for (f, s) in zip(stops, route.stops) {
            let p = f["properties"] as! [String: Any]
            #expect(p["order"] as? Int == s.order)
            #expect(p["id"] as? String == s.stop.id)
            #expect(p["name"] as? String == s.stop.name)
            #expect(p["district"] as? String == "Руднянский район")
            let eta = try #require(p["eta"] as? String)
            #expect(eta.hasSuffix("+03:00"))
            #expect(abs(formatter.date(from: eta)!.timeIntervalSince(s.arrival)) < 1)
            let g = f["geometry"] as! [String: Any]
            let c = g["coordinates"] as! [Double]
            #expect(abs(c[0] - s.stop.location.lon) < 1e-7 && abs(c[1] - s.stop.location.lat) < 1e-7)
        }
        let path = try #require(features.first { ($0["geometry"] as? [String: Any])?["type"] as? String == "LineString" })
        let coords = (path["geometry"] as! [String: Any])["coordinates"] as! [[Double]]
        #expect(coords.count == route.path.count)
    }

    @Test func emptyRouteExportsAMessageInEveryFormat() throws {
        let route = try RoutePlanner.plan([], request: RouteRequest(start: RoutePlannerTests.smolensk,
                                                                    departure: RoutePlannerTests.departure))
        let json = try JSONSerialization.jsonObject(with: Data(GeoJSONRouteWriter.write(route, options: Self.options).utf8))
        let message = ((json as? [String: Any])?["route"] as? [String: Any])?["message"] as? String
        #expect(message == route.message)
        for format in RouteFormat.allCases {
            let text = RouteExporter.export(route, format: format, options: Self.options)
            #expect(!text.isEmpty)
        }
        _ = try XMLCollector.parse(RouteExporter.export(route, format: .kml, options: Self.options))
        _ = try XMLCollector.parse(RouteExporter.export(route, format: .gpx, options: Self.options))
    }

    // MARK: CSV

    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = ""
        var quoted = false
        var chars = Array(text)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < chars.count, chars[i + 1] == "\"" { field.append("\""); i += 1 } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                row.append(field); field = ""
            } else if c == "\r\n" || c == "\n" {
                row.append(field); rows.append(row); row = []; field = ""
            } else {
                field.append(c)
            }
            i += 1
        }
        return rows
    }

    @Test func csvRoundTripKeepsEveryStopQuotedCorrectly() throws {
        let route = try Self.route()
        let text = CSVRouteWriter.write(route, options: Self.options)
        let rows = Self.parseCSV(text)
        #expect(rows.first == CSVRouteWriter.header)
        #expect(rows.count == 1 + route.path.count)
        #expect(rows.allSatisfy { $0.count == CSVRouteWriter.header.count })
        let stopRows = rows.filter { $0[1] == "stop" }
        #expect(stopRows.map { $0[2] } == route.stops.map(\.stop.id))
        #expect(stopRows.map { $0[3] } == route.stops.map(\.stop.name))
        #expect(stopRows.contains { $0[3] == Self.tricky })
        #expect(stopRows.allSatisfy { $0[8] == "Руднянский район" })
        #expect(rows.last?[1] == "end")
        #expect(rows.last?[10] == String(format: "%.2f", route.totalMeters / 1000))
        var bom = Self.options
        bom.csvByteOrderMark = true
        #expect(CSVRouteWriter.write(route, options: bom).unicodeScalars.first == "\u{FEFF}")
    }

    @Test func formatsCarryTheirHTTPContentTypes() {
        #expect(RouteFormat.gpx.contentType == "application/gpx+xml")
        #expect(RouteFormat.kml.contentType == "application/vnd.google-earth.kml+xml")
        #expect(RouteFormat.geojson.contentType == "application/geo+json")
        #expect(RouteFormat.csv.contentType.hasPrefix("text/csv"))
    }
}
