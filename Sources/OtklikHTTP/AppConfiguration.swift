import Foundation

/// Everything `otklik serve` and the tests can set. Filled from flags and environment at the edge (the CLI);
/// the library never reads the environment itself except through `fromEnvironment`.
public struct AppConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Only reported (metrics, logs); the store is opened by the caller.
    public var databasePath: String
    /// Request bodies past this size get 413.
    public var maxBodyBytes: Int
    /// JSON keys file (see `APIKeys`).
    public var apiKeysFile: String?
    /// `key:role[:name],...`, as in `OTKLIK_API_KEYS`.
    public var apiKeysSpec: String?
    /// Absolute links (OGC `next`, `Location`) start with this, e.g. `https://otklik.example.org`.
    /// When nil they are built from the request's Host header.
    public var baseURL: String?
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

    public init(host: String = "127.0.0.1", port: Int = 8080, databasePath: String = "data/otklik.sqlite",
                maxBodyBytes: Int = 16 * 1024 * 1024, apiKeysFile: String? = nil, apiKeysSpec: String? = nil,
                baseURL: String? = nil, defaultItemsLimit: Int = 100, maxItemsLimit: Int = 10_000,
                maxFeaturesPerPost: Int = 10_000, rollupCacheSeconds: Double = 60, serverName: String = "otklik") {
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
    }

    /// Overrides from `OTKLIK_HOST`, `OTKLIK_PORT`, `OTKLIK_DB`, `OTKLIK_MAX_BODY`, `OTKLIK_API_KEYS_FILE`,
    /// `OTKLIK_API_KEYS`, `OTKLIK_BASE_URL`.
    public func overridden(by env: [String: String]) -> AppConfiguration {
        var c = self
        if let v = env["OTKLIK_HOST"], !v.isEmpty { c.host = v }
        if let v = env["OTKLIK_PORT"].flatMap(Int.init) { c.port = v }
        if let v = env["OTKLIK_DB"], !v.isEmpty { c.databasePath = v }
        if let v = env["OTKLIK_MAX_BODY"].flatMap(Int.init), v > 0 { c.maxBodyBytes = v }
        if let v = env["OTKLIK_API_KEYS_FILE"], !v.isEmpty { c.apiKeysFile = v }
        if let v = env["OTKLIK_API_KEYS"], !v.isEmpty { c.apiKeysSpec = v }
        if let v = env["OTKLIK_BASE_URL"], !v.isEmpty { c.baseURL = v }
        c.map = c.map.overridden(by: env)
        return c
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
