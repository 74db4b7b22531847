import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import OtklikTestSupport
import Testing

/// The same demo in SpatiaLite and in PostGIS, served side by side: every published thing reads the same (hotspots,
/// district report, a decoded tile, a GPX route), and the same writes (a status change, an Open311 request) give the
/// same answers and leave the same records.
@Suite struct BackendParityTests {
    /// Keys whose values are the moment of the request or of a write, which two servers cannot share.
    static let momentKeys: Set<String> = ["updated_at", "updated_datetime", "requested_datetime", "at", "reported_at",
                                          "generated_at", "computed_at", "resolved_at", "expected_datetime"]

    /// A JSON answer with the server's own address and the moments of writes taken out, keys sorted.
    static func canonical(_ data: Data?, base: String, dropping: Set<String> = momentKeys) throws -> String {
        let text = String(decoding: try #require(data), as: UTF8.self).replacingOccurrences(of: base, with: "{base}")
        func strip(_ v: Any) -> Any {
            if let o = v as? [String: Any] {
                return o.filter { !dropping.contains($0.key) }.mapValues(strip)
            }
            if let a = v as? [Any] { return a.map(strip) }
            return v
        }
        let value = strip(try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]))
        return String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
    }

    /// The id of the first incident still new (which may change to in_progress).
    static func firstNewIncident(_ base: String) async throws -> Int {
        let page = await PostGISServeTests.request("\(base)/ogc/collections/incidents/items?status=new&limit=1")
        let feature = try #require((PostGISServeTests.json(page?.body)?["features"] as? [[String: Any]])?.first)
        return try #require(feature["id"] as? Int)
    }

    /// A tile decoded by the mapbox-vector-tile package: per layer, its features' ids and properties, by id.
    static func decodedTile(_ data: Data?) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("otklik-parity-\(UUID().uuidString).mvt")
        try #require(data).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = """
        import sys, json, mapbox_vector_tile as m
        t = m.decode(open(sys.argv[1], 'rb').read())
        print(json.dumps({name: sorted([[f.get('id'), f['geometry'], f['properties']] for f in layer['features']],
                                       key=lambda f: json.dumps(f, sort_keys=True))
                          for name, layer in t.items()}, sort_keys=True, ensure_ascii=False))
        """
        let r = try ExternalProcess.run(Command(Peers.require(.mapboxVectorTile), ["-c", script, file.path], stderr: .separate))
        try #require(r.succeeded, "\(r)")
        return r.output
    }

    /// The GPX without the moment it was made and the server's address.
    static func gpxWithoutMakingTime(_ data: Data?, base: String) -> String {
        let text = String(decoding: data ?? Data(), as: UTF8.self).replacingOccurrences(of: base, with: "{base}")
        return text.replacingOccurrences(of: #"<metadata>[\s\S]*?</metadata>"#, with: "<metadata/>", options: .regularExpression)
    }

    static func percent(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s }

    @Test(.postgis, .requires(.mapboxVectorTile)) func bothBackendsPublishAndWriteTheSame() async throws {
        let w = try Workspace()
        let (pg, pgArgs, pgKey) = try await PostGISServeTests.demoInBoth(w)

        let (lite, a) = try await PostGISServeTests.serve(w.global(), in: w)
        let (server, b) = try await PostGISServeTests.serve(pgArgs, in: w)
        defer { _ = lite; _ = server }
        func both(_ path: String, method: String = "GET", body: String? = nil) async -> (lite: (status: Int, body: Data, location: String?)?, pg: (status: Int, body: Data, location: String?)?) {
            (await PostGISServeTests.request(a + path, method: method, body: body, key: pgKey),
             await PostGISServeTests.request(b + path, method: method, body: body, key: pgKey))
        }

        // Hotspots: the same ids, observed and expected counts, in the same order.
        let hotspots = await both("/api/v1/reports/hotspots?format=json&all=true")
        #expect(hotspots.lite?.status == 200 && hotspots.pg?.status == 200)
        let liteHotspots = try #require(PostGISServeTests.json(hotspots.lite?.body)?["hotspots"] as? [[String: Any]])
        #expect(!liteHotspots.isEmpty)
        #expect(try Self.canonical(hotspots.pg?.body, base: b) == Self.canonical(hotspots.lite?.body, base: a))

        // The district report.
        let districts = await both("/api/v1/reports/districts?format=json")
        #expect(districts.lite?.status == 200)
        #expect(try Self.canonical(districts.pg?.body, base: b) == Self.canonical(districts.lite?.body, base: a))

        // A tile around Smolensk, decoded (the encoding order of features may differ; what they say may not).
        let tile = await both("/tiles/incidents/8/150/81.mvt")
        #expect(tile.lite?.status == 200 && tile.pg?.status == 200)
        let liteTile = try Self.decodedTile(tile.lite?.body)
        #expect(liteTile.contains("road."), "the tile holds incidents: \(liteTile.prefix(300))")
        #expect(try Self.decodedTile(tile.pg?.body) == liteTile)

        // A GPX route over the city's potholes, from a fixed departure.
        let route = "/api/v1/routes?district=\(Self.percent("Город Смоленск"))&targets=incidents&start=32.04,54.78&max_stops=12&depart=2025-06-30T08:00%2B03:00&format=gpx"
        let gpx = await both(route)
        #expect(gpx.lite?.status == 200, "\(String(decoding: gpx.lite?.body ?? Data(), as: UTF8.self).prefix(300))")
        #expect(gpx.pg?.status == 200)
        let liteGPX = Self.gpxWithoutMakingTime(gpx.lite?.body, base: a)
        #expect(liteGPX.contains("<rtept"))
        #expect(Self.gpxWithoutMakingTime(gpx.pg?.body, base: b) == Self.gpxWithoutMakingTime(gpx.lite?.body, base: a))

        // A status change with a public note: the same answer, the same event recorded.
        let id = try await Self.firstNewIncident(a)
        #expect(try await Self.firstNewIncident(b) == id)
        let patch = await both("/api/v1/incidents/\(id)", method: "PATCH", body: #"{"status":"in_progress","note":"Бригада выехала","visibility":"public"}"#)
        #expect(patch.lite?.status == 200 && patch.pg?.status == 200, "\(String(decoding: patch.pg?.body ?? Data(), as: UTF8.self))")
        #expect(try Self.canonical(patch.pg?.body, base: b) == Self.canonical(patch.lite?.body, base: a))
        let read = await both("/api/v1/incidents/\(id)")
        let pgRead = String(decoding: read.pg?.body ?? Data(), as: UTF8.self)
        #expect(pgRead.contains("Бригада выехала"))
        #expect(try Self.canonical(read.pg?.body, base: b) == Self.canonical(read.lite?.body, base: a))
        let bad = await both("/api/v1/incidents/\(id)", method: "PATCH", body: #"{"status":"new"}"#)
        #expect(bad.lite?.status == 409 && bad.pg?.status == 409)
        #expect(try Self.canonical(bad.pg?.body, base: b) == Self.canonical(bad.lite?.body, base: a))

        // Open311: a request filed with a form, then read back by its id and in the list.
        let form = [("api_key", pgKey), ("service_code", "road.pothole"), ("lat", "54.7801"), ("long", "32.0452"),
                    ("description", "Глубокая яма у остановки"), ("email", "ivanov@example.ru"), ("first_name", "Иван"),
                    ("last_name", "Иванов")].map { "\(Self.percent($0.0))=\(Self.percent($0.1))" }.joined(separator: "&")
        var posted: [String] = []
        for base in [a, b] {
            var r = URLRequest(url: URL(string: "\(base)/open311/v2/requests.json")!)
            r.httpMethod = "POST"
            r.httpBody = Data(form.utf8)
            r.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            let (body, response) = try await URLSession.shared.data(for: r)
            #expect((response as? HTTPURLResponse)?.statusCode == 201 || (response as? HTTPURLResponse)?.statusCode == 200,
                    "\(String(decoding: body, as: UTF8.self))")
            posted.append(try Self.canonical(body, base: base))
        }
        #expect(posted[0] == posted[1])
        let requestID = try #require((try? JSONSerialization.jsonObject(with: Data(posted[0].utf8)) as? [[String: Any]])?.first?["service_request_id"])
        let one = await both("/open311/v2/requests/\(requestID).json")
        #expect(one.lite?.status == 200 && one.pg?.status == 200)
        #expect(try Self.canonical(one.pg?.body, base: b) == Self.canonical(one.lite?.body, base: a))
        let list = await both("/open311/v2/requests.json?start_date=2025-01-01T00:00:00Z&end_date=2025-03-31T00:00:00Z")
        #expect(list.lite?.status == 200)
        let listed = (try? JSONSerialization.jsonObject(with: list.lite?.body ?? Data()) as? [Any])?.count ?? 0
        #expect(listed > 0, "the window holds requests")
        #expect(try Self.canonical(list.pg?.body, base: b) == Self.canonical(list.lite?.body, base: a))

        #expect(await server.stop(grace: .seconds(20)).succeeded)
        #expect(await lite.stop(grace: .seconds(20)).succeeded)

        // The key's last use, recorded by the PostGIS server, is listed from the PostGIS database.
        let keys = try await w.run(["keys", "list"] + pgArgs)
        let line = try #require(keys.stdoutLines.first { $0.hasPrefix("demo-operator") }, "\(keys)")
        #expect(line.hasSuffix("Z") && !line.hasSuffix(" -"), "\(keys)")
        #expect(!keys.stderr.contains("last use unknown"), "\(keys)")

        // A demo into a PostGIS database that holds rows is refused, as into an existing file; --force rebuilds it.
        let demoArgs = ["demo"] + pgArgs + ["--count", "300", "--seed", "1", "--end", "2025-06-30"]
        let refused = try await w.run(demoArgs)
        #expect(refused.status == 1 && refused.stderrLines == ["Error: \(pg) already holds data; pass --force to rebuild it"], "\(refused)")
        #expect(try await w.run(demoArgs + ["--force"]).status == 0)
        #expect(try await w.run(["stats"] + pgArgs).stdoutLines.first == "incidents: 300")
    }
}
