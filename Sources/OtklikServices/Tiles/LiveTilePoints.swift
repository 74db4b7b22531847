import Foundation
import OtklikCore
import OtklikTiles

/// Every incident's tile point in memory, so that a cold incident tile is a box query on a sorted array and an
/// encode, not a database read of the whole box (a z8 tile over Smolensk read 60,000 rows and took 0.9 s).
///
/// The index is rebuilt from one lean scan of the store. Writes made through the server are remembered as
/// locations until the next rebuild has surely seen them: a tile whose box holds one of them is read from the
/// store as before, so no tile ever shows data older than the write that invalidated it. Writes by other
/// processes come the same way, from the store's change feed (see `ServingStore.apply`).
final class LiveTilePoints: @unchecked Sendable {
    private let lock = NSLock()
    private var index: TilePointIndex?
    /// Locations written since the scan of the current index began.
    private var dirty: [GeoPoint] = []
    private var building = false
    private var lastBuild = Date.distantPast
    /// Bumped by `reset`, so that a scan begun before an area change is thrown away.
    private var epoch = 0
    /// Past this many pending writes, checking each tile box against them costs more than it saves.
    static let maxDirty = 4096
    /// The least time between rebuilds while writes keep coming.
    static let rebuildInterval: TimeInterval = 2

    var isReady: Bool { lock.withLock { index != nil } }

    /// The points of `box` that pass `filter`, or nil when the index cannot answer (not built yet, a recent
    /// write inside the box, or a filter it does not hold: `since` as an instant rather than a day).
    func points(in box: BBox, filter: IncidentFilter) -> TilePointSelection? {
        guard filter.matchesInMemory, let idx: TilePointIndex = lock.withLock({
            guard let index, dirty.count <= Self.maxDirty, !dirty.contains(where: { box.contains($0) }) else { return nil }
            return index
        }) else { return nil }
        var out = idx.select(box)
        if filter != .all {
            out.filter(category: filter.categories.first, status: filter.statuses.first?.rawValue, sinceDay: filter.sinceDay)
        }
        return out
    }

    func written(_ points: [GeoPoint]) {
        lock.withLock {
            dirty.append(contentsOf: points)
            // Past the limit the index answers no tile anyway: it goes with the list, so that writes coming faster
            // than rebuilds (or while no tile is asked for, which is what starts one) hold no growing memory.
            if dirty.count > Self.maxDirty { dropIndex() }
        }
    }

    /// Areas changed (districts and settlements of every point), or something unknown did: the index is dropped
    /// until rebuilt, and a rebuild already under way is not installed.
    func reset() {
        lock.withLock { dropIndex() }
    }

    /// Under `lock`.
    private func dropIndex() {
        index = nil
        dirty.removeAll()
        epoch += 1
    }

    /// Starts a rebuild in the background when one is due: no index yet, or writes pending and the last
    /// rebuild long enough ago. `load` reads every point from the store.
    func refreshIfDue(now: Date = Date(), load: @escaping @Sendable () async throws -> TilePointTable) {
        let start: (seen: Int, epoch: Int)? = lock.withLock {
            guard !building else { return nil }
            guard index == nil || (!dirty.isEmpty && now.timeIntervalSince(lastBuild) >= Self.rebuildInterval) else { return nil }
            building = true
            return (dirty.count, epoch)
        }
        guard let start else { return }
        Task.detached(priority: .utility) { [self] in
            guard !install(try? await load(), seen: start.seen, epoch: start.epoch) else { return }
            // Thrown away (a reset came while it was read, such as the change feed's "everything" when a server
            // starts): read again after a pause, rather than only when a tile is next asked for.
            try? await Task.sleep(for: .seconds(Self.rebuildInterval))
            refreshIfDue(load: load)
        }
    }

    /// Writes recorded before the scan began are in it; later ones may not be, so they stay pending. Returns
    /// whether the scan was installed.
    private func install(_ points: TilePointTable?, seen: Int, epoch: Int) -> Bool {
        let built = points.map(TilePointIndex.init)
        return lock.withLock {
            building = false
            lastBuild = Date()
            guard let built, epoch == self.epoch else { return false }
            index = built
            dirty.removeFirst(min(seen, dirty.count))
            return true
        }
    }
}
