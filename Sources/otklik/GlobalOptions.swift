import ArgumentParser
import Foundation
import Logging
import OtklikCore
import OtklikStore

/// Options every command shares. Flags win over the environment, which wins over the defaults.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Database: a SpatiaLite file, or postgresql://user@host:port/dbname for PostGIS (env OTKLIK_DB; default data/otklik.sqlite).")
    var db: String?

    @Option(name: .long, help: "Folder whose categories.json, agency-overrides.json, districts.geojson and settlements.geojson replace the copies built into otklik (env OTKLIK_DATA; default data, when it exists).")
    var dataDir: String?

    @Flag(name: .long, help: "Log debug detail.")
    var verbose = false

    var databasePath: String { db ?? ProcessInfo.processInfo.environment["OTKLIK_DB"] ?? "data/otklik.sqlite" }
    /// The folder holding the database; the demo's ground truth and API keys file sit beside it. For a PostGIS
    /// database, the folder the command runs in.
    var databaseFolder: String {
        if StoreFactory.isPostGIS(databasePath) { return "." }
        let dir = (databasePath as NSString).deletingLastPathComponent
        return dir.isEmpty ? "." : dir
    }
    var dataPath: String { dataDir ?? ProcessInfo.processInfo.environment["OTKLIK_DATA"] ?? "data" }

    func logger(_ label: String = "otklik") -> Logger {
        var l = Logger(label: label)
        l.logLevel = verbose ? .debug : .info
        return l
    }

    func taxonomy() throws -> Taxonomy {
        let (data, origin) = try dataFile("categories.json")
        do { return try Taxonomy.decode(data) } catch { throw CLIError("\(origin): \(error)") }
    }

    /// The API keys file `otklik serve` reads by default and `otklik keys` writes (env OTKLIK_API_KEYS_FILE).
    var keysFilePath: String {
        if let f = ProcessInfo.processInfo.environment["OTKLIK_API_KEYS_FILE"], !f.isEmpty { return f }
        return databaseFolder + "/api-keys.json"
    }

    /// The agency overrides of the data folder, or the copy built into otklik.
    func agencyRouting(taxonomy: Taxonomy) throws -> AgencyRouting {
        let (data, origin) = try dataFile("agency-overrides.json")
        do {
            return AgencyRouting(taxonomy: taxonomy, overrides: try AgencyRouting.decode(data))
        } catch {
            throw CLIError("\(origin): \(error)")
        }
    }

    func openStore(mustExist: Bool = true, durability: StoreDurability = .full) throws -> any StoreBackend {
        let taxonomy = try taxonomy()
        let routing = try agencyRouting(taxonomy: taxonomy)
        return try StoreFactory.open(databasePath, taxonomy: taxonomy, routing: routing, logger: logger("otklik.store"),
                                     mustExist: mustExist, durability: durability)
    }
}

/// A user-facing failure: one line, no stack trace.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A value the command cannot use (a departure time it cannot read): exit code 2 and one line on stderr, like an
/// unknown place, without the usage text.
func unusableValue(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
    return ExitCode(2)
}

/// A name that is well formed but names nothing stored (an unknown district): exit code 2, so that a script tells
/// "no such place" from a failure (1) and from bad usage (64); one line on stderr, like every failure.
func notFound(_ message: String) -> ExitCode { unusableValue(message) }
