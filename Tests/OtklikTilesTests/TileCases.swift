import Foundation
import OtklikCore
@testable import OtklikTiles

/// The inputs of Fixtures/mvt_cases.json (made by make_mvt_cases.py) and the layers we build from them.
struct TileCases: Decodable {
    struct Point: Decodable {
        var id: Int64
        var lon: Double
        var lat: Double
        var category: String
        var status: String
        var date: String
        var settlement: String?
        var district: String?

        var tilePoint: TilePoint {
            TilePoint(id: id, location: GeoPoint(lon: lon, lat: lat), category: category, status: status, date: date,
                      settlement: settlement, district: district)
        }
    }

    struct Polygon: Decodable {
        var kind: String
        var id: Int64
        var rings: [[[Double]]]
        var score: Double?
        var recurring: Bool?
        var category: String?
        var count: Int
        var open_count: Int?
        var settlement: String?
        var name: String?
        var per_1000: Double?
        var population: Int?

        var feature: TilePolygonFeature {
            let geometry = Geometry.polygon(rings.map { $0.map { GeoPoint(lon: $0[0], lat: $0[1]) } })
            if kind == "district" {
                return .district(id: id, name: name!, geometry: geometry, per1000: per_1000!, count: count, population: population)
            }
            return .hotspot(id: id, geometry: geometry, score: score!, recurring: recurring!, category: category!,
                            count: count, openCount: open_count!, settlement: settlement)
        }
    }

    struct Case: Decodable {
        var name: String
        var z: Int
        var x: Int
        var y: Int
        var layer: String
        var points: [Point]?
        var polygons: [Polygon]?
        var in_tile_ids: [Int64]?
        var buffer_ids: [Int64]?
        var in_tile_count: Int?

        var tile: TileID { TileID(z: z, x: x, y: y) }

        var mvtLayer: MVTLayer {
            if let points {
                return TileLayers.incidents(points.map(\.tilePoint), tile: tile)
            }
            return TileLayers.polygons((polygons ?? []).map(\.feature), name: layer, tile: tile)
        }

        var encoded: Data { MVTEncoder.encode([mvtLayer]) }
    }

    var cases: [Case]

    static func load() throws -> TileCases {
        guard let url = fixture("mvt_cases", "json") else { throw CocoaError(.fileNoSuchFile) }
        return try JSONDecoder().decode(TileCases.self, from: Data(contentsOf: url))
    }

    static func fixture(_ name: String, _ ext: String, subdirectory: String = "Fixtures") -> URL? {
        Bundle.module.url(forResource: name, withExtension: ext, subdirectory: subdirectory)
    }

    /// Tests/OtklikTilesTests/Fixtures in the source tree, for the fixture writer.
    static var sourceFixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    }
}
