import Foundation
import OtklikTestSupport
import Logging
import OtklikCore
@testable import OtklikStore

enum TestPaths {
    static let packageRoot = TestPackage.root

    static func fixture(_ name: String) -> String {
        Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")!.path
    }

    static func taxonomy() throws -> Taxonomy {
        try Taxonomy.decode(Data(contentsOf: packageRoot.appendingPathComponent("data/categories.json")))
    }

    /// Opens (creating if needed) the database at `path`.
    static func openStore(_ path: String, label: String = "t") throws -> SpatiaLiteStore {
        try SpatiaLiteStore(path: path, taxonomy: try taxonomy(), logger: Logger(label: label))
    }

    /// Leaves the database at `path` as a process that died during a bulk load leaves it: the load begun, these
    /// incidents written, no end. The load's lock goes with the store, as with the process.
    static func leaveAnInterruptedLoad(at path: String, _ incidents: [Incident]) async throws {
        let s = try openStore(path)
        try await s.beginBulk()
        _ = try await s.bulkInsert(incidents, actor: "t")
    }
}

/// A fresh temporary folder; `remove` deletes it with everything in it. For tests that close a database and
/// open it again, which a `TempStore` cannot.
struct TempFolder {
    let url: URL

    init(_ prefix: String = "otklik") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// A store on a fresh temporary file, removed with its WAL when the test ends.
final class TempStore {
    let folder: TempFolder
    let store: SpatiaLiteStore
    var dir: URL { folder.url }
    var path: String { folder.path("test.sqlite") }

    init() throws {
        folder = try TempFolder()
        store = try TestPaths.openStore(folder.path("test.sqlite"), label: "test")
    }

    deinit { folder.remove() }

    func importFile(_ path: String, _ options: ImportOptions) async throws -> (ImportReport, [ImportReject]) {
        let box = RejectBox()
        let report = try await IncidentImporter(store: store, options: options).run(path: path, onReject: { box.add($0) }, onProgress: { _ in })
        return (report, box.items)
    }
}

final class RejectBox: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [ImportReject] = []
    func add(_ r: ImportReject) { lock.lock(); list.append(r); lock.unlock() }
    var items: [ImportReject] { lock.lock(); defer { lock.unlock() }; return list }
}
