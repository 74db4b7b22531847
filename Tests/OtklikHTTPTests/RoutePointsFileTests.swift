import Foundation
@testable import OtklikHTTP
import OtklikServices
import OtklikCore
import OtklikInspection
import Testing

/// `--points FILE`: a planner's own selection, routed with its ids and names intact.
@Suite struct RoutePointsFileTests {
    static let file = """
    {"type":"FeatureCollection","features":[
     {"type":"Feature","id":"dump-17","geometry":{"type":"Point","coordinates":[31.3,54.9]},
      "properties":{"name":"Свалка за фермой, Сосновка","priority":4,"category":"Свалка"}},
     {"type":"Feature","id":42,"geometry":{"type":"Point","coordinates":[31.1,54.9]},
      "properties":{"name":"Площадка у школы"}},
     {"type":"Feature","geometry":{"type":"Point","coordinates":[31.2,54.9]},"properties":{"id":"x-3"}}
    ]}
    """

    @Test func idsNamesAndPriorityAreCarriedIntoTheExport() throws {
        let stops = try RouteCandidates.points(fromGeoJSON: Array(Self.file.utf8))
        #expect(stops.map(\.id) == ["dump-17", "42", "x-3"])
        #expect(stops.map(\.name) == ["Свалка за фермой, Сосновка", "Площадка у школы", "x-3"])
        #expect(stops.map(\.priority) == [4, 1, 1])
        // From the west, open end: west to east.
        let request = RouteRequest(start: GeoPoint(lon: 31.0, lat: 54.9), finish: .openEnd,
                                   departure: Date(timeIntervalSince1970: 1_750_000_000))
        let route = try RouteDay.plan(stops, request: request)
        let text = RouteExporter.export(route, format: .geojson, options: RouteExportOptions(generatedAt: request.departure))
        let doc = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        let props = (doc?["features"] as? [[String: Any]] ?? []).compactMap { $0["properties"] as? [String: Any] }
            .filter { $0["role"] as? String == "stop" }
        #expect(props.compactMap { $0["id"] as? String } == ["42", "x-3", "dump-17"])
        #expect(props.compactMap { $0["name"] as? String } == ["Площадка у школы", "x-3", "Свалка за фермой, Сосновка"])
    }

    @Test(arguments: [
        ("{\"type\":\"Feature\"}", "geometry"),
        ("[1,2]", "FeatureCollection"),
        ("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[1,2],[3,4]]}}]}", "features[0]"),
        ("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[31,95]}}]}", "features[0]"),
        ("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"id\":1,\"geometry\":{\"type\":\"Point\",\"coordinates\":[31,54]}},{\"type\":\"Feature\",\"id\":\"1\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[31,55]}}]}", "twice"),
        ("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[31,54]},\"properties\":{\"priority\":-1}}]}", "priority"),
        ("not json", "points:"),
    ])
    func badPointFilesAreRefusedWithTheReason(text: String, mention: String) {
        #expect {
            _ = try RouteCandidates.points(fromGeoJSON: Array(text.utf8))
        } throws: { error in
            "\(error)".contains(mention)
        }
    }

    @Test func areaOptionsExcludeEachOther() throws {
        let names = ("--district", "--settlement", "--bbox", "--points")
        #expect(try RouteArea.choose(district: nil, settlement: nil, bbox: nil, points: nil, names: names) == .region)
        #expect(try RouteArea.choose(district: "Руднянский район", settlement: nil, bbox: nil, points: nil, names: names)
                == .district("Руднянский район"))
        #expect(throws: RouteCandidatesError.conflictingAreas(["--settlement", "--points"])) {
            try RouteArea.choose(district: nil, settlement: "Рудня", bbox: nil, points: [], names: names)
        }
    }
}
