import Foundation
import HummingbirdTesting
import Testing
import OtklikCore
@testable import OtklikHTTP
import OtklikServices

/// POST and GET of service requests: fields, formats, status mapping, paging, nearby, placement, hints.
@Suite struct Open311RequestTests {
    static let requestElements = [
        "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
        "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
        "address", "address_id", "zipcode", "lat", "long", "media_url",
    ]

    /// Posts a form and returns the new id (asserting the spec's answer shape on the way).
    static func post(_ client: any TestClientProtocol, _ form: [(String, String)], format: String = "json",
                     sourceLocation: SourceLocation = #_sourceLocation) async throws -> (id: String, notice: String) {
        let r = try await client.postForm("/open311/v2/requests.\(format)", form)
        #expect(r.status == 200, "\(r.text)", sourceLocation: sourceLocation)
        if format == "json" {
            let item = try #require(r.array.first, sourceLocation: sourceLocation)
            #expect(Set(item.keys) == ["service_request_id", "service_notice", "account_id"], sourceLocation: sourceLocation)
            return (item["service_request_id"] as? String ?? "", item["service_notice"] as? String ?? "")
        }
        let doc = try #require(r.xml, sourceLocation: sourceLocation)
        #expect(doc.name == "service_requests", sourceLocation: sourceLocation)
        let req = try #require(doc.child("request"), sourceLocation: sourceLocation)
        #expect(req.childNames == ["service_request_id", "service_notice", "account_id"], sourceLocation: sourceLocation)
        return (req["service_request_id"] ?? "", req["service_notice"] ?? "")
    }

    @Test func cyrillicRequestRoundTripsThroughJSONAndXML() async throws {
        let t = try await Open311TestApp()
        let text = "Сосновка, Руднянский район: «яма» & <провал>\r\nглубина ~30 см; \"срочно\" 🚧"
        try await t.test { client in
            let form = Open311TestApp.form(description: text, extra: [
                ("address_string", "ул. Ленина, 5 — у остановки «Школа»"), ("media_url", "https://example.ru/фото/1.jpg"),
            ])
            let (id, _) = try await Self.post(client, form, format: "xml")
            #expect(Int(id) != nil)

            let j = try await client.get("/open311/v2/requests/\(id).json")
            #expect(j.status == 200)
            let item = try #require(j.array.first)
            #expect(Set(item.keys) == Set(Self.requestElements))
            #expect(item["service_request_id"] as? String == id)
            #expect(item["description"] as? String == text)
            #expect(item["address"] as? String == "ул. Ленина, 5 — у остановки «Школа»")
            #expect(item["media_url"] as? String == "https://example.ru/фото/1.jpg")
            #expect(item["service_code"] as? String == "road.pothole")
            #expect(item["service_name"] as? String == "Яма на дороге")
            #expect(item["lat"] as? Double == Open311Points.roslavl.lat)
            #expect(item["long"] as? Double == Open311Points.roslavl.lon)
            #expect(item["status"] as? String == "open")
            for key in ["requested_datetime", "updated_datetime", "expected_datetime"] {
                #expect(isW3CDateTime(item[key] as? String ?? ""), "\(key): \(item[key] ?? "nil")")
            }

            let x = try await client.get("/open311/v2/requests/\(id).xml")
            let doc = try #require(x.xml)
            #expect(doc.name == "service_requests")
            let req = try #require(doc.child("request"))
            #expect(req.childNames == Self.requestElements)
            #expect(req["description"] == text)
            #expect(req["address"] == item["address"] as? String)
            #expect(req["lat"] == "54")
            #expect(Double(req["long"] ?? "") == Open311Points.roslavl.lon)
            // Contact fields are stored but never shown.
            #expect(!x.text.contains("ivanov@example.ru") && !j.text.contains("ivanov@example.ru"))
            #expect(!x.text.contains("Иванов") && !j.text.contains("900 000"))
            let stored = try #require(try await t.store.incident(id: Int64(id)!))
            #expect(stored.reporter == ReporterContact(name: "Иван Иванов", phone: "+7 900 000-00-00", email: "ivanov@example.ru"))
            #expect(stored.source == .open311)
        }
    }

    @Test func expectedDatetimeIsReportPlusCategoryDeadline() async throws {
        let t = try await Open311TestApp()
        let reference = try Open311ServicesTests.categoriesFile()
        let deadline = try #require(reference.first { $0["code"] as? String == "waste.container_site" }?["deadline_days"] as? Int)
        try await t.test { client in
            let (id, _) = try await Self.post(client, Open311TestApp.form(code: "waste.container_site",
                                                                           extra: [("attribute[container_state]", "overflowing")]))
            let item = try #require(try await client.get("/open311/v2/requests/\(id).json").array.first)
            let f = ISO8601DateFormatter()
            let requested = try #require(f.date(from: item["requested_datetime"] as? String ?? ""))
            let expected = try #require(f.date(from: item["expected_datetime"] as? String ?? ""))
            #expect(expected.timeIntervalSince(requested) == Double(deadline) * 86_400)
            let stored = try #require(try await t.store.incident(id: Int64(id)!))
            #expect(stored.attributes["container_state"] == "overflowing")
        }
    }

    @Test func statusMapsToOpenAndClosedWithTheLatestNote() async throws {
        let t = try await Open311TestApp()
        try await t.test { client in
            var ids: [Int64] = []
            for i in 0..<4 {
                // Far apart so that no duplicate hints interfere.
                let (id, _) = try await Self.post(client, Open311TestApp.form(lat: 54.0 + Double(i) * 0.05))
                ids.append(Int64(id)!)
            }
            let now = Date()
            _ = try await t.store.changeStatus(id: ids[1], to: .inProgress, actor: "op", note: "Бригада выехала", visibility: .public, at: now)
            _ = try await t.store.changeStatus(id: ids[2], to: .resolved, actor: "op", note: "Яма заделана", visibility: .public, at: now)
            _ = try await t.store.changeStatus(id: ids[3], to: .rejected, actor: "op", note: "Частная территория", visibility: .public, at: now)
            let r = try await client.get("/open311/v2/requests.json?service_request_id=\(ids.map(String.init).joined(separator: ","))")
            let list = r.array
            #expect(list.compactMap { $0["service_request_id"] as? String } == ids.map(String.init))
            #expect(list.compactMap { $0["status"] as? String } == ["open", "open", "closed", "closed"])
            #expect(list.compactMap { $0["status_notes"] as? String } == ["", "Бригада выехала", "Яма заделана", "Частная территория"])
            let open = try await client.get("/open311/v2/requests.json?status=open").array
            #expect(Set(open.compactMap { $0["service_request_id"] as? String }) == Set(ids[0...1].map(String.init)))
            let closed = try await client.get("/open311/v2/requests.xml?status=closed").xml
            #expect(Set(closed?.children.compactMap { $0["service_request_id"] } ?? []) == Set(ids[2...3].map(String.init)))
        }
    }

    @Test func listsFilterByServiceCodeAndPage() async throws {
        let t = try await Open311TestApp()
        try await t.test { client in
            var potholes: [String] = []
            for i in 0..<5 {
                potholes.append(try await Self.post(client, Open311TestApp.form(lat: 54.0 + Double(i) * 0.01)).id)
            }
            let dump = try await Self.post(client, Open311TestApp.form(code: "waste.dump", lat: 54.3)).id
            let all = try await client.get("/open311/v2/requests.json").array
            #expect(all.count == 6)
            let onlyPotholes = try await client.get("/open311/v2/requests.json?service_code=road.pothole").array
            #expect(Set(onlyPotholes.compactMap { $0["service_request_id"] as? String }) == Set(potholes))
            let both = try await client.get("/open311/v2/requests.json?service_code=road.pothole,waste.dump").array
            #expect(both.count == 6)
            #expect(both.contains { $0["service_request_id"] as? String == dump })
            // Pages of two, newest first, cover everything once.
            var seen: [String] = []
            for page in 1...4 {
                let p = try await client.get("/open311/v2/requests.json?page_size=2&page=\(page)").array
                #expect(p.count == (page <= 3 ? 2 : 0))
                seen += p.compactMap { $0["service_request_id"] as? String }
            }
            #expect(seen == all.compactMap { $0["service_request_id"] as? String })
            #expect(Set(seen).count == 6)
            // A window before anything was reported is empty.
            let past = try await client.get("/open311/v2/requests.json?start_date=2020-01-01&end_date=2020-02-01")
            #expect(past.status == 200)
            #expect(past.text == "[]")
        }
    }

    @Test func nearbyExtensionReturnsNearestFirstWithinRadius() async throws {
        let t = try await Open311TestApp()
        try await t.test { client in
            // 0.001° of latitude is about 111 m.
            let a = try await Self.post(client, Open311TestApp.form(code: "waste.dump", lat: 54.3000, lon: 33.0)).id
            let b = try await Self.post(client, Open311TestApp.form(code: "lighting.street", lat: 54.3020, lon: 33.0)).id
            _ = try await Self.post(client, Open311TestApp.form(code: "road.pothole", lat: 54.3200, lon: 33.0)).id
            let r = try await client.get("/open311/v2/requests.json?lat=54.3025&long=33.0&radius=500")
            #expect(r.array.compactMap { $0["service_request_id"] as? String } == [b, a])
            let small = try await client.get("/open311/v2/requests.json?lat=54.3025&long=33.0&radius=100")
            #expect(small.array.compactMap { $0["service_request_id"] as? String } == [b])
        }
    }

    @Test func addressOnlyRequestIsPlacedAtTheNamedSettlement() async throws {
        let t = try await Open311TestApp()
        // The settlement points, as data/settlements.geojson gives them.
        let sosnovkaVyazma = (lat: 55.344167, lon: 34.576944)
        let rudnya = (lat: 54.947222, lon: 31.091944)
        try await t.test { client in
            let base = Open311TestApp.form().filter { $0.0 != "lat" && $0.0 != "long" }
            let (id, notice) = try await Self.post(client, base + [("address_string", "д. Сосновка, Вяземский р-н, у моста")])
            #expect(notice.contains("приблизительно"))
            let item = try #require(try await client.get("/open311/v2/requests/\(id).json").array.first)
            // Within a micrometre: the area layer's round trip through SpatiaLite may move the last binary digit.
            #expect(abs((item["lat"] as? Double ?? 0) - sosnovkaVyazma.lat) < 1e-9)
            #expect(abs((item["long"] as? Double ?? 0) - sosnovkaVyazma.lon) < 1e-9)
            let stored = try #require(try await t.store.incident(id: Int64(id)!))
            #expect(stored.approximateLocation)
            #expect(stored.settlement == "Сосновка")
            #expect(stored.district == "Вяземский район")

            let (id2, _) = try await Self.post(client, base + [("address_string", "РУДНЯ, ул. Киреева")], format: "xml")
            let x = try #require(try await client.get("/open311/v2/requests/\(id2).xml").xml?.child("request"))
            #expect(abs((Double(x["lat"] ?? "") ?? 0) - rudnya.lat) < 1e-9)
            #expect(abs((Double(x["long"] ?? "") ?? 0) - rudnya.lon) < 1e-9)
        }
    }

    @Test func duplicateNearbyIsHintedAndStillStored() async throws {
        let t = try await Open311TestApp()
        try await t.test { client in
            let (first, firstNotice) = try await Self.post(client, Open311TestApp.form(lat: 54.5, lon: 33.0))
            #expect(!firstNotice.contains("повтор"))
            // 0.0003° of latitude is about 33 m, inside the pothole radius (60 m in data/categories.json).
            let (second, notice) = try await Self.post(client, Open311TestApp.form(lat: 54.5003, lon: 33.0))
            #expect(second != first)
            #expect(notice.contains("Возможный повтор обращения \(first)"))
            do {
                let got = try await t.count
                #expect(got == 2)
            }
            let stored = try #require(try await t.store.incident(id: Int64(second)!))
            #expect(stored.attributes["duplicate_of"] == first)
            // Another category at the same place is not a duplicate; neither is a pothole 200 m away.
            let (_, other) = try await Self.post(client, Open311TestApp.form(code: "waste.dump", lat: 54.5003, lon: 33.0))
            #expect(!other.contains("повтор"))
            let (_, far) = try await Self.post(client, Open311TestApp.form(lat: 54.502, lon: 33.0))
            #expect(!far.contains("повтор"))
            // GET shows the hint too.
            let item = try #require(try await client.get("/open311/v2/requests/\(second).json").array.first)
            #expect((item["service_notice"] as? String)?.contains(first) == true)
        }
    }

    @Test func repeatAfterFixIsFlaggedAtIntake() async throws {
        let t = try await Open311TestApp()
        try await t.test { client in
            let (first, _) = try await Self.post(client, Open311TestApp.form(lat: 54.6, lon: 33.1))
            _ = try await t.store.changeStatus(id: Int64(first)!, to: .resolved, actor: "op", note: "Заделано", at: Date())
            let (second, notice) = try await Self.post(client, Open311TestApp.form(lat: 54.6002, lon: 33.1))
            #expect(notice.contains("Повтор после устранения"))
            #expect(notice.contains(first))
            #expect(!notice.contains("Возможный повтор"))
            let stored = try #require(try await t.store.incident(id: Int64(second)!))
            #expect(stored.attributes["repeat_after_fix"] == "true")
            #expect(stored.attributes["repeat_of"] == first)
        }
    }

    @Test func agencyResponsibleFollowsTheDistrictOverride() async throws {
        let t = try await Open311TestApp()
        // Reference: the override file and the taxonomy, read as plain JSON.
        let file = try JSONSerialization.jsonObject(with: Data(contentsOf: Open311TestApp.root.appendingPathComponent("data/agency-overrides.json"))) as? [String: Any]
        let rows = file?["overrides"] as? [[String: String]] ?? []
        func override(_ district: String, _ category: String) -> String? {
            rows.first { $0["district"] == district && $0["category"] == category }?["agency"]
        }
        let categories = try Open311ServicesTests.categoriesFile()
        let potholeAgency = categories.first { $0["code"] as? String == "road.pothole" }?["agency"] as? String
        let cityPothole = override("Город Смоленск", "road.pothole")
        let rudnyaLighting = override("Руднянский район", "lighting.street")
        #expect(cityPothole != nil && rudnyaLighting != nil && potholeAgency != nil)
        try await t.test { client in
            let city = try await Self.post(client, Open311TestApp.form(lat: Open311Points.smolenskCentre.lat, lon: Open311Points.smolenskCentre.lon)).id
            let rudnyaLight = try await Self.post(client, Open311TestApp.form(code: "lighting.street", lat: Open311Points.rudnya.lat, lon: Open311Points.rudnya.lon)).id
            let roslavl = try await Self.post(client, Open311TestApp.form(lat: Open311Points.roslavl.lat, lon: Open311Points.roslavl.lon)).id
            let list = try await client.get("/open311/v2/requests.json?service_request_id=\(city),\(rudnyaLight),\(roslavl)").array
            #expect(list.count == 3)
            #expect(list[0]["agency_responsible"] as? String == cityPothole)
            #expect(list[1]["agency_responsible"] as? String == rudnyaLighting)
            #expect(list[2]["agency_responsible"] as? String == potholeAgency)
        }
    }
}
