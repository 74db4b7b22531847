import Foundation
import HummingbirdTesting
import Testing
import OtklikCore
@testable import OtklikHTTP
import OtklikServices

/// Discovery, the service list and service definitions, in both formats.
@Suite struct Open311ServicesTests {
    static let serviceElements = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]

    /// The taxonomy file itself, read with Foundation: the reference the answers are compared with.
    static func categoriesFile() throws -> [[String: Any]] {
        let data = try Data(contentsOf: Open311TestApp.root.appendingPathComponent("data/categories.json"))
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["categories"] as? [[String: Any]] ?? []
    }

    /// The parts of a category the service list shows, as plain Sendable values.
    struct Expected: Sendable {
        var code: String, name: String, agency: String, metadata: Bool, keywords: String
    }

    static func expectedServices() throws -> [Expected] {
        try categoriesFile().map { c in
            Expected(code: c["code"] as? String ?? "", name: c["name_ru"] as? String ?? "", agency: c["agency"] as? String ?? "",
                     metadata: !((c["attributes"] as? [Any]) ?? []).isEmpty,
                     keywords: ((c["keywords"] as? [String]) ?? []).joined(separator: ", "))
        }
    }

    @Test func servicesJSONIsATopLevelArrayWithOneServicePerCategory() async throws {
        let t = try await Open311TestApp()
        let reference = try Self.expectedServices()
        try await t.test { client in
            let r = try await client.get("/open311/v2/services.json")
            #expect(r.status == 200)
            #expect(r.contentType.hasPrefix("application/json"))
            #expect(r.text.first == "[")
            let list = r.array
            #expect(list.count == reference.count)
            for (s, c) in zip(list, reference) {
                // service_code is always a JSON string, never a number.
                #expect(s["service_code"] as? String == c.code)
                #expect(s["service_name"] as? String == c.name)
                #expect(s["group"] as? String == c.agency)
                #expect(s["type"] as? String == "realtime")
                #expect(s["metadata"] as? Bool == c.metadata)
                #expect(s["keywords"] as? String == c.keywords)
                #expect(Array(s.keys).sorted() == (Self.serviceElements + ["agency_overrides"]).sorted())
            }
        }
    }

    @Test func servicesXMLUsesTheSpecElementNamesAndShowsDistrictOverrides() async throws {
        let t = try await Open311TestApp()
        try await t.test { client in
            let r = try await client.get("/open311/v2/services.xml")
            #expect(r.status == 200)
            #expect(r.contentType.hasPrefix("text/xml"))
            #expect(r.text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"))
            let doc = try #require(r.xml)
            #expect(doc.name == "services")
            #expect(Set(doc.childNames) == ["service"])
            #expect(doc.children.count == t.taxonomy.categories.count)
            for s in doc.children {
                #expect(Array(s.childNames.prefix(7)) == Self.serviceElements)
            }
            // data/agency-overrides.json gives the Smolensk city potholes to the city's road department.
            let pothole = try #require(doc.children.first { $0["service_code"] == "road.pothole" })
            let overrides = try #require(pothole.child("agency_overrides"))
            let city = overrides.children.first { $0["district"] == "Город Смоленск" }
            #expect(city?["agency"] == "Управление дорожного хозяйства и транспорта Администрации г. Смоленска")
            // A whole-district override shows under every service.
            let other = try #require(doc.children.first { $0["service_code"] == "waste.dump" })
            #expect(other.child("agency_overrides")?.children.contains { $0["district"] == "Город Десногорск" } == true)
        }
    }

    @Test func containerSiteDefinitionOffersOverflowingBrokenMissing() async throws {
        let t = try await Open311TestApp()
        try await t.test { client in
            let x = try await client.get("/open311/v2/services/waste.container_site.xml")
            #expect(x.status == 200)
            let doc = try #require(x.xml)
            #expect(doc.name == "service_definition")
            #expect(doc["service_code"] == "waste.container_site")
            let attr = try #require(doc.child("attributes")?.children.first)
            #expect(attr.name == "attribute")
            #expect(Array(attr.childNames) == ["variable", "code", "datatype", "required", "datatype_description", "order", "description", "values"])
            #expect(attr["code"] == "container_state")
            #expect(attr["datatype"] == "singlevaluelist")
            #expect(attr["required"] == "true")
            #expect(attr["order"] == "1")
            let values = attr.child("values")?.children ?? []
            #expect(values.map(\.name) == ["value", "value", "value"])
            #expect(values.compactMap { $0["key"] } == ["overflowing", "broken", "missing"])
            #expect(values.compactMap { $0["name"] } == ["переполнен", "сломан", "отсутствует"])

            let j = try await client.get("/open311/v2/services/waste.container_site.json")
            let obj = try #require(j.json as? [String: Any])
            #expect(obj["service_code"] as? String == "waste.container_site")
            let attrs = try #require(obj["attributes"] as? [[String: Any]])
            #expect(attrs.first?["code"] as? String == "container_state")
            #expect(attrs.first?["required"] as? Bool == true)
            #expect((attrs.first?["values"] as? [[String: Any]])?.compactMap { $0["key"] as? String } == ["overflowing", "broken", "missing"])
        }
    }

    @Test func unknownServiceDefinitionIsSpec404() async throws {
        let t = try await Open311TestApp()
        try await t.test { client in
            let j = try await client.get("/open311/v2/services/road.nothing.json")
            #expect(j.status == 404)
            let errors = j.array
            #expect(errors.count == 1)
            #expect(errors.first?["code"] as? Int == 404)
            #expect((errors.first?["description"] as? String)?.contains("road.nothing") == true)
            let x = try await client.get("/open311/v2/services/road.nothing.xml")
            #expect(x.status == 404)
            let doc = try #require(x.xml)
            #expect(doc.name == "errors")
            #expect(doc.children.first?.childNames == ["code", "description"])
            #expect(doc.children.first?["code"] == "404")
        }
    }

    @Test func discoveryNamesTheEndpointAndBothFormats() async throws {
        let t = try await Open311TestApp()
        try await t.test { client in
            let x = try await client.get("/open311/v2/discovery.xml")
            let doc = try #require(x.xml)
            #expect(doc.name == "discovery")
            let ep = try #require(doc.child("endpoints")?.child("endpoint"))
            #expect(ep["specification"] == "http://wiki.open311.org/GeoReport_v2")
            #expect(ep["url"] == "http://otklik.test/open311/v2")
            #expect(ep.child("formats")?.children.map(\.text) == ["text/xml", "application/json"])
            let j = try await client.get("/open311/v2/discovery.json")
            let obj = try #require(j.json as? [String: Any])
            #expect((obj["endpoints"] as? [[String: Any]])?.first?["formats"] as? [String] == ["text/xml", "application/json"])
        }
    }

    @Test func wrongJurisdictionIsSpec404AndOursIsAccepted() async throws {
        let t = try await Open311TestApp()
        try await t.test { client in
            do {
                let got = try await client.get("/open311/v2/services.json?jurisdiction_id=chicago").status
                #expect(got == 404)
            }
            do {
                let got = try await client.get("/open311/v2/services.json?jurisdiction_id=smolensk-oblast").status
                #expect(got == 200)
            }
            do {
                let got = try await client.get("/open311/v2/services.json?jurisdiction_id=").status
                #expect(got == 200)
            }
        }
    }

    @Test func unknownResourcesAnswerInTheSpecErrorFormat() async throws {
        let t = try await Open311TestApp()
        try await t.test { client in
            let r = try await client.get("/open311/v2/tokens/abc.json")
            #expect(r.status == 404)
            #expect(r.array.first?["code"] as? Int == 404)
            let x = try await client.get("/open311/v2/services.csv")
            #expect(x.status == 404)
            #expect(x.xml?.name == "errors")
        }
    }
}
