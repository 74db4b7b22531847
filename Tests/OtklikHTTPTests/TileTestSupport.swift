import Foundation
import OtklikTestSupport
import Hummingbird
import HummingbirdTesting
import OtklikCore
import OtklikStore
@testable import OtklikHTTP
@testable import OtklikServices

/// Independent readers of the tiles the server sends, and an app whose store reports its writes to the tiles.
enum TileTestSupport {
    /// The tile decoded by the mapbox-vector-tile package: layer → features (id, geometry type, properties).
    /// For tests that carry `.requires(.mapboxVectorTile)`.
    static func decodeWithPython(_ data: [UInt8]) throws -> JSONValue {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("otklik-tile-\(UUID().uuidString).mvt")
        try Data(data).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = """
        import sys, json, mapbox_vector_tile as m
        t = m.decode(open(sys.argv[1], 'rb').read())
        print(json.dumps({name: [{'id': f.get('id'), 'type': f['geometry']['type'], 'properties': f['properties']}
                                 for f in layer['features']] for name, layer in t.items()}, ensure_ascii=False))
        """
        let r = try ExternalProcess.run(Command(Peers.require(.mapboxVectorTile), ["-c", script, file.path], stderr: .separate))
        guard r.succeeded else { throw DecodeFailure(output: r.description) }
        return try JSONParser.parse(Array(r.output.utf8))
    }

    struct DecodeFailure: Error { var output: String }

    /// Like `Harness.withApp`, with counts remembered as `otklik serve` remembers them; the body gets the store
    /// as the server holds it.
    static func withTileApp(count: Int, _ body: @Sendable (any TestClientProtocol, ServingStore) async throws -> Void) async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        try await Harness.seed(store, count: count)
        let core = ApplicationServices(store: store, taxonomy: Harness.taxonomy, analysis: NoAnalysis(), rollupTTL: 0)
        let app = try Harness.app(core: core)
        try await app.test(.router) { client in try await body(client, core.store) }
    }
}
