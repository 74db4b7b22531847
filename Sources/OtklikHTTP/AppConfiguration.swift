import Foundation
public import OtklikCore

/// Everything `otklik serve` and the tests can set. Filled from flags and environment at the edge (the CLI);
/// the library never reads the environment itself except through `fromEnvironment`.
public struct AppConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Only reported (metrics, logs); the store is opened by the caller.
    public var databasePath: String
    /// The agency routing the store files new incidents by; Open311 answers with the same one. When nil,
    /// Open311 reads `data/agency-overrides.json` or, without it, the copy built into the binary.
    public var agencyRouting: AgencyRouting?
    /// Request bodies past this size get 413.
    public var maxBodyBytes: Int
    /// JSON keys file (see `APIKeys`).
    public var apiKeysFile: String?
    /// `key:role[:name],...`, as in `OTKLIK_API_KEYS`.
    public var apiKeysSpec: String?
    /// Absolute links (OGC `next`, `Location`) start with this, e.g. `https://otklik.example.org`.
    /// When nil they are built from the request's Host header, which must then be the listen address (or a
    /// loopback name when listening on loopback) or one of `allowedHosts`; any other Host is refused (400).
    public var baseURL: String?
    /// Further names (`name` or `name:port`) the server answers when `baseURL` is not set, e.g. the name a
    /// reverse proxy forwards. A name without a port matches any port.
    public var allowedHosts: [String] = []
    /// OGC items page size: default and maximum (larger requests are clamped to the maximum).
    public var defaultItemsLimit: Int
    public var maxItemsLimit: Int
    /// Most features one POST may carry.
    public var maxFeaturesPerPost: Int
    /// How long area roll-ups (districts/settlements statistics) are reused before recomputing.
    public var rollupCacheSeconds: Double
    public var serverName: String
    /// The map page's basemap (see `MapSettings`).
    public var map = MapSettings()
    /// Timeouts and the connection cap (see `ConnectionLimits` for what each bounds).
    public var connections: ConnectionLimits
    /// Cold hotspot analyses and route plans computed at once; one more is refused with 503 and `Retry-After`.
    public var maxConcurrentAnalyses: Int
    public var maxConcurrentRoutes: Int
    /// What 503s for heavy work say in `Retry-After`.
    public var busyRetryAfterSeconds: Int
    /// A route plan stops improving after this long and returns the best tour it has.
    public var routeDeadlineSeconds: Double
    /// How long a request waits for a cold hotspot analysis; past it the request gets 503 with `Retry-After`
    /// while the analysis runs on and fills the cache for the retry.
    public var analysisDeadlineSeconds: Double = 20
    /// OGC items pages of more than 1,000 features sent at once; one more is refused with 503 and `Retry-After`
    /// (see `PageGate`).
    public var maxConcurrentLargePages: Int = 4
    /// Ceilings for route requests without an API key: stops in the tour, and candidates considered (the most
    /// valuable ones are kept).
    public var publicRouteMaxStops: Int
    public var publicRouteMaxCandidates: Int
    /// Hotspot analyses kept in memory, and their approximate total size.
    public var analysisCacheEntries: Int
    public var analysisCacheBytes: Int
    /// After a write, a hotspot analysis or area count whose last computation took at least this long answers
    /// with that last result once a request has waited a second for the new one. Nil keeps each one's default
    /// (5 s for analyses, 1 s for area counts).
    public var staleAfter: Duration?

    public init(host: String = "127.0.0.1", port: Int = 8080, databasePath: String = "data/otklik.sqlite",
                maxBodyBytes: Int = 16 * 1024 * 1024, apiKeysFile: String? = nil, apiKeysSpec: String? = nil,
                baseURL: String? = nil, defaultItemsLimit: Int = 100, maxItemsLimit: Int = 10_000,
                maxFeaturesPerPost: Int = 10_000, rollupCacheSeconds: Double = 60, serverName: String = "otklik",
                connections: ConnectionLimits = ConnectionLimits(), maxConcurrentAnalyses: Int = 2,
                maxConcurrentRoutes: Int = 2, busyRetryAfterSeconds: Int = 5, routeDeadlineSeconds: Double = 10,
                publicRouteMaxStops: Int = 300, publicRouteMaxCandidates: Int = 1_000, analysisCacheEntries: Int = 16,
                analysisCacheBytes: Int = 768 << 20) {
        self.host = host
        self.port = port
        self.databasePath = databasePath
        self.maxBodyBytes = maxBodyBytes
        self.apiKeysFile = apiKeysFile
        self.apiKeysSpec = apiKeysSpec
        self.baseURL = baseURL
        self.defaultItemsLimit = defaultItemsLimit
        self.maxItemsLimit = maxItemsLimit
        self.maxFeaturesPerPost = maxFeaturesPerPost
        self.rollupCacheSeconds = rollupCacheSeconds
        self.serverName = serverName
        self.connections = connections
        self.maxConcurrentAnalyses = maxConcurrentAnalyses
        self.maxConcurrentRoutes = maxConcurrentRoutes
        self.busyRetryAfterSeconds = busyRetryAfterSeconds
        self.routeDeadlineSeconds = routeDeadlineSeconds
        self.publicRouteMaxStops = publicRouteMaxStops
        self.publicRouteMaxCandidates = publicRouteMaxCandidates
        self.analysisCacheEntries = analysisCacheEntries
        self.analysisCacheBytes = analysisCacheBytes
    }

    /// Overrides from `OTKLIK_HOST`, `OTKLIK_PORT`, `OTKLIK_DB`, `OTKLIK_MAX_BODY`, `OTKLIK_API_KEYS_FILE`,
    /// `OTKLIK_API_KEYS`, `OTKLIK_BASE_URL`, `OTKLIK_ALLOWED_HOSTS` (a comma list); the limits from `OTKLIK_IDLE_TIMEOUT`, `OTKLIK_HEADER_TIMEOUT`,
    /// `OTKLIK_BODY_TIMEOUT`, `OTKLIK_WRITE_TIMEOUT` (seconds), `OTKLIK_MAX_CONNECTIONS`, `OTKLIK_MAX_ANALYSES`,
    /// `OTKLIK_MAX_ROUTES`, `OTKLIK_MAX_LARGE_PAGES`, `OTKLIK_ROUTE_DEADLINE`, `OTKLIK_ANALYSIS_DEADLINE` (seconds), `OTKLIK_PUBLIC_ROUTE_MAX_STOPS`,
    /// `OTKLIK_ANALYSIS_CACHE_ENTRIES`, `OTKLIK_ANALYSIS_CACHE_MB`, `OTKLIK_STALE_AFTER` (seconds). Values that are not positive numbers are ignored.
    public func overridden(by env: [String: String]) -> AppConfiguration {
        var c = self
        if let v = env["OTKLIK_HOST"], !v.isEmpty { c.host = v }
        if let v = env["OTKLIK_PORT"].flatMap(Int.init) { c.port = v }
        if let v = env["OTKLIK_DB"], !v.isEmpty { c.databasePath = v }
        if let v = env["OTKLIK_MAX_BODY"].flatMap(Int.init), v > 0 { c.maxBodyBytes = v }
        if let v = env["OTKLIK_API_KEYS_FILE"], !v.isEmpty { c.apiKeysFile = v }
        if let v = env["OTKLIK_API_KEYS"], !v.isEmpty { c.apiKeysSpec = v }
        if let v = env["OTKLIK_BASE_URL"], !v.isEmpty { c.baseURL = v }
        if let v = env["OTKLIK_ALLOWED_HOSTS"], !v.isEmpty { c.allowedHosts = Self.hostList(v) }
        c.map = c.map.overridden(by: env)
        func seconds(_ name: String) -> Duration? {
            env[name].flatMap(Double.init).flatMap { $0 > 0 && $0.isFinite ? Duration.milliseconds(Int64($0 * 1000)) : nil }
        }
        func count(_ name: String) -> Int? { env[name].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil } }
        if let v = seconds("OTKLIK_IDLE_TIMEOUT") { c.connections.idleTimeout = v }
        if let v = seconds("OTKLIK_HEADER_TIMEOUT") { c.connections.headerTimeout = v }
        if let v = seconds("OTKLIK_BODY_TIMEOUT") { c.connections.bodyTimeout = v }
        if let v = seconds("OTKLIK_WRITE_TIMEOUT") { c.connections.writeTimeout = v }
        if let v = count("OTKLIK_MAX_CONNECTIONS") { c.connections.maxConnections = v }
        if let v = count("OTKLIK_MAX_ANALYSES") { c.maxConcurrentAnalyses = v }
        if let v = count("OTKLIK_MAX_ROUTES") { c.maxConcurrentRoutes = v }
        if let v = env["OTKLIK_ROUTE_DEADLINE"].flatMap(Double.init), v > 0 { c.routeDeadlineSeconds = v }
        if let v = env["OTKLIK_ANALYSIS_DEADLINE"].flatMap(Double.init), v > 0, v.isFinite { c.analysisDeadlineSeconds = v }
        if let v = count("OTKLIK_MAX_LARGE_PAGES") { c.maxConcurrentLargePages = v }
        if let v = count("OTKLIK_PUBLIC_ROUTE_MAX_STOPS") { c.publicRouteMaxStops = v }
        if let v = count("OTKLIK_ANALYSIS_CACHE_ENTRIES") { c.analysisCacheEntries = v }
        if let v = count("OTKLIK_ANALYSIS_CACHE_MB") { c.analysisCacheBytes = v << 20 }
        if let v = seconds("OTKLIK_STALE_AFTER") { c.staleAfter = v }
        return c
    }

    /// `a, b:8080` as a list of names.
    public static func hostList(_ s: String) -> [String] {
        s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// What is wrong with `baseURL` or `allowedHosts`, nil when both are usable.
    public var hostProblem: String? {
        if let b = baseURL, let p = HostPolicy.problem(withBaseURL: b) { return p }
        return HostPolicy.problem(withAllowedHosts: allowedHosts)
    }

    /// The configured keys: file first, then the environment spec (which wins on a clash).
    public func loadKeys() throws -> APIKeys {
        var keys = APIKeys()
        if let f = apiKeysFile { keys = try APIKeys.load(file: f) }
        if let s = apiKeysSpec { keys = keys.merging(try APIKeys.parseEnvironment(s)) }
        return keys
    }

    /// Requests per second each API key may make, on average, and how many it may make at once (token bucket);
    /// past that the key gets 429 with `Retry-After`. A rate of 0 turns the limit off.
    public var keyRequestsPerSecond: Double = 10
    public var keyBurst: Int = 60
}

extension AppConfiguration {
    /// `databasePath` for a log line: a database URL's password is replaced by `***`.
    public var databaseForLog: String {
        guard databasePath.contains("://"), var parts = URLComponents(string: databasePath), parts.password != nil else {
            return databasePath
        }
        parts.password = "***"
        return parts.string ?? databasePath
    }
}
