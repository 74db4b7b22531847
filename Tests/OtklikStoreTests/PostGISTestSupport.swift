import Foundation
import Logging
import OtklikCore
import OtklikPostGIS
import OtklikTestSupport

/// A PostGIS store on a fresh database of the test server (see `PostgresCluster`), closed after `body`.
func withPostGISStore<T>(_ body: (PostGISStore) async throws -> T) async throws -> T {
    let url = try await PostgresCluster.freshDatabase()
    let store = try await PostGISStore.open(try PostGISLocation(url: url), taxonomy: try TestPaths.taxonomy(),
                                            logger: Logger(label: "test.postgis"))
    defer { store.close() }
    return try await body(store)
}
