import ArgumentParser
import Foundation
import OtklikCore
import OtklikHTTP
import OtklikServices
import OtklikStore

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the map page, OGC API – Features, the incident API, reports, tiles, routes and Open311.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Listen address (env OTKLIK_HOST).") var host: String?
    @Option(help: "Listen port (env OTKLIK_PORT).") var port: Int?
    @Option(help: "API keys file (JSON); default: api-keys.json beside the database when it exists (env OTKLIK_API_KEYS_FILE).")
    var apiKeys: String?
    @Option(help: "Public base URL for absolute links, e.g. https://otklik.example.org (env OTKLIK_BASE_URL).") var baseURL: String?
    @Option(help: "Largest request body in bytes (env OTKLIK_MAX_BODY).") var maxBody: Int?
    @Option(help: "What a write survives: full (an OS crash or power loss loses no answered write) or normal (may lose the last commits) (env OTKLIK_DURABILITY; default full).")
    var durability: StoreDurability?
    @Option(help: "Requests per second per API key, on average; 0 turns the limit off (env OTKLIK_KEY_RATE; default 10).")
    var keyRate: Double?
    @Option(help: "Requests an API key may make at once before the rate applies (env OTKLIK_KEY_BURST; default 60).")
    var keyBurst: Int?
    @Option(help: "Map page basemap, an XYZ raster URL template such as 'https://tiles.example.org/{z}/{x}/{y}.png' (env OTKLIK_BASEMAP).")
    var basemap: String?
    @Option(help: "The basemap's attribution as its licence requires (env OTKLIK_BASEMAP_ATTRIBUTION).") var basemapAttribution: String?

    func run() async throws {
        let logger = global.logger("otklik.http")
        let env = ProcessInfo.processInfo.environment
        let chosenDurability = try durability ?? env["OTKLIK_DURABILITY"].flatMap { $0.isEmpty ? nil : $0 }.map { v in
            guard let d = StoreDurability(rawValue: v) else { throw CLIError("OTKLIK_DURABILITY must be normal or full, not '\(v)'") }
            return d
        } ?? .full
        let store = try global.openStore(durability: chosenDurability)
        var config = AppConfiguration(databasePath: global.databasePath)
        let defaultKeys = global.databaseFolder + "/api-keys.json"
        if FileManager.default.fileExists(atPath: defaultKeys) { config.apiKeysFile = defaultKeys }
        config = config.overridden(by: ProcessInfo.processInfo.environment)
        if let host { config.host = host }
        if let port {
            guard (1...65_535).contains(port) else { throw CLIError("--port must be between 1 and 65535") }
            config.port = port
        }
        if let apiKeys { config.apiKeysFile = apiKeys }
        if let baseURL { config.baseURL = baseURL }
        if let maxBody {
            guard maxBody > 0 else { throw CLIError("--max-body must be positive") }
            config.maxBodyBytes = maxBody
        }
        if let v = env["OTKLIK_KEY_RATE"], !v.isEmpty {
            guard let r = Double(v), r >= 0, r.isFinite else { throw CLIError("OTKLIK_KEY_RATE must be a number of requests per second") }
            config.keyRequestsPerSecond = r
        }
        if let v = env["OTKLIK_KEY_BURST"], !v.isEmpty {
            guard let b = Int(v), b > 0 else { throw CLIError("OTKLIK_KEY_BURST must be a positive whole number") }
            config.keyBurst = b
        }
        if let keyRate {
            guard keyRate >= 0, keyRate.isFinite else { throw CLIError("--key-rate must be 0 or more") }
            config.keyRequestsPerSecond = keyRate
        }
        if let keyBurst {
            guard keyBurst > 0 else { throw CLIError("--key-burst must be positive") }
            config.keyBurst = keyBurst
        }
        if try config.loadKeys().isEmpty {
            let db = global.db.map { " --db \($0)" } ?? ""
            logger.notice("no API keys configured; make one with: otklik keys create --role operator\(db)")
        }
        if let basemap { config.map.basemapURL = basemap }
        if let basemapAttribution { config.map.basemapAttribution = basemapAttribution }
        if let problem = config.map.problem { throw CLIError(problem) }
        let core = ApplicationServices(store: store, taxonomy: store.taxonomy, rollupTTL: config.rollupCacheSeconds)
        try await runServer(configuration: config, core: core, logger: logger)
    }
}
