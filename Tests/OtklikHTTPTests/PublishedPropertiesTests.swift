import Foundation
import Hummingbird
import HummingbirdTesting
import OtklikCore
import OtklikHotspots
@testable import OtklikHTTP
import OtklikServices
import OtklikTiles
import OtklikTestSupport
import Testing

/// One vocabulary per published thing: the same fixture through the CLI writer, OGC items, the reports and the
/// vector tiles gives the same names and values, and tile ids that do not depend on the filter.
@Suite struct PublishedPropertiesTests {
    /// The app over `PublishedFixture.incidents()` with the real hotspot engine, and the core it was built from.
    static func withEngineApp(_ body: @Sendable (any TestClientProtocol, ApplicationServices) async throws -> Void) async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        try await Harness.seed(store, count: 0)
        _ = try await store.insert(PublishedFixture.incidents(), actor: "seed")
        let core = Harness.core(store: store, analysis: nil)
        let app = try Harness.app(core: core)
        try await app.test(.router) { client in try await body(client, core) }
    }

    static func body(_ client: any TestClientProtocol, _ uri: String) async throws -> [UInt8] {
        try await client.execute(uri: uri, method: .get) { r in
            #expect(r.status == .ok, "\(uri)")
            return Array(r.body.readableBytesView)
        }
    }

    static func tile(_ client: any TestClientProtocol, _ layer: String, _ t: TileID, _ query: String = "") async throws -> [JSONValue] {
        let bytes = try await body(client, "/tiles/\(layer)/\(t.z)/\(t.x)/\(t.y).mvt" + (query.isEmpty ? "" : "?" + query))
        return try TileTestSupport.decodeWithPython(bytes)[layer]?.list ?? []
    }

    /// Whether a CSV cell says what the JSON value says (numbers compared as numbers).
    static func same(_ cell: String, _ v: JSONValue) -> Bool {
        switch v {
        case .null: return cell.isEmpty
        case .bool(let b): return cell == (b ? "true" : "false")
        case .number(let d): return Double(cell) == d
        case .string(let s): return cell == s
        case .array(let items): return cell == items.map { $0.int.map(String.init) ?? $0.text }.joined(separator: " ")
        case .object: return false
        }
    }

    /// Whether a decoded tile property equals the JSON value.
    static func same(_ tile: JSONValue, _ v: JSONValue) -> Bool {
        switch (tile, v) {
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.bool(a), .bool(b)): return a == b
        default: return false
        }
    }

    static func isScalar(_ v: JSONValue) -> Bool {
        switch v {
        case .bool, .number, .string: return true
        case .null, .array, .object: return false
        }
    }

    @Test(.requires(.mapboxVectorTile))
    func oneHotspotHasTheSameNamesAndValuesInTheCLIOGCReportsAndTiles() async throws {
        try await Self.withEngineApp { client, core in
            let names = HotspotFeature.propertyNames
            let ogc = try JSONParser.parse(try await Self.body(client, "/ogc/collections/hotspots/items?limit=100"))["features"]?.list ?? []
            #expect(ogc.count == 3)
            #expect(Set(ogc.compactMap { $0["properties"]?["category"]?.str }) == Set(Harness.categories))

            // The CLI's `--format geojson`: the writer it calls, on the analysis the server holds (the same run).
            let analysis = try await core.hotspots.analyse(.all)
            let cliBytes = PublishedJSON.featureCollection(HotspotFeature.ranked(analysis.report.hotspots, taxonomy: Harness.taxonomy))
            let cli = try JSONParser.parse(cliBytes)["features"]?.list ?? []
            #expect(cli.map(\.text) == ogc.map(\.text))

            let report = try JSONParser.parse(try await Self.body(client, "/api/v1/reports/hotspots?format=json"))["hotspots"]?.list ?? []
            let csvText = String(decoding: try await Self.body(client, "/api/v1/reports/hotspots?format=csv").dropFirst(3), as: UTF8.self)
            let csv = Self.parseCSV(csvText)
            #expect(csv.first == PublishedCSV.header(HotspotFeature.self))
            #expect(report.count == ogc.count && csv.count == ogc.count + 1)

            for (i, feature) in ogc.enumerated() {
                let props = try #require(feature["properties"])
                #expect(props.keys == names)
                #expect(report[i].keys == names + ["monthly", "series_start", "explanation"])
                for name in names {
                    #expect(report[i][name]?.text == props[name]?.text, "report json \(name)")
                }
                for (k, name) in csv[0].enumerated() {
                    #expect(Self.same(csv[i + 1][k], props[name]!), "report csv \(name): \(csv[i + 1][k]) vs \(props[name]!.text)")
                }
            }

            // Tiles: every scalar property that is not null, under the same name, and the stable numeric id.
            var tiles: Set<String> = []
            var unfiltered: [Int: JSONValue] = [:]
            for feature in ogc {
                let props = feature["properties"]!
                let t = WebMercator.tile(containing: GeoPoint(lon: props["lon"]!.double!, lat: props["lat"]!.double!), z: 15)
                guard tiles.insert(t.description).inserted else { continue }
                for f in try await Self.tile(client, "hotspots", t) { unfiltered[f["id"]?.int ?? -1] = f }
            }
            #expect(unfiltered.count == ogc.count)
            for feature in ogc {
                let props = feature["properties"]!
                let lowest = try #require(props["members"]?.list.compactMap(\.int).min())
                let tiled = try #require(unfiltered[lowest], "tile feature id \(lowest) for \(props["id"]!.text)")
                let expected = names.filter { Self.isScalar(props[$0]!) }
                #expect(Set(tiled["properties"]?.keys ?? []) == Set(expected))
                for name in expected {
                    #expect(Self.same(tiled["properties"]![name]!, props[name]!), "tile \(name)")
                }

                // A category filter changes the ranks, never the ids.
                let category = props["category"]!.str!
                let t = WebMercator.tile(containing: GeoPoint(lon: props["lon"]!.double!, lat: props["lat"]!.double!), z: 15)
                let filtered = try await Self.tile(client, "hotspots", t, "category=\(category)")
                #expect(filtered.compactMap { $0["id"]?.int } == [lowest])
            }
        }
    }

    @Test(.requires(.mapboxVectorTile))
    func districtFiguresAgreeBetweenOGCTheTileAndTheReport() async throws {
        try await Harness.withApp(count: 60) { client, _ in
            let names = DistrictFigure.propertyNames
            let ogc = try JSONParser.parse(try await Self.body(client, "/ogc/collections/districts/items"))["features"]?.list ?? []
            let report = try JSONParser.parse(try await Self.body(client, "/api/v1/reports/districts"))["districts"]?.list ?? []
            let csvText = String(decoding: try await Self.body(client, "/api/v1/reports/districts?format=csv").dropFirst(3), as: UTF8.self)
            let csv = Self.parseCSV(csvText)
            #expect(ogc.count == 2 && report.count == 2 && csv.count == 3)
            #expect(csv[0] == names)
            let t = WebMercator.tile(containing: GeoPoint(lon: 31.25, lat: 54.95), z: 7)
            let tiled = try await Self.tile(client, "districts", t)
            for feature in ogc {
                let props = try #require(feature["properties"])
                #expect(props.keys == names)
                let id = try #require(feature["id"]?.int)
                #expect(props["id"]?.int == id)
                let row = try #require(report.first { $0["id"]?.int == id })
                #expect(row.text == props.text)
                let line = try #require(csv.first { $0.first == String(id) })
                for (k, name) in names.enumerated() { #expect(Self.same(line[k], props[name]!), "csv \(name)") }
                let tile = try #require(tiled.first { $0["id"]?.int == id }, "district \(id) in tile \(t)")
                // The tile leaves out null (recurring hotspots are not computed for tiles).
                let expected = names.filter { Self.isScalar(props[$0]!) }
                #expect(Set(tile["properties"]?.keys ?? []) == Set(expected))
                for name in expected { #expect(Self.same(tile["properties"]![name]!, props[name]!), "tile \(name)") }
            }
        }
    }

    // MARK: the writers on their own

    @Test func geoJSONKeepsRussianNamesListsAndRecords() throws {
        let features = try PublishedFixture.hotspots()
        let doc = try JSONParser.parse(PublishedJSON.featureCollection(features))
        #expect(doc["type"]?.str == "FeatureCollection")
        let f = try #require(doc["features"]?.list.first)
        #expect(f["id"]?.str == "waste.container_site:1")
        #expect(f["geometry"]?["type"]?.str == "Polygon")
        let props = try #require(f["properties"])
        #expect(props["settlement"]?.str == "Сосновка" && props["district"]?.str == Harness.rudnya)
        #expect(props["category_name"]?.str == "Контейнерная площадка")
        #expect(props["members"]?.list.compactMap(\.int) == [1, 2, 3, 4, 5, 6, 7])
        // Four complaints resolved on day 20, then complaints within the radius soon after: four fixes failed.
        #expect(props["episodes"]?.int == 2 && props["repeat_after_fix"]?.int == 4)
        #expect(props["episode_list"]?.list.map { $0["complaints"]?.int } == [4, 3])
        #expect(props["repeat_after_fix_list"]?.list.first?["agency"]?.str == "Региональный оператор")
        #expect(props["recurring"]?.text == "true" && props["rank"]?.int == 1)
        #expect(PublishedJSON.featureCollection([HotspotFeature]()) == Array("{\"type\":\"FeatureCollection\",\"features\":[]}\n".utf8))
    }

    @Test func csvHasTheVocabularyAsHeaderAndQuotesWhereNeeded() throws {
        var features = try PublishedFixture.hotspots()
        features[0].hotspot.settlement = "Сосновка, у пруда \"старая\""
        features[0].hotspot.district = "=HYPERLINK(\"x\")"
        let rows = Self.parseCSV(PublishedCSV.table(features))
        #expect(rows[0] == PublishedCSV.header(HotspotFeature.self))
        #expect(!rows[0].contains("episode_list") && rows[0].contains("members"))
        let column = { (name: String) in rows[0].firstIndex(of: name)! }
        #expect(rows[1][column("settlement")] == "Сосновка, у пруда \"старая\"")
        #expect(rows[1][column("district")] == "'=HYPERLINK(\"x\")")
        #expect(rows[1][column("members")] == "1 2 3 4 5 6 7")
        #expect(rows[1][column("recurring")] == "true")
        #expect(PublishedCSV.table([HotspotFeature]()) == PublishedCSV.header(HotspotFeature.self).joined(separator: ",") + "\n")
    }

    @Test func tilePropertiesLeaveOutNullsAndListsAndUseTheLowestMemberAsID() throws {
        var feature = try #require(try PublishedFixture.hotspots().first)
        feature.hotspot.settlement = nil
        let tile = PublishedMVT.feature(feature)
        #expect(tile.id == 1)
        let keys = tile.properties.map(\.key)
        #expect(!keys.contains("settlement") && !keys.contains("members") && !keys.contains("episode_list"))
        #expect(keys == HotspotFeature.fields.filter(\.isScalar).map(\.name).filter { $0 != "settlement" })
    }

    @Test func gridCellsHaveGiClassAndIDsFromTheirAxialCoordinates() throws {
        let result = try GridAnalysis.run(points: PublishedFixture.points(), config: GridConfig(cellSize: 500, slice: .week))
        let cells = GridCell.cells(result) { x, y in GeoPoint(lon: 31 + x * 1e-5, lat: 54.9 + y * 1e-5) }
        #expect(cells.count == result.bins.count)
        let doc = try JSONParser.parse(PublishedJSON.featureCollection(cells))
        let f = try #require(doc["features"]?.list.first)
        #expect(f["geometry"]?["coordinates"]?.list.first?.list.count == 7)
        #expect(f["properties"]?.keys == GridCell.propertyNames)
        #expect(f["properties"]?["gi_class"]?.int != nil && f["properties"]?["gi_bin"] == nil)
        #expect(Set(cells.map(\.numericID)).count == cells.count)
        var a = cells[0]
        a.bin.cell.q = -1
        a.bin.cell.r = 2
        #expect(a.numericID == (1 << 32 | 4) && a.id == "-1,2")
    }

    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
        var it = Array(text.unicodeScalars).makeIterator()
        var pending: Unicode.Scalar? = nil
        while let c = pending ?? it.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let n = it.next() { if n == "\"" { field.unicodeScalars.append(c) } else { quoted = false; pending = n } } else { quoted = false }
                } else { field.unicodeScalars.append(c) }
            } else if c == "\"" { quoted = true
            } else if c == "," { row.append(field); field = ""
            } else if c == "\r" { continue
            } else if c == "\n" { row.append(field); rows.append(row); row = []; field = ""
            } else { field.unicodeScalars.append(c) }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
