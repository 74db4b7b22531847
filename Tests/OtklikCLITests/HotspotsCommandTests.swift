import Foundation
import OtklikTestSupport
import Testing

/// `otklik hotspots` in its four formats over one demo database: each well formed, and all four telling the
/// same list (the same ids in the same order, the same counts).
@Suite struct HotspotsCommandTests {
    struct Formats {
        var csv: [[String]]
        var json: [String: Any]
        var geojson: [String: Any]
        var table: [String]
    }

    static func formats(_ w: Workspace, _ extra: [String] = []) async throws -> Formats {
        var out: [String: CLIResult] = [:]
        for format in ["csv", "json", "geojson", "table"] {
            let r = try await w.run(["hotspots"] + w.global() + ["--format", format] + extra)
            try #require(r.status == 0, "\(r)")
            out[format] = r
        }
        return Formats(csv: parseCSV(out["csv"]!.stdout),
                       json: try #require(try parseJSON(out["json"]!.stdout) as? [String: Any]),
                       geojson: try #require(try parseJSON(out["geojson"]!.stdout) as? [String: Any]),
                       table: out["table"]!.stdoutLines)
    }

    @Test func everyFormatListsTheSameHotspots() async throws {
        let w = try Workspace()
        try await w.demo()
        let f = try await Self.formats(w)

        // JSON: the hotspots with the per-category summary and the number of complaints analysed.
        let hotspots = try #require(f.json["hotspots"] as? [[String: Any]])
        let categories = try #require(f.json["categories"] as? [[String: Any]])
        let complaints = try #require(f.json["complaints"] as? Int)
        #expect(!hotspots.isEmpty, "2,000 demo incidents hold planted hotspots")
        #expect(categories.compactMap { $0["hotspots"] as? Int }.reduce(0, +) == hotspots.count)
        #expect(complaints > 0 && complaints <= 2000)
        let ids = hotspots.compactMap { $0["id"] as? String }
        #expect(ids.count == hotspots.count && Set(ids).count == ids.count, "ids are present and unique")
        #expect(hotspots.compactMap { $0["rank"] as? Int } == Array(1...hotspots.count))

        // GeoJSON: one feature per hotspot, its id on the feature and in its properties, the same properties as JSON
        // (but for the score's recency, which the clock moves between the two runs).
        #expect(f.geojson["type"] as? String == "FeatureCollection")
        let features = try #require(f.geojson["features"] as? [[String: Any]])
        #expect(features.count == hotspots.count)
        #expect(features.compactMap { $0["id"] as? String } == ids)
        for (feature, row) in zip(features, hotspots) {
            let properties = try #require(feature["properties"] as? [String: Any])
            #expect(try Self.canonical(Self.timeless(properties)) == Self.canonical(Self.timeless(row)))
            let type = (feature["geometry"] as? [String: Any])?["type"] as? String
            #expect(type == "Polygon" || type == "Point")
        }

        // CSV: a header, then one row of as many fields per hotspot, in the same order with the same counts.
        let header = try #require(f.csv.first)
        #expect(Array(header.prefix(3)) == ["rank", "id", "category"], "\(header)")
        let rows = f.csv.dropFirst()
        #expect(rows.count == hotspots.count)
        #expect(rows.allSatisfy { $0.count == header.count })
        let column = Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0) })
        #expect(rows.map { $0[column["id"]!] } == ids)
        #expect(rows.map { Int($0[column["complaints"]!]) } == hotspots.map { $0["complaints"] as? Int })
        #expect(rows.map { $0[column["settlement"]!] } == hotspots.map { $0["settlement"] as? String ?? "" })

        // Table: a header, a rule, a line per hotspot, and the closing summary.
        #expect(f.table.first?.split(separator: " ").first == "#")
        #expect(f.table.dropFirst().first?.allSatisfy { $0 == "-" || $0 == " " } == true)
        let recurring = hotspots.filter { $0["recurring"] as? Bool == true }.count
        let summary = "\(hotspots.count) hotspots, \(recurring) recurring, from \(Self.formatted(complaints)) complaints ("
        #expect(f.table.contains { $0.hasPrefix(summary) }, "\(f.table.suffix(3))")
        let ranks: [String] = f.table.dropFirst(2).prefix { !$0.isEmpty }.map {
            String($0.drop { $0 == " " }.prefix { $0 != " " })
        }
        let expectedRanks: [String] = (1...hotspots.count).map { String($0) }
        #expect(ranks == expectedRanks)
    }

    @Test func limitKeepsTheTopOfTheSameList() async throws {
        let w = try Workspace()
        try await w.demo()
        let all = try await Self.formats(w)
        let top = try await Self.formats(w, ["--limit", "2"])
        let allIDs = (all.json["hotspots"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        let topIDs = (top.json["hotspots"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(allIDs.count > 2)
        #expect(topIDs == Array(allIDs.prefix(2)))
        #expect(top.csv.count == 3)
        #expect((top.geojson["features"] as? [Any])?.count == 2)
    }

    /// With a wide radius (400 m) the 2,000-complaint demo has clusters in towns that the background explains:
    /// the list leaves them out and says so; `--all` adds them after the significant ones, marked.
    @Test func allAddsTheClustersThatAreNotSignificant() async throws {
        let w = try Workspace()
        try await w.demo()
        let base = ["hotspots"] + w.global() + ["--eps", "400"]
        let shown = try await w.run(base + ["--format", "json"])
        let all = try await w.run(base + ["--format", "json", "--all"])
        #expect(shown.status == 0 && all.status == 0, "\(shown) \(all)")
        let listed = try #require(try parseJSON(shown.stdout) as? [String: Any])["hotspots"] as? [[String: Any]] ?? []
        let every = try #require(try parseJSON(all.stdout) as? [String: Any])["hotspots"] as? [[String: Any]] ?? []
        #expect(!listed.isEmpty && listed.allSatisfy { $0["significant"] as? Bool == true })
        let hidden = every.count - listed.count
        #expect(hidden > 0)
        #expect(every.prefix(listed.count).compactMap { $0["id"] as? String } == listed.compactMap { $0["id"] as? String })
        #expect(every.dropFirst(listed.count).allSatisfy { $0["significant"] as? Bool == false })
        #expect(every.compactMap { $0["rank"] as? Int } == Array(1...every.count))

        let table = try await w.run(base)
        #expect(table.status == 0)
        #expect(table.stdoutLines.contains("\(hidden) clusters not significant (q > 0.05) not shown; --all lists them"), "\(table.stdoutLines.suffix(3))")
        let marked = try await w.run(base + ["--all"])
        // The table marks a q that does not pass with "~".
        #expect(marked.stdoutLines.filter { $0.contains(" ~") }.count == hidden)
    }

    @Test func categoryFilterKeepsOnlyThatCategory() async throws {
        let w = try Workspace()
        try await w.demo()
        let r = try await w.run(["hotspots"] + w.global() + ["--format", "json", "--category", "road.pothole"])
        #expect(r.status == 0, "\(r)")
        let doc = try #require(try parseJSON(r.stdout) as? [String: Any])
        let hotspots = try #require(doc["hotspots"] as? [[String: Any]])
        #expect(!hotspots.isEmpty)
        #expect(hotspots.allSatisfy { $0["category"] as? String == "road.pothole" })
        try await CLI.assertFailure(["hotspots"] + w.global() + ["--category", "road.nothing"], in: w.url,
                                    message: try #require(Self.unknownCategoryMessage()))
    }

    /// The message names the known categories, which categories.json lists.
    static func unknownCategoryMessage() throws -> String? {
        let data = try Data(contentsOf: TestPackage.data.appendingPathComponent("categories.json"))
        let doc = try JSONSerialization.jsonObject(with: data)
        let list = (doc as? [[String: Any]]) ?? ((doc as? [String: Any])?["categories"] as? [[String: Any]]) ?? []
        let codes = list.compactMap { $0["code"] as? String }
        return codes.isEmpty ? nil : "unknown category 'road.nothing'; known: \(codes.joined(separator: ", "))"
    }

    @Test func badFormatIsAUsageError() async throws {
        let w = try Workspace()
        try await w.demo(count: 50)
        try await CLI.assertUsageError(["hotspots"] + w.global() + ["--format", "xml"], in: w.url,
                                       message: "--format must be table, csv, json or geojson, not 'xml'",
                                       help: "otklik hotspots --help")
    }

    /// Hotspot properties less those that depend on when the analysis ran (the score through its recency).
    static func timeless(_ properties: [String: Any]) -> [String: Any] {
        var p = properties
        p["score"] = nil
        if var components = p["score_components"] as? [String: Any] {
            components["recency"] = nil
            p["score_components"] = components
        }
        return p
    }

    /// One text per JSON value, whatever the order of its keys.
    static func canonical(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }

    static func formatted(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (i, c) in s.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }
}
