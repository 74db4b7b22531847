import Foundation
import OtklikTestSupport
import OtklikCore
import Testing
@testable import OtklikTiles

@Suite struct GzipTests {
    static let text = String(repeating: "Сосновка, Руднянский район: переполнена контейнерная площадка\n", count: 20)

    @Test func decompressesWhatPythonsGzipWrote() throws {
        let url = try #require(TileCases.fixture("sosnovka.txt", "gz"))
        let data = try Gzip.decompress(Data(contentsOf: url))
        #expect(String(decoding: data, as: UTF8.self) == Self.text)
    }

    @Test(.requires(.gzip))
    func gzipToolReadsWhatWeCompress() throws {
        let packed = try Gzip.compress(Data(Self.text.utf8))
        #expect(packed.count < Self.text.utf8.count / 5)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("otklik-gzip-\(UUID().uuidString).gz")
        try packed.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let out = try ExternalTool.run(.gzip, ["-dc", file.path])
        #expect(out == Self.text)
    }

    @Test func rejectsCorruptInput() throws {
        #expect(throws: TilesError.self) { try Gzip.decompress(Data("plain".utf8)) }
        var packed = try Gzip.compress(Data(Self.text.utf8))
        packed = packed.prefix(packed.count / 2)
        #expect(throws: TilesError.self) { try Gzip.decompress(packed) }
        #expect(try Gzip.decompress(Gzip.compress(Data())) == Data())
    }
}

@Suite struct TileJSONTests {
    @Test func describesTheLayerWithAbsoluteURLsAndFields() throws {
        let region = BBox(minLon: 30.7, minLat: 53.3, maxLon: 35.4, maxLat: 56.1)
        let data = TileJSON.document(name: "Otklik incidents", tileURL: "http://127.0.0.1:8080/tiles/incidents/{z}/{x}/{y}.mvt",
                                     minZoom: 5, maxZoom: 16, bounds: region, center: GeoPoint(lon: 32.04, lat: 54.78),
                                     centerZoom: 8, layers: [try VectorLayerSpec.standard("incidents", minZoom: 5, maxZoom: 16)])
        let doc = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(doc["tilejson"] as? String == "3.0.0")
        #expect(doc["tiles"] as? [String] == ["http://127.0.0.1:8080/tiles/incidents/{z}/{x}/{y}.mvt"])
        #expect(doc["minzoom"] as? Int == 5)
        #expect(doc["maxzoom"] as? Int == 16)
        #expect(doc["bounds"] as? [Double] == [30.7, 53.3, 35.4, 56.1])
        #expect(doc["center"] as? [Double] == [32.04, 54.78, 8])
        let layers = try #require(doc["vector_layers"] as? [[String: Any]])
        #expect(layers.first?["id"] as? String == "incidents")
        let fields = try #require(layers.first?["fields"] as? [String: String])
        #expect(fields["point_count"] == "Number")
        #expect(fields["category"] == "String")
        #expect(fields["phone"] == nil && fields["email"] == nil)
    }

    @Test func rejectsUnknownLayers() {
        #expect(throws: TilesError.unknownLayer("roads")) { try VectorLayerSpec.standard("roads") }
    }
}

enum ExternalTool {
    /// Standard output only: the callers parse it. For tests that carry `.requires(peer)`.
    static func run(_ peer: Peer, _ args: [String]) throws -> String {
        let r = try ExternalProcess.run(Command(Peers.require(peer), args, stderr: .separate))
        guard r.succeeded else { throw ToolFailure(description: "\(peer) \(args.joined(separator: " ")): \(r)") }
        return r.output
    }

    struct ToolFailure: Error, CustomStringConvertible { var description: String }
}
