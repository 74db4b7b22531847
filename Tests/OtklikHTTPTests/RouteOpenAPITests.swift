@testable import OtklikHTTP
import OtklikServices
import OtklikInspection
import Testing

/// The path item for /api/v1/routes must describe exactly what the handler accepts and returns.
@Suite struct RouteOpenAPITests {
    @Test func pathItemListsEveryAcceptedParameterAndFormat() throws {
        let (path, item) = OpenAPIDocument.routePlanningPath(taxonomy: Harness.taxonomy)
        #expect(path == "/api/v1/routes")
        let op = try #require(item["get"])
        let names = op["parameters"]?.list.compactMap { $0["name"]?.str } ?? []
        #expect(names == RouteRoutes.parameters)
        let required = op["parameters"]?.list.filter { $0["required"].map { if case .bool(true) = $0 { true } else { false } } == true }
            .compactMap { $0["name"]?.str }
        #expect(required == ["start"])
        let types = op["responses"]?["200"]?["content"]?.keys ?? []
        #expect(types == ["application/gpx+xml", "application/vnd.google-earth.kml+xml", "application/geo+json", "text/csv"])
        #expect(op["responses"]?["400"] != nil)
    }
}
