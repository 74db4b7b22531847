import Foundation
import Logging
import OtklikCore
import OtklikGeo
import OtklikPostGIS
import OtklikStore

/// What every command needs of a store: the service ports, bulk loading and whole-database copies. Both backends
/// provide them.
typealias StoreBackend = IncidentStore & BulkIncidentLoading & StoreTransfer

/// The one place that chooses the backend from `--db` / `OTKLIK_DB`: a `postgresql://` URL opens PostGIS, anything
/// else is a SpatiaLite file.
enum StoreFactory {
    static func isPostGIS(_ db: String) -> Bool { PostGISLocation.isURL(db) }

    static func open(_ db: String, taxonomy: Taxonomy, routing: AgencyRouting?, logger: Logger, mustExist: Bool,
                     durability: StoreDurability) throws -> any StoreBackend {
        if isPostGIS(db) {
            let location: PostGISLocation
            do { location = try PostGISLocation(url: db) } catch { throw CLIError(error.description) }
            let store = PostGISStore(location: location, taxonomy: taxonomy, logger: logger)
            store.setAgencyRouting(routing)
            return store
        }
        if mustExist && !FileManager.default.fileExists(atPath: db) {
            throw CLIError("no database at \(db); create it with `otklik demo` or `otklik import`, or pass --db")
        }
        let dir = (db as NSString).deletingLastPathComponent
        if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let store = try SpatiaLiteStore(path: db, taxonomy: taxonomy, logger: logger, metric: Geodesic.wgs84Metric,
                                        durability: durability)
        store.setAgencyRouting(routing)
        return store
    }
}

extension StoreFactory {
    /// Runs an import into whichever backend is open (the importer is generic over the store).
    static func importFile<Store: BulkIncidentLoading>(into store: Store, options: ImportOptions, path: String,
                                                      onReject: @Sendable (ImportReject) -> Void,
                                                      onProgress: @Sendable (ImportProgress) -> Void) async throws -> ImportReport {
        try await IncidentImporter(store: store, options: options).run(path: path, onReject: onReject, onProgress: onProgress)
    }
}
