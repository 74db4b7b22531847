/// Errors of the MBTiles writer and reader, carrying SQLite's message where there is one.
public enum MBTilesError: Error, Sendable, CustomStringConvertible {
    case open(path: String, message: String)
    case sqlite(operation: String, message: String)
    case notGzip(z: Int, x: Int, y: Int)
    case invalidTile(z: Int, x: Int, y: Int)
    case finished(path: String)

    public var description: String {
        switch self {
        case .open(let path, let message): return "cannot open MBTiles file \(path): \(message)"
        case .sqlite(let op, let message): return "MBTiles \(op) failed: \(message)"
        case .notGzip(let z, let x, let y): return "tile \(z)/\(x)/\(y) is not gzip-compressed (MBTiles pbf tiles must be)"
        case .invalidTile(let z, let x, let y): return "tile \(z)/\(x)/\(y) does not exist at its zoom"
        case .finished(let path): return "MBTiles file \(path) is already finished"
        }
    }
}
