import Foundation
import Testing

/// `--help` at every level: the overview, the usage line and the options a user looks for.
@Suite struct HelpTests {
    @Test func topLevelHelpListsEverySubcommand() async throws {
        let r = try await CLI.assertExecute(["--help"])
        #expect(r.stderr.isEmpty)
        let lines = r.stdoutLines
        #expect(lines.first == "OVERVIEW: Incident mapping and hotspots for regional complaint centres.")
        #expect(lines.contains("USAGE: otklik <subcommand>"))
        let listed = Self.section("SUBCOMMANDS:", in: lines).compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(listed == ["serve", "demo", "import", "stats", "hotspots", "route", "tiles", "keys", "audit", "migrate"], "\(r)")
    }

    /// Every command with the options its documentation promises, the shared ones first.
    static let commands: [(path: [String], options: [String])] = [
        (["serve"], ["--host <host>", "--port <port>", "--api-keys <api-keys>", "--base-url <base-url>", "--max-body <max-body>"]),
        (["demo"], ["--seed <seed>", "--count <count>", "--end <end>", "--force"]),
        (["import", "incidents"], ["--format <format>", "--map-columns <map-columns>", "--category-map <category-map>",
                                   "--source <source>", "--assume-utc", "--tz-column <tz-column>", "--rejects <rejects>",
                                   "--batch-size <batch-size>"]),
        (["import", "areas"], ["--level <level>", "--name-field <name-field>"]),
        (["stats"], []),
        (["hotspots"], ["--category <category>", "--district <district>", "--since <since>", "--until <until>",
                        "--eps <eps>", "--min-points <min-points>", "--format <format>", "--limit <limit>", "--grid",
                        "--rollup <rollup>"]),
        (["route"], ["--district <district>", "--bbox <bbox>", "--points <points>", "--start <start>", "--round-trip",
                     "--open-end", "--max-stops <max-stops>", "--max-km <max-km>", "--format <format>", "--out <out>"]),
        (["tiles", "build"], ["--layer <layer>", "--minzoom <minzoom>", "--maxzoom <maxzoom>", "--bbox <bbox>", "--out <out>"]),
        (["keys", "create"], ["--role <role>", "--name <name>", "--agency <agency>"]),
        (["keys", "list"], []),
        (["keys", "revoke"], []),
        (["audit"], ["--since <since>", "--key <key>", "--format <format>"]),
        (["migrate"], ["--from <from>", "--to <to>", "--force", "--chunk-size <chunk-size>"]),
    ]

    @Test(arguments: commands.map { $0.path.joined(separator: " ") })
    func subcommandHelpShowsItsUsageAndOptions(_ command: String) async throws {
        let path = command.split(separator: " ").map(String.init)
        let options = Self.commands.first { $0.path == path }?.options ?? []
        let r = try await CLI.assertExecute(path + ["--help"])
        let lines = r.stdoutLines
        #expect(lines.first?.hasPrefix("OVERVIEW: ") == true, "\(r)")
        #expect(lines.contains { $0.hasPrefix("USAGE: otklik \(path.joined(separator: " ")) ") }, "\(r)")
        let listed = Self.section("OPTIONS:", in: lines).map { $0.trimmingCharacters(in: .whitespaces) }
        // `migrate` names its two databases with --from and --to instead of --db.
        let shared = path == ["migrate"] ? ["--data-dir <data-dir>", "--verbose"] : ["--db <db>", "--data-dir <data-dir>", "--verbose"]
        for option in shared + options + ["-h, --help"] {
            #expect(listed.contains { $0.hasPrefix(option) }, "\(path.joined(separator: " ")): \(option) missing\n\(r)")
        }
    }

    /// `otklik help X` is the same page as `otklik X --help`.
    @Test func helpSubcommandPrintsTheSamePage() async throws {
        let viaFlag = try await CLI.assertExecute(["tiles", "build", "--help"])
        try await CLI.assertExecute(["help", "tiles", "build"], stdout: viaFlag.stdout)
    }

    /// The groups list their own subcommands.
    @Test func groupsListTheirSubcommands() async throws {
        for (group, children) in [("import", ["incidents", "areas"]), ("tiles", ["build"]), ("keys", ["create", "list", "revoke"])] {
            let r = try await CLI.assertExecute([group, "--help"])
            let listed = Self.section("SUBCOMMANDS:", in: r.stdoutLines).compactMap { $0.split(separator: " ").first.map(String.init) }
            #expect(listed == children, "\(r)")
        }
    }

    /// The entries of a help section: the lines from its heading to the next blank line that start an entry.
    static func section(_ heading: String, in lines: [String]) -> [String] {
        guard let start = lines.firstIndex(of: heading) else { return [] }
        return lines[(start + 1)...].prefix { !$0.isEmpty }.filter { $0.hasPrefix("  ") && !$0.hasPrefix("    ") }
    }
}
