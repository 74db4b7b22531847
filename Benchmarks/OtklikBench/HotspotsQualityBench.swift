import Foundation
import OtklikCore
import OtklikDemo
import OtklikHotspots
import OtklikServices

/// `otklik-bench hotspots-quality [--settlements FILE] [--regions "A;B;C"] [--seeds 1,2,3] [--background N]
/// [--planted K] [--data DIR]`: how well the engine finds planted hotspots in synthetic regions built from real
/// settlements (`SyntheticRegion`), through the same analysis as `otklik hotspots` (`HotspotService`, default
/// configuration, the significant list). Prints a Markdown table (recall, precision@K, `recurring` accuracy,
/// the rank of every planted hotspot) and a JSON line per run.
enum HotspotsQualityBench {
    static let defaultRegions = ["Тверская область", "Ярославская область", "Курская область"]

    static func run(_ args: [String]) throws {
        func value(_ name: String) -> String? { args.firstIndex(of: name).flatMap { $0 + 1 < args.count ? args[$0 + 1] : nil } }
        let file = value("--settlements") ?? "../shared/data/boundaries/russia_settlements.csv.gz"
        let regions = value("--regions").map { $0.split(separator: ";").map(String.init) } ?? defaultRegions
        let seeds = (value("--seeds") ?? "1,2,3").split(separator: ",").compactMap { UInt64($0) }
        let background = Int(value("--background") ?? "") ?? 40_000
        let plantedCount = Int(value("--planted") ?? "") ?? 10
        let taxonomy = try Taxonomy.decode(Data(contentsOf: URL(fileURLWithPath: (value("--data") ?? "data") + "/categories.json")))
        let text = try readText(file)
        let end = Date(timeIntervalSince1970: 1_793_491_200)

        print("| region | seed | settlements | complaints | significant | recall | precision@K | recurring right | ranks of the planted | seconds |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        var json: [String] = []
        var worst = (recall: 1.0, precision: 1.0, recurring: 1.0)
        for region in regions {
            let settlements = try SettlementPoint.parse(csv: text, region: region)
            guard !settlements.isEmpty else { throw HotspotsBench.BenchError.usage("no settlement of '\(region)' in \(file)") }
            for seed in seeds {
                let out = try SyntheticRegion(settlements: settlements, seed: seed, background: background,
                                              planted: plantedCount, end: end, taxonomy: taxonomy).generate()
                let clock = ContinuousClock()
                let t0 = clock.now
                let analysis = try HotspotService.analyse(incidents: out.incidents, taxonomy: taxonomy, now: end)
                let seconds = HotspotsBench.seconds(clock.now - t0)
                let list = Array(analysis.report.listed())
                let q = HotspotQuality(list: list, truth: out.planted.map {
                    HotspotQuality.Truth(key: $0.key, category: $0.category, memberIDs: Set($0.memberIDs), recurring: $0.recurring)
                })
                worst = (min(worst.recall, q.recall), min(worst.precision, q.precisionAtK), min(worst.recurring, q.recurringAccuracy))
                let ranks = q.ranks.map { $0.map(String.init) ?? "—" }.joined(separator: " ")
                print("| \(region) | \(seed) | \(settlements.count) | \(out.incidents.count) | \(list.count) | "
                      + "\(pct(q.recall)) | \(String(format: "%.2f", q.precisionAtK)) | \(pct(q.recurringAccuracy)) | \(ranks) | "
                      + "\(String(format: "%.2f", seconds)) |")
                json.append("{\"suite\":\"hotspots-quality\",\"region\":\"\(region)\",\"seed\":\(seed),\"complaints\":\(out.incidents.count),"
                            + "\"recall\":\(q.recall),\"precision_at_k\":\(q.precisionAtK),\"recurring_accuracy\":\(q.recurringAccuracy),"
                            + "\"ranks\":[\(q.ranks.map { $0.map(String.init) ?? "null" }.joined(separator: ","))]}")
            }
        }
        print()
        print("Worst run: recall \(pct(worst.recall)), precision@K \(String(format: "%.2f", worst.precision)), "
              + "recurring right \(pct(worst.recurring)) (targets: 100 %, ≥ 0.90, ≥ 90 %). Planted per region: "
              + "\(plantedCount); background: \(background) complaints.")
        for line in json { print(line) }
    }

    static func pct(_ x: Double) -> String { String(format: "%.0f %%", x * 100) }

    /// The file's text; gzip-compressed files are read through `gzip -dc`.
    static func readText(_ path: String) throws -> String {
        guard path.hasSuffix(".gz") else { return try String(contentsOfFile: path, encoding: .utf8) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["gzip", "-dc", path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw HotspotsBench.BenchError.usage("gzip -dc \(path) failed") }
        return String(decoding: data, as: UTF8.self)
    }
}
