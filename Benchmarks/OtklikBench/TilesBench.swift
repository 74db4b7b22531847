enum TilesBench {
    static func run(_ args: [String]) async throws {
        print("tiles: no figures yet")
    }
}
