import ArgumentParser
import Foundation
import OtklikCore
import OtklikHTTP

/// `otklik keys create|list|revoke`: the API keys file beside the database, which `otklik serve` reads (and reads
/// again when it changes).
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list and revoke API keys (kept as SHA-256 digests in api-keys.json beside the database).",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Location: ParsableArguments {
        @OptionGroup var global: GlobalOptions
        @Option(help: "Keys file (env OTKLIK_API_KEYS_FILE; default api-keys.json beside the database).")
        var keysFile: String?

        var path: String { keysFile ?? global.keysFilePath }

        func read() throws -> APIKeyFile {
            do { return try APIKeyFile.readIfPresent(path) } catch { throw CLIError("\(error)") }
        }

        func write(_ file: APIKeyFile) throws {
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            do { try file.write(to: path) } catch { throw CLIError("\(error)") }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a key and print it once; only its SHA-256 is stored.",
            discussion: """
            Scopes: intake (files complaints through Open311 and POST /api/v1/incidents; reads no personal data), \
            operator (also changes statuses, writes notes and reads reporters' contacts, for the agencies named \
            with --agency, or all), admin (everything, batch POSTs included).
            """)
        @OptionGroup var location: Location
        @Option(help: "intake, operator or admin.") var role: APIRole
        @Option(help: "A name for the key, shown in the audit and `keys list`; default <role>-<n>.") var name: String?
        @Option(help: "Limit an operator key to the incidents of this agency; repeat for several.") var agency: [String] = []

        /// The agencies incidents can be routed to: the categories' own and the district overrides'. Empty when the
        /// data folder cannot be read (then nothing is checked).
        func knownAgencies() -> Set<String> {
            guard let taxonomy = try? location.global.taxonomy() else { return Set(agency) }
            var known = Set(taxonomy.categories.map(\.agency))
            if let data = try? location.global.dataFile("agency-overrides.json").data,
               let overrides = try? AgencyRouting.decode(data) {
                known.formUnion(overrides.map(\.agency))
            }
            return known
        }

        func run() async throws {
            var file = try location.read()
            let made: (name: String, key: String)
            do {
                made = try file.create(role: role, name: name, agencies: agency, now: Date())
            } catch {
                throw CLIError("\(error)")
            }
            try location.write(file)
            print(made.key)
            Keys.note("created \(role.rawValue) key '\(made.name)' in \(location.path); it is shown only this once")
            for a in agency where !knownAgencies().contains(a) {
                Keys.note("warning: no category or district routes incidents to '\(a)'; this key will work on none of them")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Names, scopes, agencies, creation and last use of the keys (never the keys).")
        @OptionGroup var location: Location

        func run() async throws {
            let file = try location.read()
            guard !file.entries.isEmpty else {
                print("no keys in \(location.path); make one with: otklik keys create --role operator")
                return
            }
            // Last use is recorded by the server in the database; a missing database just leaves it blank.
            var lastUse: [String: Date] = [:]
            let db = location.global.databasePath
            if StoreFactory.isPostGIS(db) || FileManager.default.fileExists(atPath: db) {
                do {
                    lastUse = try await location.global.openStore().keyLastUse()
                } catch {
                    Keys.note("last use unknown: \(error)")
                }
            }
            let rows = zip(file.entries, file.names).map { e, name in
                [name, e.role, e.agencies.map { $0.joined(separator: "; ") } ?? "all", e.created ?? "-",
                 lastUse[name].map(Timestamp.format) ?? "-"]
            }
            Keys.printTable(header: ["name", "scope", "agencies", "created", "last used"], rows: rows)
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a key; a running server refuses it within a second.")
        @OptionGroup var location: Location
        @Argument(help: "The key's name (see `otklik keys list`).") var name: String

        func run() async throws {
            var file = try location.read()
            guard file.revoke(name: name) else {
                throw CLIError("no key named '\(name)' in \(location.path); see `otklik keys list`")
            }
            try location.write(file)
            print("revoked '\(name)'")
        }
    }
}


extension Keys {
    static func note(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }

    /// Columns padded to their widest cell (in characters, so that Cyrillic lines up).
    static func printTable(header: [String], rows: [[String]]) {
        let widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max() ?? 0 }
        for row in [header] + rows {
            let line = zip(row, widths).map { cell, w in cell.padding(toLength: w, withPad: " ", startingAt: 0) }
            print(line.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
    }
}
