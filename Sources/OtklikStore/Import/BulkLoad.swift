public import OtklikCore
import Synchronization

/// One bulk load's writer: a single write access on the store's writer connection that takes prepared chunks
/// as the importer hands them over and commits once a transaction holds `transactionRows` rows.
///
/// Why not one transaction per chunk: when the (source, external_id) key is live (a load into a table that has
/// rows, see DeferredIndexes), it takes each row at a random place, so every transaction dirties most of that
/// index's pages, and WAL writes each dirty page at every commit (then once
/// more at the checkpoint). Chunks stay small so that parsing and writing overlap and memory stays at two
/// chunks; transactions are large so that the key's pages are written a few times per import, not once per
/// chunk.
///
/// `load` prepares a batch on the caller's task (see `SpatiaLiteStore.prepareBulk`) and hands it over, so the
/// caller prepares the next batch while the writer inserts this one. `withBulkLoad` calls `finish` once, also
/// when its body stops early: what was sent is committed. When the writer fails, its transaction is rolled
/// back (earlier commits stay), the next `load` throws its error and so does `finish`.
public final class BulkLoad: BulkIncidentLoader {
    /// Rows per transaction by default (`otklik import --batch-size`).
    public static let transactionRows = BulkLoadOptions.defaultTransactionRows
    /// Rows prepared and handed to the writer at once by default: the pipeline's grain.
    public static let chunkRows = BulkLoadOptions.defaultBatchRows

    private let store: SpatiaLiteStore
    private let handoff: ChunkHandoff
    private let counts = Counts()
    private let writer: Task<Void, any Error>

    init(store: SpatiaLiteStore, actor: String, transactionRows: Int) {
        self.store = store
        let handoff = ChunkHandoff()
        self.handoff = handoff
        let counts = self.counts
        writer = Task {
            try await store.writeBulk(actor: actor, transactionRows: max(1, transactionRows),
                                      next: { handoff.take() }, failed: { handoff.fail($0) }, wrote: { counts.add($0) })
        }
    }

    /// What the writer has written so far (committed or in its open transaction), for progress.
    public var written: BulkLoadCounts { counts.value.withLock { $0 } }

    private final class Counts: Sendable {
        let value = Mutex(BulkLoadCounts())
        func add(_ r: (inserted: Int, duplicates: Int)) {
            value.withLock { $0.inserted += r.inserted; $0.duplicates += r.duplicates }
        }
    }

    /// Prepares a batch (areas, agency, texts, geometry) and hands it to the writer.
    public func load(_ batch: [Incident]) async throws {
        try await send(store.prepareBulk(batch))
    }

    /// Hands one chunk to the writer. Waits while the writer still holds the previous one.
    func send(_ chunk: PreparedChunk) async throws {
        guard chunk.count > 0 else { return }
        try await handoff.put(chunk)
    }

    public func finishWriting() async throws -> BulkLoadCounts {
        try await finish()
    }

    /// Commits what was sent and returns what the load wrote: rows inserted, and rows whose
    /// (source, external_id) was already there.
    func finish() async throws -> BulkLoadCounts {
        handoff.close()
        try await writer.value
        return written
    }
}
