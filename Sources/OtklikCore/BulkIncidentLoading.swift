/// How a bulk load writes.
public struct BulkLoadOptions: Sendable, Hashable {
    /// Rows per transaction by default (`otklik import --batch-size`).
    public static let defaultTransactionRows = 200_000
    /// Rows handed to the store at once by default: the pipeline's grain. Memory holds about two batches.
    public static let defaultBatchRows = 10_000

    /// Who the creation events of the loaded incidents name.
    public var actor: String
    /// Rows per transaction (rounded up to whole batches). A load that stops keeps every transaction it committed.
    public var transactionRows: Int

    public init(actor: String, transactionRows: Int = defaultTransactionRows) {
        self.actor = actor
        self.transactionRows = transactionRows
    }
}

/// What a bulk load wrote: new rows, and rows whose (source, external_id) was already there.
public struct BulkLoadCounts: Sendable, Hashable {
    public var inserted: Int
    public var duplicates: Int

    public init(inserted: Int = 0, duplicates: Int = 0) {
        self.inserted = inserted
        self.duplicates = duplicates
    }
}

/// The storage port of bulk loads (`otklik import`, `otklik demo`): a backend takes incidents a batch at a
/// time, at a cost far below `IncidentRepository.insert` per row, and may set its indexes aside meanwhile.
///
/// The load is a scope, not a sequence of calls: `withBulkLoad` begins it, `body` feeds it batches, and the
/// store ends it (writes what was handed over, builds what it set aside, returns to serving) on every path,
/// also when `body` throws. A batch handed over stays written whatever stops the load after it.
public protocol BulkIncidentLoading: Sendable {
    associatedtype Loader: BulkIncidentLoader

    /// The categories the store accepts (and routes to agencies); imports validate against it.
    var taxonomy: Taxonomy { get }

    /// Runs `body` inside one bulk load and returns its value with what the load wrote. The counts are final:
    /// a backend that defers its (source, external_id) key counts the rows that repeated a key as duplicates
    /// once it has built it. When `body` throws, the store ends the load and rethrows `body`'s error.
    func withBulkLoad<T>(_ options: BulkLoadOptions, _ body: (Loader) async throws -> T) async throws
        -> (value: T, written: BulkLoadCounts)
}

/// One bulk load under way, given to `BulkIncidentLoading.withBulkLoad`'s body. One call per batch: a backend
/// places, prepares and writes a whole batch, so the per-row work stays in its own code.
public protocol BulkIncidentLoader: Sendable {
    /// Places each incident in its district and settlement (unless set), routes it, and hands the batch to the
    /// writer. Waits while the writer still holds the previous batch, so that preparing one batch overlaps
    /// writing the one before. Throws the writer's error once it has failed, and `ValidationError` for a
    /// position out of range.
    func load(_ batch: [Incident]) async throws

    /// What the load has written so far (for progress): before the store's end, repeats of a deferred key
    /// still count as inserted.
    var written: BulkLoadCounts { get }

    /// Waits until every batch handed over is written and committed and returns `written`; loading after it
    /// throws. The store does this itself when `body` returns; call it earlier to report progress before the
    /// store builds its indexes.
    func finishWriting() async throws -> BulkLoadCounts
}

extension BulkIncidentLoader {
    /// Loads incidents already in memory, `batchRows` at a time. `handedOver` gets the count handed over so far
    /// after each batch.
    public func load(all incidents: [Incident], batchRows: Int = BulkLoadOptions.defaultBatchRows,
                     handedOver: (Int) -> Void = { _ in }) async throws {
        let step = max(1, batchRows)
        for start in stride(from: 0, to: incidents.count, by: step) {
            let end = min(incidents.count, start + step)
            try await load(Array(incidents[start..<end]))
            handedOver(end)
        }
    }
}
