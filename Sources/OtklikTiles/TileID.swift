/// A tile address in the XYZ scheme (row 0 at the north), as URLs and caches use it.
public struct TileID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var z: Int
    public var x: Int
    public var y: Int

    public init(z: Int, x: Int, y: Int) {
        self.z = z
        self.x = x
        self.y = y
    }

    /// Checks that the address exists at its zoom (0...`maxZoom`, x and y within 0..<2^z).
    public static func validated(z: Int, x: Int, y: Int, maxZoom: Int = 24) throws(TilesError) -> TileID {
        guard (0...maxZoom).contains(z) else { throw .invalidTile(z: z, x: x, y: y, reason: "zoom must be in 0...\(maxZoom)") }
        let n = 1 << z
        guard (0..<n).contains(x) else { throw .invalidTile(z: z, x: x, y: y, reason: "x must be in 0..<\(n) at zoom \(z)") }
        guard (0..<n).contains(y) else { throw .invalidTile(z: z, x: x, y: y, reason: "y must be in 0..<\(n) at zoom \(z)") }
        return TileID(z: z, x: x, y: y)
    }

    /// Reads URL path segments such as `14`, `9650`, `5199.mvt` (a `.mvt` or `.pbf` suffix on `y` is allowed).
    public static func parse(z: String, x: String, y: String, maxZoom: Int = 24) throws(TilesError) -> TileID {
        var yText = Substring(y)
        for suffix in [".mvt", ".pbf"] where yText.hasSuffix(suffix) { yText = yText.dropLast(suffix.count) }
        guard let zi = Int(z), let xi = Int(x), let yi = Int(yText) else {
            throw .invalidTile(z: Int(z) ?? -1, x: Int(x) ?? -1, y: Int(yText) ?? -1,
                               reason: "'\(z)/\(x)/\(y)' is not z/x/y with whole numbers")
        }
        return try validated(z: zi, x: xi, y: yi, maxZoom: maxZoom)
    }

    /// The row in the TMS scheme (row 0 at the south) that MBTiles stores; the flip is its own inverse.
    public var tmsY: Int { (1 << z) - 1 - y }

    public static func fromTMS(z: Int, x: Int, tmsY: Int) -> TileID { TileID(z: z, x: x, y: (1 << z) - 1 - tmsY) }

    public var parent: TileID? { z == 0 ? nil : TileID(z: z - 1, x: x >> 1, y: y >> 1) }

    public var description: String { "\(z)/\(x)/\(y)" }

    public static func < (a: TileID, b: TileID) -> Bool { (a.z, a.x, a.y) < (b.z, b.x, b.y) }
}
