/// Errors of tile maths, encoding and compression, each with the value that caused it.
public enum TilesError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidTile(z: Int, x: Int, y: Int, reason: String)
    case invalidZoomRange(min: Int, max: Int)
    case unknownLayer(String)
    case zlib(operation: String, code: Int32, message: String)
    case corruptGzip(String)

    public var description: String {
        switch self {
        case .invalidTile(let z, let x, let y, let reason): return "tile \(z)/\(x)/\(y) does not exist: \(reason)"
        case .invalidZoomRange(let min, let max): return "zoom range \(min)...\(max) is invalid (need 0 <= min <= max <= 24)"
        case .unknownLayer(let name): return "unknown tile layer '\(name)'"
        case .zlib(let op, let code, let message): return "zlib \(op) failed with code \(code): \(message)"
        case .corruptGzip(let reason): return "gzip data is corrupt: \(reason)"
        }
    }
}
