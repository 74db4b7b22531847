import Foundation
import OtklikCore
import OtklikTestSupport
import Testing
@testable import OtklikStore

/// The MBTiles writer, read back by our reader, by GDAL and by mapbox-vector-tile.
/// Tile bytes: the encoded fixtures of the tile tests (Tests/OtklikTilesTests/Fixtures/encoded), gzipped by gzip(1).
@Suite struct MBTilesWriterTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("OtklikTilesTests/Fixtures/encoded")

    /// Standard output of a peer the test carries `.requires` for.
    static func run(_ peer: Peer, _ args: [String], stdin: Data? = nil) throws -> Data {
        let r = try ExternalProcess.run(Command(Peers.require(peer), args, stdin: stdin, stderr: .separate))
        guard r.succeeded else { throw MBTilesTestFailure(description: "\(peer) \(args.joined(separator: " ")): \(r)") }
        return r.outputData
    }

    struct MBTilesTestFailure: Error, CustomStringConvertible { var description: String }

    static func gzipped(_ name: String) throws -> Data {
        try run(.gzip, ["-c", "-n"], stdin: Data(contentsOf: fixtures.appendingPathComponent(name + ".mvt")))
    }

    static let region = BBox(minLon: 30.7, minLat: 53.3, maxLon: 35.4, maxLat: 56.1)
    static let json = #"{"vector_layers":[{"id":"incidents","description":"Complaints","minzoom":9,"maxzoom":14,"fields":{"id":"Number","category":"String","settlement":"String","point_count":"Number"}}]}"#

    func writeSample() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("otklik-\(UUID().uuidString).mbtiles").path
        let writer = try MBTilesWriter(path: path, batchSize: 1)
        try writer.write(z: 14, x: 9650, y: 5199, data: try Self.gzipped("incidents_z14"))
        try writer.write(z: 9, x: 301, y: 162, data: try Self.gzipped("clusters_z9"))
        try writer.finish(metadata: MBTilesMetadata(name: "Otklik incidents", bounds: Self.region, centerZoom: 9,
                                                   minZoom: 9, maxZoom: 14, json: Self.json,
                                                   description: "Жалобы: Смоленская область"))
        return path
    }

    @Test(.requires(.gzip, .spatialite))
    func storesTilesInTMSRowsWithMetadata() throws {
        let path = try writeSample()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try MBTilesReader(path: path)
        #expect(try reader.tileCount() == 2)
        let stored = try #require(try reader.tile(z: 14, x: 9650, y: 5199))
        #expect(stored == (try Self.gzipped("incidents_z14")))
        #expect(try reader.addresses().map { [$0.z, $0.x, $0.y] } == [[9, 301, 162], [14, 9650, 5199]])
        let m = try reader.metadata()
        #expect(m["format"] == "pbf")
        #expect(m["name"] == "Otklik incidents")
        #expect(m["bounds"] == "30.7,53.3,35.4,56.1")
        #expect(m["center"] == "33.05,54.7,9")
        #expect(m["minzoom"] == "9" && m["maxzoom"] == "14")
        #expect(m["json"] == Self.json)
        #expect(m["description"] == "Жалобы: Смоленская область")
        // TMS row, checked in SQL by the spatialite shell rather than through the reader's own flip:
        // 2^14 - 1 - 5199 = 11184.
        let rows = String(decoding: try Self.run(.spatialite, [path, "SELECT tile_row FROM tiles WHERE zoom_level=14"]), as: UTF8.self)
        #expect(rows.trimmingCharacters(in: .whitespacesAndNewlines) == "11184")
    }

    @Test func rejectsUncompressedTilesAndWritesAfterFinish() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("otklik-\(UUID().uuidString).mbtiles").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try MBTilesWriter(path: path)
        #expect(throws: MBTilesError.self) { try writer.write(z: 3, x: 1, y: 1, data: Data([0x1a, 0x02])) }
        #expect(throws: MBTilesError.self) { try writer.write(z: 3, x: 8, y: 1, data: Data([0x1f, 0x8b])) }
        try writer.finish(metadata: MBTilesMetadata(name: "x", bounds: Self.region, minZoom: 0, maxZoom: 0, json: "{}"))
        #expect(throws: MBTilesError.self) { try writer.write(z: 3, x: 1, y: 1, data: Data([0x1f, 0x8b])) }
    }

    @Test(.requires(.ogrinfo, .gzip))
    func gdalReadsTheFile() throws {
        let path = try writeSample()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let out = String(decoding: try Self.run(.ogrinfo, ["-ro", "-al", "-so", path]), as: UTF8.self)
        #expect(out.contains("using driver `MBTiles'"))
        #expect(out.contains("Layer name: incidents"))
        #expect(out.contains("Feature Count:"))
        let full = String(decoding: try Self.run(.ogrinfo, ["-ro", "-al", "-oo", "ZOOM_LEVEL=14", "-oo", "CLIP=NO", path]), as: UTF8.self)
        #expect(full.contains("settlement (String) = Сосновка"))
    }

    @Test(.requires(.mapboxVectorTile, .gzip))
    func mapboxVectorTileReadsTheStoredBlob() throws {
        let path = try writeSample()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let script = """
        import sys, sqlite3, gzip, json
        import mapbox_vector_tile as m
        db = sqlite3.connect(sys.argv[1])
        blob = db.execute("SELECT tile_data FROM tiles WHERE zoom_level=9 AND tile_column=301 AND tile_row=349").fetchone()[0]
        t = m.decode(gzip.decompress(blob))
        print(sum(f["properties"]["point_count"] for f in t["incidents"]["features"]))
        """
        let out = String(decoding: try Self.run(.mapboxVectorTile, ["-c", script, path]), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        // clusters_z9 holds 300 incidents in its own tile (mvt_golden.json, expected_point_total).
        #expect(out == "300")
    }
}
