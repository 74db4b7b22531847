import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import OtklikCore
import OtklikStore
@testable import OtklikHTTP
import OtklikServices

/// Every refusal the spec names, in its error format, and proof that a refused body stores nothing.
@Suite struct Open311ErrorTests {
    /// Posts and checks the spec error list in both formats; nothing may have been written.
    static func refuse(_ t: Open311TestApp, _ client: any TestClientProtocol, body: String, status: UInt,
                       mentions: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let j = try await client.postRaw("/open311/v2/requests.json", body)
        #expect(j.status == status, "JSON: \(j.text)", sourceLocation: sourceLocation)
        let list = j.array
        #expect(list.count == 1, sourceLocation: sourceLocation)
        #expect(list.first?["code"] as? Int == Int(status), sourceLocation: sourceLocation)
        if let mentions {
            #expect((list.first?["description"] as? String)?.contains(mentions) == true, "\(j.text)", sourceLocation: sourceLocation)
        }
        let x = try await client.postRaw("/open311/v2/requests.xml", body)
        #expect(x.status == status, sourceLocation: sourceLocation)
        let doc = x.xml
        #expect(doc?.name == "errors", sourceLocation: sourceLocation)
        #expect(doc?.children.first?.name == "error", sourceLocation: sourceLocation)
        #expect(doc?.children.first?["code"] == String(status), sourceLocation: sourceLocation)
        do {
            let got = try await t.count
            #expect(got == 0, "a refused request was stored", sourceLocation: sourceLocation)
        }
    }

    static func form(_ f: [(String, String)]) -> String { Open311Encode.form(f) }

    @Test func missingOrInvalidAPIKeyIs403() async throws {
        let t = try await Open311TestApp()
        try await t.test { client in
            let noKey = Open311TestApp.form().filter { $0.0 != "api_key" }
            try await Self.refuse(t, client, body: Self.form(noKey), status: 403, mentions: "api_key")
            let wrong = [("api_key", "not-a-key")] + noKey
            try await Self.refuse(t, client, body: Self.form(wrong), status: 403, mentions: "api_key")
        }
    }

    @Test func unknownServiceCodeIs404AndMissingIs400() async throws {
        let t = try await Open311TestApp()
        try await t.test { client in
            let f = Open311TestApp.form(code: "road.bridge")
            try await Self.refuse(t, client, body: Self.form(f), status: 404, mentions: "road.bridge")
            let none = Open311TestApp.form().filter { $0.0 != "service_code" }
            try await Self.refuse(t, client, body: Self.form(none), status: 400, mentions: "service_code")
        }
    }

    @Test func missingLocationIs400() async throws {
        let t = try await Open311TestApp()
        try await t.test { client in
            let noPlace = Open311TestApp.form().filter { $0.0 != "lat" && $0.0 != "long" }
            try await Self.refuse(t, client, body: Self.form(noPlace), status: 400, mentions: "lat/long")
            // An address that names no settlement cannot place the request either.
            try await Self.refuse(t, client, body: Self.form(noPlace + [("address_string", "ул. Несуществующая, 1")]),
                                  status: 400, mentions: "no known settlement")
            // Сосновка exists in three districts: without a district the address is ambiguous.
            try await Self.refuse(t, client, body: Self.form(noPlace + [("address_string", "д. Сосновка")]),
                                  status: 400, mentions: "3 settlements")
            let onlyLat = Open311TestApp.form().filter { $0.0 != "long" }
            try await Self.refuse(t, client, body: Self.form(onlyLat), status: 400, mentions: "together")
        }
    }

    @Test func invalidCoordinatesAre400() async throws {
        let t = try await Open311TestApp()
        try await t.test { client in
            for (lat, lon) in [("91", "32"), ("54.7", "181"), ("abc", "32"), ("nan", "32"), ("54.7", "inf"), ("54,7", "32,0")] {
                let f = Open311TestApp.form().filter { $0.0 != "lat" && $0.0 != "long" } + [("lat", lat), ("long", lon)]
                try await Self.refuse(t, client, body: Self.form(f), status: 400)
            }
        }
    }

    @Test func oversizedDescriptionIs400() async throws {
        let t = try await Open311TestApp()
        try await t.test { client in
            let f = Open311TestApp.form(description: String(repeating: "я", count: 4001))
            try await Self.refuse(t, client, body: Self.form(f), status: 400, mentions: "4000")
        }
    }

    @Test func brokenFormEncodingIs400() async throws {
        let t = try await Open311TestApp()
        try await t.test { client in
            let good = Self.form(Open311TestApp.form())
            // A truncated escape, a non-hex escape, an escape that decodes to invalid UTF-8, a repeated field.
            try await Self.refuse(t, client, body: good + "&description=%D0", status: 400)
            try await Self.refuse(t, client, body: good.replacingOccurrences(of: "description=", with: "description=%ZZ"), status: 400)
            try await Self.refuse(t, client, body: good + "&address_string=%FF%FE", status: 400)
            try await Self.refuse(t, client, body: good + "&service_code=waste.dump", status: 400, mentions: "more than once")
            try await Self.refuse(t, client, body: good + "&color=red", status: 400, mentions: "unknown field")
            // Raw bytes that are not UTF-8.
            var bytes = Array(good.utf8)
            bytes += Array("&address_string=".utf8) + [0xC3, 0x28]
            let r = try await client.postBytes("/open311/v2/requests.json", bytes)
            #expect(r.status == 400)
            #expect(r.array.first?["code"] as? Int == 400)
            // JSON is not a form.
            let j = try await client.postRaw("/open311/v2/requests.json", "{\"service_code\":\"road.pothole\"}", contentType: "application/json")
            #expect(j.status == 400)
            do {
                let got = try await t.count
                #expect(got == 0)
            }
        }
    }

    @Test func requiredAttributeAndListValuesAreChecked() async throws {
        let t = try await Open311TestApp()
        try await t.test { client in
            try await Self.refuse(t, client, body: Self.form(Open311TestApp.form(code: "waste.container_site")), status: 400,
                                  mentions: "container_state")
            let wrong = Open311TestApp.form(code: "waste.container_site", extra: [("attribute[container_state]", "burning")])
            try await Self.refuse(t, client, body: Self.form(wrong), status: 400, mentions: "overflowing")
            let reserved = Open311TestApp.form(extra: [("attribute[repeat_after_fix]", "true")])
            try await Self.refuse(t, client, body: Self.form(reserved), status: 400, mentions: "reserved")
        }
    }

    @Test func badContactFieldsAre400() async throws {
        let t = try await Open311TestApp()
        try await t.test { client in
            let f = Open311TestApp.form().filter { $0.0 != "email" } + [("email", "not an email")]
            try await Self.refuse(t, client, body: Self.form(f), status: 400, mentions: "email")
            let m = Open311TestApp.form(extra: [("media_url", "javascript:alert(1)")])
            try await Self.refuse(t, client, body: Self.form(m), status: 400, mentions: "media_url")
        }
    }

    @Test func dateRangeOverNinetyDaysIs400() async throws {
        let t = try await Open311TestApp()
        try await t.test { client in
            let r = try await client.get("/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-04-02T00:00:00Z")
            #expect(r.status == 400)
            #expect(r.array.first?["code"] as? Int == 400)
            #expect((r.array.first?["description"] as? String)?.contains("90 days") == true)
            let x = try await client.get("/open311/v2/requests.xml?start_date=2026-01-01T00:00:00%2B03:00&end_date=2026-06-01T00:00:00%2B03:00")
            #expect(x.status == 400)
            #expect(x.xml?.name == "errors")
            // Exactly 90 days is allowed.
            let ok = try await client.get("/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-04-01T00:00:00Z")
            #expect(ok.status == 200)
            do {
                let got = try await client.get("/open311/v2/requests.json?start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z").status
                #expect(got == 400)
            }
            do {
                let got = try await client.get("/open311/v2/requests.json?start_date=yesterday").status
                #expect(got == 400)
            }
            do {
                let got = try await client.get("/open311/v2/requests.json?status=pending").status
                #expect(got == 400)
            }
            do {
                let got = try await client.get("/open311/v2/requests.json?service_code=road.bridge").status
                #expect(got == 400)
            }
            do {
                let got = try await client.get("/open311/v2/requests.json?lat=54.7").status
                #expect(got == 400)
            }
            do {
                let got = try await client.get("/open311/v2/requests.json?colour=red").status
                #expect(got == 400)
            }
        }
    }

    @Test func unknownRequestIDIs404() async throws {
        let t = try await Open311TestApp()
        try await t.test { client in
            for path in ["/open311/v2/requests/999.json", "/open311/v2/requests/abc.json", "/open311/v2/requests/0.json"] {
                let r = try await client.get(path)
                #expect(r.status == 404)
                #expect(r.array.first?["code"] as? Int == 404)
            }
            let x = try await client.get("/open311/v2/requests/999.xml")
            #expect(x.status == 404)
            #expect(x.xml?.children.first?["code"] == "404")
        }
    }

    /// A request posted while a bulk import fills the empty database is refused as 503 in the spec's error
    /// format, with Retry-After, and stores nothing; the same request is accepted after the import.
    @Test func aRequestDuringABulkLoadIntoAnEmptyDatabaseIs503() async throws {
        let t = try await Open311TestApp()
        try await t.store.beginBulk()
        try await t.test { client in
            try await Self.refuse(t, client, body: Self.form(Open311TestApp.form()), status: 503, mentions: "bulk import")
            let r = try await client.execute(uri: "/open311/v2/requests.json", method: .post,
                                             headers: [.contentType: "application/x-www-form-urlencoded"],
                                             body: ByteBuffer(string: Self.form(Open311TestApp.form()))) { $0 }
            #expect(r.headers[.retryAfter] == "30")
        }
        try await t.store.endBulk()
        try await t.test { client in
            let ok = try await client.postRaw("/open311/v2/requests.json", Self.form(Open311TestApp.form()))
            #expect(ok.status == 200, "\(ok.text)")
        }
        #expect(try await t.count == 1)
    }
}
