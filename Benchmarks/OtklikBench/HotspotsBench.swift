enum HotspotsBench {
    static func run(_ args: [String]) async throws {
        print("hotspots: no figures yet")
    }
}
