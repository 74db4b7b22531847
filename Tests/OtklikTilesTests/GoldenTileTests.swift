import Foundation
import OtklikCore
import Testing
@testable import OtklikTiles

/// The tiles we encode, decoded by mapbox-vector-tile (Fixtures/make_mvt_golden.py writes mvt_golden.json).
@Suite struct GoldenTileTests {
    struct Golden: Decodable {
        struct Feature: Decodable {
            var id: UInt64
            var type: String
            var properties: [String: JSONValue]
        }
        struct RawRings: Decodable {
            var ring_areas2: [Int64]
            var ring_sizes: [Int]
        }
        struct Case: Decodable {
            var name: String
            var layer: String
            var extent: Int
            var version: Int
            var bytes: Int
            var features: [Feature]
            var expected_points: [String: [Int32]]?
            var expected_point_total: Int?
            var decoded_point_total: Int?
            var expected_areas: [String: Double]?
            var decoded_areas: [String: Double]?
            var raw_rings: [String: RawRings]?
        }
        var cases: [Case]
    }

    enum JSONValue: Decodable, Equatable {
        case string(String), number(Double), bool(Bool)
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { self = .bool(b) } else if let d = try? c.decode(Double.self) { self = .number(d) } else { self = .string(try c.decode(String.self)) }
        }
        init(_ v: MVTValue) {
            switch v {
            case .string(let s): self = .string(s)
            case .int(let i): self = .number(Double(i))
            case .double(let d): self = .number(d)
            case .bool(let b): self = .bool(b)
            }
        }
    }

    let cases: TileCases
    let golden: Golden

    init() throws {
        cases = try TileCases.load()
        let url = try #require(TileCases.fixture("mvt_golden", "json"))
        golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
    }

    func goldenCase(_ name: String) throws -> Golden.Case { try #require(golden.cases.first { $0.name == name }) }
    func inputCase(_ name: String) throws -> TileCases.Case { try #require(cases.cases.first { $0.name == name }) }

    @Test func encoderStillWritesTheBytesThatWereDecoded() throws {
        for c in cases.cases {
            let url = try #require(TileCases.fixture(c.name, "mvt", subdirectory: "Fixtures/encoded"))
            #expect(c.encoded == (try Data(contentsOf: url)), "\(c.name) changed: regenerate the golden files")
            #expect(try goldenCase(c.name).bytes == c.encoded.count)
        }
    }

    @Test func everyLayerHasExtent4096AndVersion2() throws {
        for c in golden.cases {
            #expect(c.extent == 4096)
            #expect(c.version == 2)
        }
    }

    @Test func rawPointsLandOnTheGridCellsAnIndependentProjectionGives() throws {
        let g = try goldenCase("incidents_z14")
        let input = try inputCase("incidents_z14")
        let layer = input.mvtLayer
        let expected = try #require(g.expected_points)
        // Every point within tile + buffer (the east-buffer one included), the far one dropped.
        #expect(Set(g.features.map { String($0.id) }) == Set(expected.keys))
        #expect(g.features.contains { $0.id == 900 })
        #expect(!g.features.contains { $0.id == 901 })
        for f in layer.features {
            guard case .points(let pts) = f.geometry else { Issue.record("not a point"); continue }
            #expect([pts[0].x, pts[0].y] == expected[String(f.id!)])
        }
    }

    @Test func pointPropertiesSurviveDecodingIncludingRussianText() throws {
        let g = try goldenCase("incidents_z14")
        let input = try inputCase("incidents_z14")
        for f in g.features {
            let p = try #require(input.points?.first { UInt64($0.id) == f.id })
            var expected: [String: JSONValue] = ["id": .number(Double(p.id)), "category": .string(p.category),
                                                 "status": .string(p.status), "date": .string(p.date)]
            if let s = p.settlement { expected["settlement"] = .string(s) }
            if let d = p.district { expected["district"] = .string(d) }
            #expect(f.properties == expected)
            #expect(f.type == "Point")
        }
        #expect(g.features.contains { $0.properties["settlement"] == .string("Сосновка") && $0.properties["district"] == .string("Руднянский район") })
    }

    @Test func clusterCountsAddUpToThePointsWhoseOwnTileThisIs() throws {
        let g = try goldenCase("clusters_z9")
        #expect(g.decoded_point_total == g.expected_point_total)
        #expect(g.expected_point_total == 300)
        #expect(g.features.allSatisfy { $0.type == "Point" && $0.properties["point_count"] != nil })
    }

    @Test func polygonsAreClippedAndKeepTheirArea() throws {
        for name in ["polygons_z12", "districts_z12"] {
            let g = try goldenCase(name)
            let expected = try #require(g.expected_areas)
            let decoded = try #require(g.decoded_areas)
            for (id, area) in decoded {
                let want = try #require(expected[id])
                #expect(abs(area - want) / want < 0.01, "\(name) feature \(id): \(area) vs \(want)")
            }
        }
        // The sliver quantises to nothing and is dropped; the square with its hole and the edge ring stay.
        let hotspots = try goldenCase("polygons_z12")
        #expect(Set(hotspots.features.map(\.id)) == [7, 8])
        // The district larger than the tile becomes the buffered square exactly: 4224².
        let district = try goldenCase("districts_z12")
        #expect(district.decoded_areas?["3"] == 4224.0 * 4224.0)
        #expect(district.features.first?.properties["name"] == .string("Руднянский район"))
        #expect(district.features.first?.properties["per_1000"] == .number(12.5))
    }

    @Test func exteriorRingsArePositiveAndHolesNegativeWhateverTheInputWinding() throws {
        for name in ["polygons_z12", "districts_z12"] {
            let g = try goldenCase(name)
            for (id, rings) in try #require(g.raw_rings) {
                #expect(rings.ring_areas2.first! > 0, "\(name) \(id) exterior")
                #expect(rings.ring_areas2.dropFirst().allSatisfy { $0 < 0 }, "\(name) \(id) holes")
            }
        }
        let square = try #require(try goldenCase("polygons_z12").raw_rings?["7"])
        #expect(square.ring_sizes == [4, 4])
        let hotspot = try #require(try goldenCase("polygons_z12").features.first { $0.id == 7 })
        #expect(hotspot.type == "Polygon")
        #expect(hotspot.properties["recurring"] == .bool(true))
        #expect(hotspot.properties["score"] == .number(0.87))
        #expect(hotspot.properties["settlement"] == .string("Сосновка"))
    }
}

/// Regenerates the encoded fixtures when asked to (see make_mvt_golden.py); apart so it runs without a golden file.
@Suite struct GoldenFixtureWriter {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["OTKLIK_WRITE_TILE_FIXTURES"] == "1",
                   "regenerates fixtures only with OTKLIK_WRITE_TILE_FIXTURES=1"))
    func writeEncodedFixtures() throws {
        let cases = try TileCases.load()
        let dir = TileCases.sourceFixtures.appendingPathComponent("encoded")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for c in cases.cases { try c.encoded.write(to: dir.appendingPathComponent(c.name + ".mvt")) }
        #expect(cases.cases.count == 4)
    }
}
