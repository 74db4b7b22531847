import Foundation
import Testing
import GRDB
import OtklikCore
@testable import OtklikStore
#if canImport(Glibc)
import Glibc
#endif

/// What the database keeps private: file modes, note visibility, the contact-read audit, and what a commit survives.
@Suite struct PrivacyStoreTests {
    static func mode(_ path: String) -> Int? {
        var s = stat()
        guard stat(path, &s) == 0 else { return nil }
        return Int(s.st_mode) & 0o777
    }

    static func incident(_ ext: String) -> Incident {
        Incident(source: .hotline, externalID: ext, category: "road.pothole", description: "Яма, Сосновка",
                 location: GeoPoint(lon: 31.3, lat: 54.9), reportedAt: Date(timeIntervalSince1970: 1_735_689_600),
                 reporter: ReporterContact(name: "Иван Секретов", phone: "+79990001122", email: nil))
    }

    @Test func databaseAndItsWALFilesAreReadableByTheOwnerOnly() async throws {
        let folder = try TempFolder("otklik-mode")
        defer { folder.remove() }
        // Whatever the caller's umask lets through: the usual 022 gave 0644 files before.
        let old = umask(0o022)
        defer { _ = umask(old) }
        let path = folder.path("private.sqlite")
        let store = try TestPaths.openStore(path)
        _ = try await store.insert([Self.incident("m-1")], actor: "t")
        for file in [path, path + "-wal", path + "-shm"] {
            #expect(FileManager.default.fileExists(atPath: file), "\(file) is missing")
            #expect(Self.mode(file) == 0o600, "\(file) has mode \(String(Self.mode(file) ?? 0, radix: 8))")
        }
    }

    @Test func existingDatabaseKeepsTheModeItsOwnerGaveIt() throws {
        let folder = try TempFolder("otklik-mode")
        defer { folder.remove() }
        let path = folder.path("shared.sqlite")
        _ = try TestPaths.openStore(path)
        chmod(path, 0o640)
        _ = try TestPaths.openStore(path)
        #expect(Self.mode(path) == 0o640)
    }

    @Test func singleWritesAreFullyDurableUnlessAskedOtherwise() async throws {
        let folder = try TempFolder("otklik-sync")
        defer { folder.remove() }
        let full = try TestPaths.openStore(folder.path("full.sqlite"))
        #expect(full.durability == .full)
        let fullSetting = try await full.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(fullSetting == 2)
        let normal = try SpatiaLiteStore(path: folder.path("normal.sqlite"), taxonomy: try TestPaths.taxonomy(),
                                         logger: .init(label: "t"), durability: .normal)
        let normalSetting = try await normal.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(normalSetting == 1)
    }

    @Test func internalNotesStayOutOfPublicEvents() async throws {
        let t = try TempStore()
        let id = try await t.store.insert([Self.incident("n-1")], actor: "t")[0].id
        let at = Date(timeIntervalSince1970: 1_735_700_000)
        _ = try await t.store.changeStatus(id: id, to: .inProgress, actor: "api:hotline", note: "Перезвонил заявителю Иван Секретов +79990001122",
                                           visibility: .internal, at: at)
        _ = try await t.store.changeStatus(id: id, to: .resolved, actor: "api:hotline", note: "Яма заделана",
                                           visibility: .public, at: at.addingTimeInterval(60))
        let published = try await t.store.events(incidentID: id)
        #expect(published.map(\.note) == ["", "", "Яма заделана"])
        let all = try await t.store.allEvents(since: nil).filter { $0.incidentID == id }
        #expect(!all.contains { $0.note.contains("79990001122") })
        let recorded = try await t.store.recordedEvents(incidentID: id)
        #expect(recorded.map(\.visibility) == [.internal, .internal, .public])
        #expect(recorded[1].event.note == "Перезвонил заявителю Иван Секретов +79990001122")
        // The port's own changeStatus, without a visibility, keeps its note internal.
        _ = try await t.store.changeStatus(id: id, to: .inProgress, actor: "x", note: "звонок", at: at.addingTimeInterval(120))
        #expect(try await t.store.events(incidentID: id).last?.note == "")
    }

    @Test func notesWrittenBeforeVisibilityBecomeInternal() async throws {
        let folder = try TempFolder("otklik-v4")
        defer { folder.remove() }
        let path = folder.path("v4.sqlite")
        do {
            var config = Configuration()
            config.prepareDatabase { db in try SpatiaLiteLoader.load(into: db.sqliteConnection!) }
            let pool = try DatabasePool(path: path, configuration: config)
            try await pool.writeWithoutTransaction { db in _ = try Int.fetchOne(db, sql: "SELECT InitSpatialMetadata(1)") }
            try Schema.migrator().migrate(pool, upTo: "v4-incident-key-as-named-index")
            try await pool.write { db in
                try db.execute(sql: """
                    INSERT INTO incidents (id, source, external_id, category, lon, lat, reported_at, status, updated_at, agency)
                    VALUES (1, 'hotline', 'old-1', 'road.pothole', 31.3, 54.9, '2025-01-01T00:00:00Z', 'in_progress',
                            '2025-01-02T00:00:00Z', 'Дорожное управление');
                    INSERT INTO incident_events (incident_id, from_status, to_status, at, actor, note)
                    VALUES (1, 'new', 'in_progress', '2025-01-02T00:00:00Z', 'api:hotline', 'Заявитель Иван, +79990001122');
                    """)
            }
        }
        let store = try TestPaths.openStore(path)
        #expect(try await store.events(incidentID: 1).map(\.note) == [""])
        let recorded = try await store.recordedEvents(incidentID: 1)
        #expect(recorded.map(\.visibility) == [.internal])
        #expect(recorded.first?.event.note == "Заявитель Иван, +79990001122")
    }

    @Test func contactReadsAndKeyUseAreRecorded() async throws {
        let t = try TempStore()
        let at = Date(timeIntervalSince1970: 1_764_000_000)
        try await t.store.recordContactReads([
            ContactRead(at: at, keyName: "hotline-1", incidentID: 7, route: "GET /api/v1/incidents/{id}"),
            ContactRead(at: at.addingTimeInterval(3600), keyName: "партнёр", incidentID: 8, route: "GET /api/v1/incidents/{id}"),
        ])
        #expect(try await t.store.contactReads(since: nil, keyName: nil).map(\.incidentID) == [7, 8])
        #expect(try await t.store.contactReads(since: at.addingTimeInterval(1), keyName: nil).map(\.keyName) == ["партнёр"])
        #expect(try await t.store.contactReads(since: nil, keyName: "hotline-1").map(\.at) == [at])
        try await t.store.recordKeyUse(name: "hotline-1", at: at)
        try await t.store.recordKeyUse(name: "hotline-1", at: at.addingTimeInterval(-60))
        #expect(try await t.store.keyLastUse() == ["hotline-1": at])
    }
}
