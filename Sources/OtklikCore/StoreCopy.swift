/// The copy of one table between two stores, and the checksum that proves it: a chunk is read from the source while
/// the one before it is handled, so at most two chunks are held whatever the table's size.
public enum StoreCopy {
    /// Copies every row of `table` from `source` to `target`; returns the checksum of the rows read.
    /// `progress` gets the number of rows written so far after each chunk.
    public static func copy(_ table: TransferTable, from source: any StoreTransfer, to target: any StoreTransfer,
                            chunkSize: Int, progress: @Sendable (Int) -> Void = { _ in }) async throws -> TableChecksum {
        try await visit(table, of: source, chunkSize: chunkSize, progress: progress) { chunk in
            try await target.writeTransferRows(table, chunk)
        }
    }

    /// The checksum of the rows `store` holds in `table`, read in chunks.
    public static func checksum(_ table: TransferTable, of store: any StoreTransfer, chunkSize: Int,
                                progress: @Sendable (Int) -> Void = { _ in }) async throws -> TableChecksum {
        try await visit(table, of: store, chunkSize: chunkSize, progress: progress) { _ in }
    }

    private static func visit(_ table: TransferTable, of store: any StoreTransfer, chunkSize: Int,
                              progress: @Sendable (Int) -> Void,
                              _ body: ([TransferRow]) async throws -> Void) async throws -> TableChecksum {
        var hasher = TableHasher(table)
        var done = 0
        var chunk = try await store.transferRows(table, after: nil, limit: chunkSize)
        while let last = chunk.last {
            let full = chunk.count == chunkSize
            async let following = full ? store.transferRows(table, after: last[0], limit: chunkSize) : []
            try hasher.add(chunk)
            try await body(chunk)
            done += chunk.count
            progress(done)
            chunk = try await following
        }
        return hasher.result
    }
}
