import Foundation
import PostgresNIO

extension PostGISStore {
    /// Sends the store's read-only queries (items, counts, scans, reports, areas, events) to a hot-standby replica
    /// of its database whenever that gives the same answer as the primary would for this process (see
    /// `ReplicaRouting`); writes, and the reads a write makes, stay on the primary. A second call replaces the
    /// replica.
    public func readFromReplica(_ settings: ReadReplicaSettings) {
        let routing = ReplicaRouting(settings: settings, logger: logger)
        // Reads stay on the primary until the replica has replayed the migrations this store ran at open.
        Task { [weak self] in
            guard let self, (try? await self.waitUntilReady()) != nil else { return }
            await routing.start(primary: self.client, logger: self.logger)
        }
        let replaced = readReplica.withLock { current -> ReplicaRouting? in
            defer { current = routing }
            return current
        }
        replaced?.close()
    }

    /// Reads from now on see everything the primary had committed before this call, on the replica too: for a
    /// process told of another's commit (a change notification) before it reads what that commit changed.
    public func notePrimaryPosition() async {
        guard let replica = readReplica.withLock({ $0 }) else { return }
        await replica.notePrimaryPosition(client, logger: logger)
    }

    /// A read-only statement: on the replica when the routing allows it, else (and whenever the replica fails)
    /// on the primary. `confirmMiss`: an empty answer from the replica is asked again of the primary, so that a
    /// row another process has just written (a `Location` followed through another instance) is found.
    func readRows(_ sql: SQL, confirmMiss: Bool = false) async throws -> [PostgresRow] {
        try await waitUntilReady()
        if let replica = readReplica.withLock({ $0 }), await replica.readsFromReplica() {
            do {
                let found = try await replica.rows(sql.query, logger: logger)
                if !(confirmMiss && found.isEmpty) { return found }
            } catch {
                try Task.checkCancellation()
                replica.readFailed(error)
            }
        }
        return try await rows(sql)
    }

    /// After a commit on the primary: the replica serves reads again once it has replayed it.
    func noteCommit() async {
        await notePrimaryPosition()
    }
}
