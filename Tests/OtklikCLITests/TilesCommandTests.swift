import Foundation
import OtklikTestSupport
import Testing

/// `otklik tiles build` writes an MBTiles file of one layer.
@Suite struct TilesCommandTests {
    /// "incidents: 231 tiles visited, 127 written (…) from 2,000 incidents in 0.1 s (…) → path": visited, written, source count.
    static func summary(_ r: CLIResult, layer: String, out: String) -> (visited: Int, written: Int, incidents: Int)? {
        guard let line = r.stderrLines.last(where: { $0.hasPrefix("\(layer): ") && $0.hasSuffix(" → \(out)") }) else { return nil }
        let words = line.split(separator: " ")
        func number(before word: String) -> Int? {
            words.firstIndex(where: { $0 == word }).flatMap { $0 > 0 ? parseCount(words[$0 - 1]) : nil }
        }
        guard let visited = number(before: "tiles"), let written = number(before: "written"),
              let incidents = number(before: "incidents") else { return nil }
        return (visited, written, incidents)
    }

    static func build(_ w: Workspace, out: String) async throws -> CLIResult {
        try await w.run(["tiles", "build"] + w.global() + ["--layer", "incidents", "--minzoom", "6", "--maxzoom", "9", "--out", out])
    }

    @Test func buildsAnMBTilesFileOfTheIncidentLayer() async throws {
        let w = try Workspace()
        try await w.demo()
        let out = w.path("tiles/incidents.mbtiles")
        let r = try await Self.build(w, out: out)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.isEmpty)
        let s = try #require(Self.summary(r, layer: "incidents", out: out), "\(r)")
        #expect(s.incidents == 2000)
        #expect(s.written > 0 && s.written <= s.visited)
        // An SQLite file (MBTiles is one).
        let head = try FileHandle(forReadingFrom: URL(fileURLWithPath: out)).read(upToCount: 16)
        #expect(head == Data("SQLite format 3\0".utf8))
    }

    /// Read back by the spatialite shell: as many tiles as the summary says, in the zoom range asked for, with
    /// the metadata a map client reads.
    @Test(.requires(.spatialite))
    func theFileHoldsWhatTheSummarySays() async throws {
        let w = try Workspace()
        try await w.demo()
        let out = w.path("incidents.mbtiles")
        let r = try await Self.build(w, out: out)
        let s = try #require(Self.summary(r, layer: "incidents", out: out), "\(r)")
        func query(_ sql: String) async throws -> String {
            let q = try await ExternalProcess.run(Command(Peers.require(.spatialite), [out, sql], stderr: .separate))
            #expect(q.succeeded, "\(q)")
            return q.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try await query("SELECT count(*) FROM tiles") == String(s.written))
        #expect(try await query("SELECT min(zoom_level) || ',' || max(zoom_level) FROM tiles") == "6,9")
        #expect(try await query("SELECT value FROM metadata WHERE name = 'minzoom'") == "6")
        #expect(try await query("SELECT value FROM metadata WHERE name = 'maxzoom'") == "9")
        #expect(try await query("SELECT value FROM metadata WHERE name = 'format'") == "pbf")
        // Every tile is gzip (1f 8b).
        #expect(try await query("SELECT count(*) FROM tiles WHERE hex(substr(tile_data, 1, 2)) <> '1F8B'") == "0")
    }

    /// The error lists the layers that `--help` documents.
    @Test func unknownLayerIsOneLine() async throws {
        let w = try Workspace()
        try await w.demo(count: 50)
        let help = try await CLI.assertExecute(["tiles", "build", "--help"])
        let layerLine = try #require(help.stdoutLines.first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("--layer <layer>") })
        let layers = try #require(layerLine.components(separatedBy: "Layer: ").last?.trimmingCharacters(in: CharacterSet(charactersIn: ". ")))
        try await CLI.assertFailure(["tiles", "build"] + w.global() + ["--layer", "roads", "--out", w.path("x.mbtiles")], in: w.url,
                                    message: "unknown layer 'roads'; layers: \(layers)")
        #expect(!FileManager.default.fileExists(atPath: w.path("x.mbtiles")))
    }

    @Test func missingLayerIsAUsageError() async throws {
        let w = try Workspace()
        try await CLI.assertUsageError(["tiles", "build"] + w.global(), in: w.url,
                                       message: "Missing expected argument '--layer <layer>'", help: "otklik tiles build --help")
    }
}
