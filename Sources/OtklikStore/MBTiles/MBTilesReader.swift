public import Foundation
import GRDB

/// Reads an MBTiles file back by XYZ address (tests, and serving a pre-built set).
public final class MBTilesReader: Sendable {
    public let path: String
    private let queue: DatabaseQueue

    public init(path: String) throws(MBTilesError) {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else { throw .open(path: path, message: "no such file") }
        do {
            var config = Configuration()
            config.readonly = true
            queue = try DatabaseQueue(path: path, configuration: config)
        } catch {
            throw .open(path: path, message: "\(error)")
        }
    }

    public func metadata() throws(MBTilesError) -> [String: String] {
        do {
            return try queue.read { db in
                var out: [String: String] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT name, value FROM metadata") { out[row[0]] = row[1] }
                return out
            }
        } catch { throw .sqlite(operation: "read metadata", message: "\(error)") }
    }

    /// The stored (gzip) bytes of the tile at XYZ `z/x/y`, or nil.
    public func tile(z: Int, x: Int, y: Int) throws(MBTilesError) -> Data? {
        let tmsY = (1 << z) - 1 - y
        do {
            return try queue.read { db in
                try Data.fetchOne(db, sql: "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                                  arguments: [z, x, tmsY])
            }
        } catch { throw .sqlite(operation: "read tile \(z)/\(x)/\(y)", message: "\(error)") }
    }

    public func tileCount(zoom: Int? = nil) throws(MBTilesError) -> Int {
        do {
            return try queue.read { db in
                if let zoom {
                    return try Int.fetchOne(db, sql: "SELECT count(*) FROM tiles WHERE zoom_level = ?", arguments: [zoom]) ?? 0
                }
                return try Int.fetchOne(db, sql: "SELECT count(*) FROM tiles") ?? 0
            }
        } catch { throw .sqlite(operation: "count tiles", message: "\(error)") }
    }

    /// Every stored address in XYZ form, sorted.
    public func addresses() throws(MBTilesError) -> [(z: Int, x: Int, y: Int)] {
        do {
            return try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT zoom_level, tile_column, tile_row FROM tiles ORDER BY 1, 2, 3").map { row in
                    let z: Int = row[0], x: Int = row[1], tms: Int = row[2]
                    return (z, x, (1 << z) - 1 - tms)
                }
            }
        } catch { throw .sqlite(operation: "list tiles", message: "\(error)") }
    }
}
