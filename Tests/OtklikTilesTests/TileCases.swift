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
            // The properties these fixtures were encoded with: the fixtures test clipping and encoding, not the
            // published vocabulary (OtklikHTTPTests' PublishedPropertiesTests does that).
            if kind == "district" {
                var props: [MVTProperty] = [MVTProperty("name", name!)]
                if let per_1000 { props.append(MVTProperty("per_1000", per_1000)) }
                props.append(MVTProperty("count", count))
                if let population { props.append(MVTProperty("population", population)) }
                return TilePolygonFeature(id: UInt64(max(id, 0)), geometry: geometry, properties: props)
            }
            var props: [MVTProperty] = [
                MVTProperty("id", Int(id)), MVTProperty("score", score!), MVTProperty("recurring", recurring!),
                MVTProperty("category", category!), MVTProperty("count", count), MVTProperty("open_count", open_count!),
            ]
            if let settlement { props.append(MVTProperty("settlement", settlement)) }
            return TilePolygonFeature(id: UInt64(max(id, 0)), geometry: geometry, properties: props)
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
