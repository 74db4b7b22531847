import Foundation
import Hummingbird
import HummingbirdTesting
@testable import OtklikHTTP
import OtklikServices
import Testing

@Suite struct ProblemTests {
    /// Bad query input of every kind gets a 4xx problem+json whose detail names the parameter; never a 500.
    @Test(arguments: [
        ("/ogc/collections/incidents/items?bbox=32,55,31,56", 400, "minLon 32.0 is greater than maxLon 31.0"),
        ("/ogc/collections/incidents/items?bbox=31,56,32,55", 400, "minLat 56.0 is greater than maxLat 55.0"),
        ("/ogc/collections/incidents/items?bbox=1,2,3", 400, "expected 4 comma-separated numbers"),
        ("/ogc/collections/incidents/items?bbox=NaN,1,2,3", 400, "is not a finite number"),
        ("/ogc/collections/incidents/items?bbox=31,55,32,95", 400, "lat: 95.0 is outside [-90, 90]"),
        ("/ogc/collections/incidents/items?bbox=1,2,3,4,5,6", 400, "expected 4 comma-separated numbers"),
        ("/ogc/collections/incidents/items?limit=abc", 400, "limit: 'abc' is not an integer"),
        ("/ogc/collections/incidents/items?limit=0", 400, "limit: 0 is outside [1, 10000]"),
        ("/ogc/collections/incidents/items?limit=-5", 400, "limit: -5 is outside"),
        ("/ogc/collections/incidents/items?offset=-1", 400, "offset: -1 is outside"),
        ("/ogc/collections/incidents/items?offset=99999999999999999999999", 400, "offset: '99999999999999999999999' is not an integer"),
        ("/ogc/collections/incidents/items?offset=2000000000", 400, "offset: 2000000000 is outside"),
        ("/ogc/collections/incidents/items?datetime=yesterday", 400, "datetime: 'yesterday' is not a valid timestamp"),
        ("/ogc/collections/incidents/items?datetime=2025-02-01T00:00:00Z/2025-01-01T00:00:00Z", 400, "the interval starts after it ends"),
        ("/ogc/collections/incidents/items?datetime=../..", 400, "both ends open"),
        ("/ogc/collections/incidents/items?colour=red", 400, "unknown parameter 'colour'"),
        ("/ogc/collections/incidents/items?category=road.pothole';DROP%20TABLE%20incidents;--", 400, "category: unknown category 'road.pothole';DROP TABLE incidents;--'"),
        ("/ogc/collections/incidents/items?status=open", 400, "status: 'open' is not one of new, in_progress, resolved, rejected"),
        ("/ogc/collections/incidents/items?district=%FF%FE", 400, "value of 'district': not valid UTF-8"),
        ("/ogc/collections/incidents/items?district=%E0%A4", 400, "not valid UTF-8"),
        ("/ogc/collections/incidents/items?district=%G1", 400, "malformed percent-escape"),
        ("/ogc/collections/incidents/items?limit=10&limit=20", 400, "limit: given more than once"),
        ("/ogc/collections/districts/items?category=road.pothole", 400, "unknown parameter 'category'"),
        ("/ogc/collections/nope/items", 404, "collection 'nope' does not exist"),
        ("/ogc/collections/incidents/items/abc", 404, "incident 'abc' does not exist"),
        ("/ogc/collections/incidents/items/999999", 404, "incident '999999' does not exist"),
        ("/ogc/collections/districts/items/77", 404, "feature '77' does not exist in districts"),
        ("/api/v1/incidents/nearby?lon=32", 400, "lat: required parameter is missing"),
        ("/api/v1/incidents/nearby?lon=200&lat=54", 400, "lon: 200.0 is outside [-180.0, 180.0]"),
        ("/api/v1/incidents/nearby?lon=nan&lat=54", 400, "lon: 'nan' is not a finite number"),
        ("/api/v1/incidents/nearby?lon=32&lat=54&radius=1e9", 400, "radius: 1000000000.0 is outside"),
        ("/api/v1/incidents/nearby?lon=32&lat=54&category=potholes", 400, "category: unknown category 'potholes'"),
        ("/api/v1/reports/hotspots?format=xlsx", 400, "format: 'xlsx' is not one of json, csv, html"),
        ("/api/v1/reports/hotspots?since=2025-02-01&until=2025-01-01", 400, "is after until"),
        ("/api/v1/incidents/0", 404, "incident '0' does not exist"),
        ("/no/such/path", 404, "no resource at GET /no/such/path"),
    ])
    func badInputIsAProblemNotAServerError(uri: String, status: Int, detail: String) async throws {
        try await Harness.withApp(count: 3) { client, _ in
            try await client.execute(uri: uri, method: .get) { r in
                #expect(r.status.code == status, "\(uri)")
                #expect(r.headers[.contentType] == "application/problem+json", "\(uri)")
                let doc = try Harness.json(r.body)
                #expect(doc["status"]?.int == status)
                #expect(doc["type"]?.str?.hasPrefix("/problems/") == true)
                #expect(doc["title"]?.str?.isEmpty == false)
                #expect(doc["detail"]?.str?.contains(detail) == true, "\(uri): \(doc["detail"]?.str ?? "")")
                #expect(doc["instance"]?.str == uri.split(separator: "?").first.map(String.init))
            }
        }
    }

    @Test func queryDecodingKeepsCyrillicAndRefusesBrokenBytes() throws {
        let q = try QueryParameters(rawQuery: "district=%D0%A0%D1%83%D0%B4%D0%BD%D1%8F&x=a+b")
        #expect(q["district"] == "Рудня")
        #expect(q["x"] == "a b")
        #expect(throws: Problem.self) { try QueryParameters(rawQuery: "d=%C3%28") }
        #expect(throws: Problem.self) { try QueryParameters(rawQuery: "d=%00") }
    }
}
