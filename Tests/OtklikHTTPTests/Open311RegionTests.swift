import Foundation
import HummingbirdTesting
import Testing
import OtklikCore
@testable import OtklikHTTP

/// An Open311 POST gets the incident API's region check: lat/long swapped or far away is refused with the same
/// words, as a GeoReport error list, and nothing is stored.
@Suite struct Open311RegionTests {
    @Test func swappedLatAndLongAreRefusedWithTheLikelyCause() async throws {
        let t = try await Open311TestApp()
        try await t.test { client in
            // Smolensk is lat 54.78, long 32.05; sent the other way round.
            let json = try await client.postForm("/open311/v2/requests.json", Open311TestApp.form(lat: 32.05, lon: 54.78))
            #expect(json.status == 422)
            let item = try #require(json.array.first, "\(json.text)")
            #expect(item["code"] as? Int == 422)
            #expect(item["description"] as? String
                    == "lat/long: точка вне региона; возможно, перепутаны широта и долгота? (получено 54.78,32.05 как lon,lat)")

            let xml = try await client.postForm("/open311/v2/requests.xml", Open311TestApp.form(lat: 32.05, lon: 54.78))
            #expect(xml.status == 422)
            let doc = try #require(xml.xml)
            #expect(doc.name == "errors")
            #expect(doc.child("error")?["description"]?.hasPrefix("lat/long: точка вне региона; возможно, перепутаны") == true)
        }
        #expect(try await t.count == 0)
    }

    @Test func aFarPointIsRefusedWithTheRegionsExtent() async throws {
        let t = try await Open311TestApp()
        try await t.test { client in
            let r = try await client.postForm("/open311/v2/requests.json", Open311TestApp.form(lat: 14.7, lon: -17.4))
            #expect(r.status == 422)
            let description = try #require(r.array.first?["description"] as? String, "\(r.text)")
            #expect(description.hasPrefix("lat/long: точка вне региона (долгота "))
            // The same refusal the incident API gives, word for word.
            let districts = try await t.store.areas(level: .district)
            let region = try #require(RegionCheck.covering(districts))
            #expect(description == region.refusal(of: GeoPoint(lon: -17.4, lat: 14.7), path: "lat/long")?.description)
        }
        #expect(try await t.count == 0)
    }

    @Test func aPointInsideIsTaken() async throws {
        let t = try await Open311TestApp()
        try await t.test { client in
            let r = try await client.postForm("/open311/v2/requests.json", Open311TestApp.form(lat: 54.78, lon: 32.05))
            #expect(r.status == 200, "\(r.text)")
        }
        #expect(try await t.count == 1)
    }
}
