import Foundation
import OtklikTestSupport
import Logging
import OtklikCore
@testable import OtklikStore

enum TestPaths {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let sharedData = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data")
    static var sharedAvailable: Bool { FileManager.default.fileExists(atPath: sharedData.path) }

    static func fixture(_ name: String) -> String {
        Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")!.path
    }

    static func taxonomy() throws -> Taxonomy {
        try Taxonomy.decode(Data(contentsOf: packageRoot.appendingPathComponent("data/categories.json")))
    }

    static func which(_ tool: String) -> String? { ExternalProcess.path(tool) }
}

/// A store on a fresh temporary file, removed with its WAL when the test ends.
final class TempStore {
    let dir: URL
    let store: SpatiaLiteStore
    var path: String { dir.appendingPathComponent("test.sqlite").path }

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("otklik-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        store = try SpatiaLiteStore(path: dir.appendingPathComponent("test.sqlite").path, taxonomy: try TestPaths.taxonomy(),
                                    logger: Logger(label: "test"))
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

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

func run(_ tool: String, _ args: [String]) throws -> (status: Int32, output: String) { try ExternalProcess.run(tool, args) }
