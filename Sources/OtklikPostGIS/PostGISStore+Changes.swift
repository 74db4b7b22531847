public import OtklikCore
import Foundation
import PostgresNIO

/// The notes of other stores on the same database, heard on a connection of its own that LISTENs on
/// `changeChannel` (a pooled connection cannot: LISTEN belongs to a session, and the pool hands sessions out).
extension PostGISStore: StoreChangeFeed {
    /// `application_name` of the listening connections, so that an operator (or a test) finds them in
    /// `pg_stat_activity`.
    public static let listenerName = "otklik-listen"
    /// How often the listening connection is asked `SELECT 1` while no note comes: a connection cut without a
    /// word (a network fault, a failover) is found out within about this much.
    static let listenProbeInterval = Duration.seconds(5)
    /// The longest wait between two attempts to connect again.
    static let longestReconnectDelay = Duration.seconds(5)

    /// Every note another store sends, as the change it describes. Notes that this store sent are skipped: its
    /// writes returned through a `ServingStore` that had already applied their change, and applying it again
    /// would drop, a few milliseconds later, the tiles and the hotspot analysis made since.
    ///
    /// A note sent while no connection listens is lost, so each time LISTEN is in force again (the first time
    /// too: the server may have cached something before it was) the feed yields `.everything`.
    public func changes() -> AsyncStream<StoreChange> {
        StoreChangeBuffer.stream { [self] buffer in await listen(into: buffer) }
    }

    private func listen(into buffer: StoreChangeBuffer) async {
        var config = PostgresConnection.Configuration(host: location.host, port: location.port, username: location.user,
                                                      password: location.password, database: location.database, tls: .disable)
        config.options.additionalStartupParameters = [("application_name", Self.listenerName)]
        var attempt = 0
        var delay = Duration.milliseconds(100)
        while !Task.isCancelled {
            attempt += 1
            do {
                let conn = try await PostgresConnection.connect(configuration: config, id: attempt, logger: logger)
                do {
                    try await conn.listen(on: Self.changeChannel) { notes in
                        await self.notePrimaryPosition()
                        buffer.add(.everything)
                        delay = .milliseconds(100)
                        try await hear(notes, on: conn, into: buffer)
                    }
                } catch {
                    try? await conn.close()
                    throw error
                }
                try? await conn.close()
            } catch {
                if Task.isCancelled { return }
                logger.warning("not listening for other instances' writes (\(described(error, "listen"))); trying again in \(delay)")
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, Self.longestReconnectDelay)
        }
    }

    /// Applies notes until the connection fails: the probe's error, or the end of the notes, ends it.
    private func hear(_ notes: PostgresNotificationSequence, on conn: PostgresConnection, into buffer: StoreChangeBuffer) async throws {
        let origin = self.origin
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await note in notes {
                    let (from, change) = StoreChangeNote.read(note.payload)
                    guard from != origin else { continue }
                    // What reacts to the change reads what it changed: from a replica only once it has replayed it.
                    await self.notePrimaryPosition()
                    buffer.add(change.change)
                }
                throw PostGISError(.connect, "the listening connection closed")
            }
            group.addTask { [logger] in
                while true {
                    try await Task.sleep(for: Self.listenProbeInterval)
                    try await conn.query("SELECT 1", logger: logger)
                }
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}
