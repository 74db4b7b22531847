import ArgumentParser
import Foundation
import OtklikCore
import OtklikHTTP
import OtklikServices

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
    @Option(help: "Map page basemap, an XYZ raster URL template such as 'https://tiles.example.org/{z}/{x}/{y}.png' (env OTKLIK_BASEMAP).")
    var basemap: String?
    @Option(help: "The basemap's attribution as its licence requires (env OTKLIK_BASEMAP_ATTRIBUTION).") var basemapAttribution: String?

    func run() async throws {
        let logger = global.logger("otklik.http")
        let store = try global.openStore()
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
        if let basemap { config.map.basemapURL = basemap }
        if let basemapAttribution { config.map.basemapAttribution = basemapAttribution }
        if let problem = config.map.problem { throw CLIError(problem) }
        let core = ApplicationServices(store: store, taxonomy: store.taxonomy, rollupTTL: config.rollupCacheSeconds)
        try await runServer(configuration: config, core: core, logger: logger)
    }
}
