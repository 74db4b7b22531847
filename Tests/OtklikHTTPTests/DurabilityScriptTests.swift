import Foundation
import OtklikTestSupport
import Testing

/// `scripts/http-durability.sh` against the built `otklik`: single POSTs from eight clients, `kill -9` of the
/// server in mid-stream, a restart, and then every acknowledged incident must be there exactly once, and a replay
/// of its POST must create nothing. The one promise of the availability work that only a killed server can show.
@Suite(.serialized) struct DurabilityScriptTests {
    static let script = Harness.packageRoot.appendingPathComponent("scripts/http-durability.sh").path

    @Test(.requires(.python3))
    func noAcknowledgedWriteIsLostToKillNine() async throws {
        let binary = try TestPackage.executable("otklik")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("otklik-durability-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("demo.sqlite").path
        let demo = try await MapPageBrowserTests.run(binary, ["demo", "--db", db, "--count", "300"],
                                                     log: dir.appendingPathComponent("demo.log"))
        try #require(demo.succeeded, "\(demo)")
        let result = try await MapPageBrowserTests.run("/bin/bash", [Self.script, binary, db, "2", "8"],
                                                       environment: ["SERVER_LOG": dir.appendingPathComponent("serve.log").path],
                                                       log: dir.appendingPathComponent("durability.log"))
        let output = result.output
        #expect(result.succeeded, "\(output)")
        #expect(output.contains("durability: PASS"), "\(output)")
        let line = try #require(output.split(separator: "\n").first { $0.hasPrefix("acknowledged=") }, "\(output)")
        let acknowledged = Int(line.dropFirst("acknowledged=".count).prefix { $0.isNumber }) ?? 0
        #expect(acknowledged > 0, "\(output)")
        #expect(line.contains("missing=0 absent_from_layer=0 duplicated=0 replay_idempotent=True"), "\(output)")
    }
}
