import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import OtklikTestSupport
import Testing

/// `otklik route` over the demo's hotspots, written as GPX.
@Suite struct RouteCommandTests {
    static let smolensk = "32.04,54.78"

    /// Elements in document order with their attributes and text.
    final class XMLElements: NSObject, XMLParserDelegate {
        var elements: [(name: String, attributes: [String: String], text: String)] = []
        private var open: [Int] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String]) {
            elements.append((name, attributes, ""))
            open.append(elements.count - 1)
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let i = open.last { elements[i].text += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            open.removeLast()
        }

        static func parse(_ text: String) throws -> XMLElements {
            let collector = XMLElements()
            let parser = XMLParser(data: Data(text.utf8))
            parser.delegate = collector
            guard parser.parse() else { throw parser.parserError ?? CocoaError(.fileReadCorruptFile) }
            return collector
        }

        func named(_ name: String) -> [(name: String, attributes: [String: String], text: String)] {
            elements.filter { $0.name == name }
        }
    }

    /// The number at the start of the summary line on standard error ("5 stops, 458.3 km by road …").
    static func stops(_ r: CLIResult) -> Int? {
        r.stderrLines.last.flatMap { line in line.split(separator: " ").first.flatMap { Int($0) } }
    }

    @Test func gpxHoldsEveryPlannedStopOnceInOrder() async throws {
        let w = try Workspace()
        try await w.demo()
        let hotspots = try await w.run(["hotspots"] + w.global() + ["--format", "json"])
        let hotspotIDs = Set(((try parseJSON(hotspots.stdout) as? [String: Any])?["hotspots"] as? [[String: Any]] ?? [])
            .compactMap { $0["id"] as? String })
        #expect(!hotspotIDs.isEmpty)

        // Without limits the route takes every candidate; with --max-stops 5 at most five of them.
        let all = try await w.run(["route"] + w.global() + ["--start", Self.smolensk, "--format", "gpx"])
        #expect(all.status == 0, "\(all)")
        let candidates = try #require(Self.stops(all), "\(all)")
        #expect(candidates > 0)
        let r = try await w.run(["route"] + w.global() + ["--start", Self.smolensk, "--format", "gpx", "--max-stops", "5"])
        #expect(r.status == 0, "\(r)")
        let expected = min(5, candidates)
        #expect(Self.stops(r) == expected, "\(r.stderr)")
        if candidates > 5 { #expect(r.stderrLines.last?.contains(", \(candidates - 5) left for another day") == true, "\(r.stderr)") }

        let gpx = try XMLElements.parse(r.stdout)
        let root = try #require(gpx.elements.first)
        #expect(root.name == "gpx")
        #expect(root.attributes["version"] == "1.1")
        #expect(root.attributes["xmlns"] == "http://www.topografix.com/GPX/1/1")
        let waypoints = gpx.named("wpt")
        #expect(waypoints.count == expected)
        // A round trip: the start, the stops, the start again.
        #expect(gpx.named("rtept").count == expected + 2)
        for p in gpx.named("wpt") + gpx.named("rtept") {
            let lat = try #require(p.attributes["lat"].flatMap(Double.init)), lon = try #require(p.attributes["lon"].flatMap(Double.init))
            #expect((-90...90).contains(lat) && (-180...180).contains(lon))
        }
        // Stops are named "1. …", "2. …" in visiting order, and each comment is the id of a hotspot the CLI lists.
        let names: [String] = gpx.named("name").map(\.text).filter { $0.first?.isNumber == true }
        let order: [String] = names.prefix(expected).map { String($0.prefix { $0 != "." }) }
        #expect(order == (1...expected).map { String($0) }, "\(names)")
        let ids = gpx.named("cmt").map(\.text).filter(hotspotIDs.contains)
        #expect(Set(ids).count == expected, "\(gpx.named("cmt").map(\.text))")
    }

    @Test(.requiresSharedData("schemas/gpx-1.1.xsd"), .requires(.xmllint))
    func gpxFileIsValidAgainstTheGPXSchema() async throws {
        let w = try Workspace()
        try await w.demo()
        let out = w.path("day.gpx")
        let r = try await w.run(["route"] + w.global() + ["--start", Self.smolensk, "--max-stops", "4", "--out", out])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.isEmpty, "with --out nothing goes to stdout")
        let check = try await ExternalProcess.run(Command(Peers.require(.xmllint), [
            "--noout", "--schema", SharedDataFolder.file("schemas/gpx-1.1.xsd").path, out]))
        #expect(check.succeeded, "\(check)")
    }

    @Test func missingStartIsAUsageError() async throws {
        let w = try Workspace()
        try await CLI.assertUsageError(["route"] + w.global(), in: w.url,
                                       message: "Missing expected argument '--start <start>'", help: "otklik route --help")
    }

    @Test func badFormatIsAUsageError() async throws {
        let w = try Workspace()
        try await CLI.assertUsageError(["route"] + w.global() + ["--start", Self.smolensk, "--format", "pdf"], in: w.url,
                                       message: "--format must be gpx, kml, geojson or csv, not 'pdf'", help: "otklik route --help")
    }

    @Test func badStartIsOneLine() async throws {
        let w = try Workspace()
        try await w.demo(count: 50)
        try await CLI.assertFailure(["route"] + w.global() + ["--start", "32.04"], in: w.url,
                                    message: "--start: '32.04' is not lon,lat (e.g. 32.04,54.78)")
    }
}
