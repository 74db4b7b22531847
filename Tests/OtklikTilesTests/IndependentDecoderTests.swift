import Foundation
import OtklikCore
import OtklikTestSupport
import Testing
@testable import OtklikTiles

/// Freshly encoded tiles read by GDAL's MVT driver and by mapbox-vector-tile at test time.
@Suite struct IndependentDecoderTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("otklik-mvt-\(UUID().uuidString)")

    func writeTile(_ c: TileCases.Case) throws -> URL {
        // GDAL georeferences a lone tile from a …/z/x/y.pbf path.
        let dir = root.appendingPathComponent("\(c.name)/\(c.z)/\(c.x)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("\(c.y).pbf")
        try c.encoded.write(to: file)
        return file
    }

    @Test(.requires(.ogrinfo))
    func gdalReadsEveryLayerWithItsFeatureCountAndRussianText() throws {
        let cases = try TileCases.load()
        defer { try? FileManager.default.removeItem(at: root) }
        for c in cases.cases {
            let file = try writeTile(c)
            let out = try ExternalTool.run(.ogrinfo, ["-ro", "-al", file.path])
            #expect(out.contains("Layer name: \(c.layer)"), "\(c.name)")
            #expect(out.contains("Feature Count: \(c.mvtLayer.features.count)"), "\(c.name): \(out.prefix(400))")
        }
        let incidents = try #require(cases.cases.first { $0.name == "incidents_z14" })
        // CLIP=NO keeps the point that lies in the east buffer (GDAL clips to the tile by default).
        let out = try ExternalTool.run(.ogrinfo, ["-ro", "-al", "-oo", "CLIP=NO", try writeTile(incidents).path])
        #expect(out.contains("settlement (String) = Сосновка"))
        #expect(out.contains("mvt_id (Integer64) = 900"))
        #expect(out.contains("district (String) = Руднянский район"))
    }

    @Test(.requires(.mapboxVectorTile))
    func mapboxVectorTileDecodesTheSameFeatureIdsAsWeEncoded() throws {
        let cases = try TileCases.load()
        defer { try? FileManager.default.removeItem(at: root) }
        for c in cases.cases {
            let file = try writeTile(c)
            let script = "import sys,json,mapbox_vector_tile as m; t=m.decode(open(sys.argv[1],'rb').read()); print(json.dumps(sorted(f['id'] for f in t['\(c.layer)']['features'])))"
            let out = try ExternalTool.run(.mapboxVectorTile, ["-c", script, file.path])
            let ids = try JSONDecoder().decode([UInt64].self, from: Data(out.utf8))
            #expect(ids == c.mvtLayer.features.compactMap(\.id).sorted(), "\(c.name)")
        }
    }
}
