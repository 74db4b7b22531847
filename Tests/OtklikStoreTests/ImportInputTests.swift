import Foundation
import OtklikTestSupport
import Testing
import Logging
import OtklikCore
@testable import OtklikStore

/// What an import makes of the files it is given: features from other systems, files that are not text, and
/// what it tells whoever runs it.
@Suite struct ImportInputTests {
    /// A feature of another system's export: properties of its own beside ours. The API refuses "password"
    /// (IncidentAPITests: "feature.properties.password: unknown property"); an import reads past it.
    static func foreignFeature(_ id: String, extra: String = "") -> String {
        """
        {"type":"Feature","id":"\(id)","geometry":{"type":"Point","coordinates":[31.0919,54.9472]},"properties":{"category":"road.pothole",\
        "reported_at":"2025-05-01T06:00:00Z","ward":"12","password":"x","gis":{"layer":"roads","z":[1,2]}\(extra)}}
        """
    }

    @Test func importsGeoJSONFeaturesWithPropertiesOfAnotherSystem() async throws {
        let t = try TempStore()
        let file = t.folder.path("foreign.geojson")
        let features = [Self.foreignFeature("g1"), Self.foreignFeature("g2", extra: ",\"status\":5"), Self.foreignFeature("g3")]
        try "{\"type\":\"FeatureCollection\",\"features\":[\n\(features.joined(separator: ",\n"))\n]}".write(toFile: file, atomically: true, encoding: .utf8)
        let (report, rejects) = try await t.importFile(file, ImportOptions(format: .geojson))
        #expect(report.inserted == 2)
        #expect(rejects == [ImportReject(line: 3, field: "status", reason: "feature.properties.status: expected a string, got number")])
        #expect(try await t.store.incidents(IncidentQuery()).map(\.externalID).sorted() == ["g1", "g3"])
    }

    @Test func importsNDJSONFeaturesWithPropertiesOfAnotherSystem() async throws {
        let t = try TempStore()
        let file = t.folder.path("foreign.ndjson")
        try [Self.foreignFeature("n1"), "{\"type\":\"Feature\",", "", Self.foreignFeature("n2")].joined(separator: "\n")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let (report, rejects) = try await t.importFile(file, ImportOptions(format: .ndjson))
        #expect(report.inserted == 2)
        #expect(rejects == [ImportReject(line: 2, field: "json", reason: "not valid JSON: expected a string key at byte 18")])
        #expect(try await t.store.incidents(IncidentQuery()).map(\.externalID).sorted() == ["n1", "n2"])
    }

    @Test func refusesPointsOutsideTheRegionAndSaysWhenLatitudeAndLongitudeAreSwapped() async throws {
        let t = try TempStore()
        let file = t.folder.path("swapped.ndjson")
        func feature(_ id: String, _ lon: Double, _ lat: Double) -> String {
            "{\"type\":\"Feature\",\"id\":\"\(id)\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[\(lon),\(lat)]},"
                + "\"properties\":{\"category\":\"road.pothole\",\"reported_at\":\"2025-05-01T06:00:00Z\"}}"
        }
        try [feature("in", 32.05, 54.78), feature("swapped", 54.78, 32.05), feature("far", 10, 10)].joined(separator: "\n")
            .write(toFile: file, atomically: true, encoding: .utf8)
        // The Smolensk districts' extent, as the CLI takes it from the store's district layer.
        var options = ImportOptions(format: .ndjson)
        options.region = RegionCheck(districts: BBox(minLon: 30.7, minLat: 53.3, maxLon: 35.4, maxLat: 56.1))
        let (report, rejects) = try await t.importFile(file, options)
        #expect(report.inserted == 1)
        #expect(rejects.map(\.line) == [2, 3] && rejects.allSatisfy { $0.field == "location" })
        #expect(rejects.first?.reason.contains("возможно, перепутаны широта и долгота?") == true, "\(rejects)")
        #expect(rejects.last?.reason.contains("точка вне региона (долгота") == true, "\(rejects)")
        // Without the check (--allow-outside) the same file is taken whole.
        let all = try await t.importFile(file, ImportOptions(format: .ndjson, source: .hotline))
        #expect(all.0.inserted == 3)
    }

    /// The first bytes of an ELF executable: magic, class, endianness, version, then padding of NUL bytes.
    static let elf: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                               0x03, 0x00, 0x3E, 0x00] + Array("ignored text after the header\n".utf8)

    @Test func refusesABinaryFileBeforeWritingAnything() async throws {
        let t = try TempStore()
        let file = t.folder.path("otklik.csv")
        try Data(Self.elf).write(to: URL(fileURLWithPath: file))
        let message = "\(file) is not a text file (it has NUL bytes at byte 7); give a CSV, GeoJSON or NDJSON file"
        let checked = #expect(throws: StoreError.self) { try ImportFile.checkIsText(path: file) }
        #expect(checked?.message == message)
        let imported = await #expect(throws: StoreError.self) { _ = try await t.importFile(file, ImportOptions(format: .csv)) }
        #expect(imported?.message == message)
        #expect(try await t.store.count(IncidentQuery()) == 0)
    }

    /// A header in Windows-1251, the other encoding Russian spreadsheets save in, is named for what it is.
    @Test func refusesAHeaderThatIsNotUTF8() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let file = folder.path("cp1251.csv")
        // "external_id,категория" with the Cyrillic word in Windows-1251.
        try Data(Array("external_id,".utf8) + [0xEA, 0xE0, 0xF2, 0xE5, 0xE3, 0xEE, 0xF0, 0xE8, 0xFF, 0x0A]).write(to: URL(fileURLWithPath: file))
        let error = #expect(throws: StoreError.self) { try ImportFile.checkIsText(path: file) }
        #expect(error?.message == "\(file) is not UTF-8 text (its first line has the byte 0xEA at byte 12); give a CSV, GeoJSON or NDJSON file")
    }

    @Test func judgesGzipByItsContentWhateverItsName() async throws {
        let t = try TempStore()
        let file = t.folder.path("export.csv")
        try FileManager.default.copyItem(atPath: TestPaths.fixture("bad_rows_copy.csv.gz"), toPath: file)
        try ImportFile.checkIsText(path: file)
        let (report, _) = try await t.importFile(file, ImportOptions(format: .csv))
        #expect(report.inserted == 3)
    }

    @Test func findsTheFirstByteThatIsNotUTF8() {
        func check(_ bytes: [UInt8], cut: Bool = false) -> Int? { ImportFile.invalidUTF8(bytes[...], mayBeCut: cut) }
        #expect(check(Array("id,Сосновка,€,😀".utf8)) == nil)
        #expect(check([0x61, 0xC0, 0x80]) == 1, "an overlong form")
        #expect(check([0xED, 0xA0, 0x80]) == 0, "a UTF-16 surrogate")
        #expect(check([0x61, 0x62, 0xD0]) == 2, "a character cut at the end of a whole line")
        #expect(check([0x61, 0x62, 0xD0], cut: true) == nil, "a character cut by the end of the block")
        #expect(ImportFile.problem(in: [0xFF, 0xFE, 0x69, 0x00]) == "is UTF-16 text; save it as UTF-8")
    }

    /// Beside a running server the load cannot switch to a rollback journal; the log says so as news, not as an
    /// error, and SQLite's "database is locked" stays out of it.
    @Test func saysInPlainWordsWhyTheLoadWritesInWAL() async throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let path = folder.path("db.sqlite")
        let log = LogCapture()
        let store = try SpatiaLiteStore(path: path, taxonomy: try TestPaths.taxonomy(), logger: log.logger())
        let server = try TestPaths.openStore(path, label: "server")
        _ = try await server.count(IncidentQuery())
        let file = folder.path("one.ndjson")
        try Self.foreignFeature("w1").write(toFile: file, atomically: true, encoding: .utf8)
        let report = try await IncidentImporter(store: store, options: ImportOptions(format: .ndjson))
            .run(path: file, onReject: { _ in }, onProgress: { _ in })
        #expect(report.inserted == 1)
        let info = log.lines(at: .info)
        #expect(info.contains("writing in WAL mode because another process (a server?) has the database open; the import goes on beside it"), "\(info)")
        #expect(!info.contains { $0.contains("error") || $0.contains("locked") }, "\(info)")
        withExtendedLifetime(server) {}
    }

    /// The progress events end with the counts the report gives: the last one is what a log shows last.
    @Test func theLastProgressEventCountsWhatTheReportCounts() async throws {
        let t = try TempStore()
        let events = ProgressBox()
        let report = try await IncidentImporter(store: t.store, options: ImportOptions(format: .csv))
            .run(path: TestPaths.fixture("bad_rows.csv"), onReject: { _ in }, onProgress: { events.add($0) })
        let last = try #require(events.items.last)
        #expect(last.phase == "rows")
        #expect(last.rowsRead == report.rowsRead)
        #expect(last.inserted == report.inserted)
        #expect(report.inserted == 3)
    }
}

final class ProgressBox: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [ImportProgress] = []
    func add(_ p: ImportProgress) { lock.lock(); list.append(p); lock.unlock() }
    var items: [ImportProgress] { lock.lock(); defer { lock.unlock() }; return list }
}

/// Keeps what a store logs, for tests of its wording.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [(level: Logger.Level, message: String)] = []

    func logger(_ label: String = "test") -> Logger {
        Logger(label: label) { _ in Handler(capture: self) }
    }

    func lines(at level: Logger.Level) -> [String] {
        lock.lock()
        defer { lock.unlock() }
        return events.filter { $0.level == level }.map(\.message)
    }

    fileprivate func add(_ level: Logger.Level, _ message: String) {
        lock.lock()
        events.append((level, message))
        lock.unlock()
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        func log(event: LogEvent) { capture.add(event.level, event.message.description) }

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
    }
}
