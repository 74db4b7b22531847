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
    @OptionGroup var readReplica: ReadReplicaOptions
    @Option(help: "Listen address (env OTKLIK_HOST).") var host: String?
    @Option(help: "Listen port (env OTKLIK_PORT).") var port: Int?
    @Option(help: "API keys file (JSON); default: api-keys.json beside the database when it exists (env OTKLIK_API_KEYS_FILE).")
    var apiKeys: String?
    @Option(help: "Public base URL for absolute links and Location headers, e.g. https://otklik.example.org; the Host header is then never used for links (env OTKLIK_BASE_URL).")
    var baseURL: String?
    @Option(help: "Without --base-url, names besides the listen address that requests may carry in Host, as a comma list of name or name:port (env OTKLIK_ALLOWED_HOSTS); other hosts get 400.")
    var allowedHosts: String?
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
    @Option(help: "Seconds before an idle keep-alive connection is closed; default 60 (env OTKLIK_IDLE_TIMEOUT).")
    var idleTimeout: Double?
    @Option(help: "Seconds a client has to send a whole request head; default 15 (env OTKLIK_HEADER_TIMEOUT).")
    var headerTimeout: Double?
    @Option(help: "Seconds a client has to send a whole request body; default 60 (env OTKLIK_BODY_TIMEOUT).")
    var bodyTimeout: Double?
    @Option(help: "Seconds a response may wait for a client that stopped reading; default 30 (env OTKLIK_WRITE_TIMEOUT).")
    var writeTimeout: Double?
    @Option(help: "Open connections at most, further ones are closed at accept; default 4096, and never more than the open-file limit allows (env OTKLIK_MAX_CONNECTIONS).")
    var maxConnections: Int?
    @Option(help: "Cold hotspot analyses computed at once, more get 503; default 2 (env OTKLIK_MAX_ANALYSES).")
    var maxAnalyses: Int?
    @Option(help: "Route plans computed at once, more get 503; default 2 (env OTKLIK_MAX_ROUTES).")
    var maxRoutes: Int?
    @Option(help: "OGC items pages of more than 1000 features sent at once, more get 503; default 4 (env OTKLIK_MAX_LARGE_PAGES).")
    var maxLargePages: Int?
    @Option(help: "Seconds after which a route plan returns its best tour so far; default 10 (env OTKLIK_ROUTE_DEADLINE).")
    var routeDeadline: Double?
    @Option(help: "Seconds a request waits for a cold hotspot analysis before it gets 503 with Retry-After (the analysis goes on and fills the cache); default 20 (env OTKLIK_ANALYSIS_DEADLINE).")
    var analysisDeadline: Double?
    @Option(help: "Most stops in a route planned without an API key; default 300 (env OTKLIK_PUBLIC_ROUTE_MAX_STOPS).")
    var publicRouteMaxStops: Int?
    @Option(help: "Hotspot analyses kept in memory; default 16 (env OTKLIK_ANALYSIS_CACHE_ENTRIES).")
    var analysisCacheEntries: Int?
    @Option(help: "Megabytes of hotspot analyses kept in memory; default 768 (env OTKLIK_ANALYSIS_CACHE_MB).")
    var analysisCacheMb: Int?
    @Option(help: "After a write, a hotspot analysis or area count whose last computation took at least this many seconds answers with that last result once a request has waited 1 s for the new one; a large value always waits for the new one; default 5 for analyses and 1 for area counts (env OTKLIK_STALE_AFTER).")
    var staleAfter: Double?

    func run() async throws {
        let logger = global.logger("otklik.http")
        let env = ProcessInfo.processInfo.environment
        let chosenDurability = try durability ?? env["OTKLIK_DURABILITY"].flatMap { $0.isEmpty ? nil : $0 }.map { v in
            guard let d = StoreDurability(rawValue: v) else { throw CLIError("OTKLIK_DURABILITY must be normal or full, not '\(v)'") }
            return d
        } ?? .full
        let replica = try readReplica.settings(database: global.databasePath, environment: env)
        var config = AppConfiguration(databasePath: global.databasePath)
        config.agencyRouting = try global.agencyRouting(taxonomy: global.taxonomy())
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
        if let allowedHosts { config.allowedHosts = AppConfiguration.hostList(allowedHosts) }
        if let problem = config.hostProblem { throw CLIError(problem) }
        if config.baseURL == nil, config.allowedHosts.isEmpty, ["0.0.0.0", "::", "[::]"].contains(config.host) {
            logger.warning("listening on all interfaces without --base-url or --allowed-hosts: only requests with Host \(config.host):\(config.port) are answered")
        }
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
        if let basemap { config.map.basemapURL = basemap }
        if let basemapAttribution { config.map.basemapAttribution = basemapAttribution }
        if let problem = config.map.problem { throw CLIError(problem) }
        try applyLimits(to: &config)
        // Every setting is checked before the store is opened: a mistyped flag costs no migration or lock.
        let store = try global.openStore(durability: chosenDurability)
        ReadReplicaOptions.attach(replica, to: store)
        if try config.loadKeys().isEmpty {
            let db = global.db.map { " --db \($0)" } ?? ""
            logger.notice("no API keys configured; make one with: otklik keys create --role operator\(db)")
        }
        let descriptors = OpenFiles.raiseLimit()
        // Leave room for the database, the log and the listening socket: past the descriptor limit accept()
        // fails and nothing (not even /healthz) gets through.
        let room = max(16, descriptors - 64)
        if config.connections.maxConnections > room {
            logger.warning("--max-connections lowered to \(room): the open-file limit is \(descriptors)")
            config.connections.maxConnections = room
        }
        let core = ApplicationServices(store: store, taxonomy: store.taxonomy, rollupTTL: config.rollupCacheSeconds)
        // What other instances and other processes write to the same database drops what it made stale here.
        let following = Task { await core.followStoreChanges() }
        defer { following.cancel() }
        try await runServer(configuration: config, core: core, logger: logger)
    }

    private func applyLimits(to config: inout AppConfiguration) throws {
        func seconds(_ v: Double?, _ flag: String) throws -> Duration? {
            guard let v else { return nil }
            guard v > 0, v.isFinite else { throw CLIError("--\(flag) must be a positive number of seconds") }
            return .milliseconds(Int64(v * 1000))
        }
        func positive(_ v: Int?, _ flag: String) throws -> Int? {
            guard let v else { return nil }
            guard v > 0 else { throw CLIError("--\(flag) must be positive") }
            return v
        }
        if let v = try seconds(idleTimeout, "idle-timeout") { config.connections.idleTimeout = v }
        if let v = try seconds(headerTimeout, "header-timeout") { config.connections.headerTimeout = v }
        if let v = try seconds(bodyTimeout, "body-timeout") { config.connections.bodyTimeout = v }
        if let v = try seconds(writeTimeout, "write-timeout") { config.connections.writeTimeout = v }
        if let v = try positive(maxConnections, "max-connections") { config.connections.maxConnections = v }
        if let v = try positive(maxAnalyses, "max-analyses") { config.maxConcurrentAnalyses = v }
        if let v = try positive(maxRoutes, "max-routes") { config.maxConcurrentRoutes = v }
        if let v = try positive(maxLargePages, "max-large-pages") { config.maxConcurrentLargePages = v }
        if let v = routeDeadline {
            guard v > 0, v.isFinite else { throw CLIError("--route-deadline must be a positive number of seconds") }
            config.routeDeadlineSeconds = v
        }
        if let v = analysisDeadline {
            guard v > 0, v.isFinite else { throw CLIError("--analysis-deadline must be a positive number of seconds") }
            config.analysisDeadlineSeconds = v
        }
        if let v = try positive(publicRouteMaxStops, "public-route-max-stops") { config.publicRouteMaxStops = v }
        if let v = try positive(analysisCacheEntries, "analysis-cache-entries") { config.analysisCacheEntries = v }
        if let v = try positive(analysisCacheMb, "analysis-cache-mb") { config.analysisCacheBytes = v << 20 }
        if let v = try seconds(staleAfter, "stale-after") { config.staleAfter = v }
    }
}

/// The process's open-file limit.
enum OpenFiles {
    /// Raises the soft limit to the hard one (as Go's runtime does at start) and returns the soft limit now in force.
    static func raiseLimit() -> Int {
        #if os(Linux)
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1_024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
        #else
        var limit = rlimit()
        guard getrlimit(RLIMIT_NOFILE, &limit) == 0 else { return 1_024 }
        return Int(clamping: limit.rlim_cur)
        #endif
    }
}
