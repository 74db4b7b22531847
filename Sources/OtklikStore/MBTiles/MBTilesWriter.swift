public import Foundation
import GRDB

/// Writes an MBTiles 1.3 file: tiles in TMS rows (the writer flips XYZ `y`), gzip blobs, batched transactions.
/// An existing file at `path` is replaced. Use from one thread; call `finish(metadata:)` once at the end.
public final class MBTilesWriter {
    public let path: String
    private let queue: DatabaseQueue
    private let batchSize: Int
    private var pending: [(z: Int, x: Int, tmsY: Int, data: Data)] = []
    private var finished = false
    public private(set) var tilesWritten = 0

    public init(path: String, batchSize: Int = 2_000) throws(MBTilesError) {
        self.path = path
        self.batchSize = max(1, batchSize)
        let fm = FileManager.default
        for suffix in ["", "-journal", "-wal", "-shm"] where fm.fileExists(atPath: path + suffix) {
            try? fm.removeItem(atPath: path + suffix)
        }
        do {
            var config = Configuration()
            config.label = "mbtiles-writer"
            queue = try DatabaseQueue(path: path, configuration: config)
            try queue.writeWithoutTransaction { db in
                // A bulk load into a throw-away file: the journal buys nothing (a failed build is rebuilt).
                try db.execute(sql: "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA page_size = 4096;")
                try db.execute(sql: """
                    CREATE TABLE metadata (name TEXT NOT NULL, value TEXT);
                    CREATE UNIQUE INDEX name ON metadata (name);
                    CREATE TABLE tiles (zoom_level INTEGER NOT NULL, tile_column INTEGER NOT NULL,
                                        tile_row INTEGER NOT NULL, tile_data BLOB NOT NULL);
                    CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);
                    """)
            }
        } catch {
            throw .open(path: path, message: "\(error)")
        }
    }

    /// Queues one tile (XYZ address, gzip-compressed MVT bytes); every `batchSize` tiles go in one transaction.
    /// A second write to the same address replaces the first.
    public func write(z: Int, x: Int, y: Int, data: Data) throws(MBTilesError) {
        guard !finished else { throw .finished(path: path) }
        guard z >= 0, z <= 30, x >= 0, y >= 0, x < (1 << z), y < (1 << z) else { throw .invalidTile(z: z, x: x, y: y) }
        guard data.count >= 2, data[data.startIndex] == 0x1f, data[data.startIndex + 1] == 0x8b else {
            throw .notGzip(z: z, x: x, y: y)
        }
        pending.append((z, x, (1 << z) - 1 - y, data))
        if pending.count >= batchSize { try flush() }
    }

    public func flush() throws(MBTilesError) {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        do {
            try queue.inTransaction { db in
                let statement = try db.cachedStatement(
                    sql: "INSERT OR REPLACE INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?, ?, ?, ?)")
                for t in batch { try statement.execute(arguments: [t.z, t.x, t.tmsY, t.data]) }
                return .commit
            }
        } catch {
            throw .sqlite(operation: "insert of \(batch.count) tiles", message: "\(error)")
        }
        tilesWritten += batch.count
    }

    /// Writes the remaining tiles and the metadata, then closes the file for writing.
    public func finish(metadata: MBTilesMetadata) throws(MBTilesError) {
        guard !finished else { throw .finished(path: path) }
        try flush()
        do {
            try queue.inTransaction { db in
                for (name, value) in metadata.rows {
                    try db.execute(sql: "INSERT OR REPLACE INTO metadata (name, value) VALUES (?, ?)", arguments: [name, value])
                }
                return .commit
            }
            try queue.writeWithoutTransaction { db in try db.execute(sql: "ANALYZE") }
        } catch {
            throw .sqlite(operation: "metadata", message: "\(error)")
        }
        finished = true
    }
}
