import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import OtklikCore
import OtklikStore
@testable import OtklikHTTP
import OtklikTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `otklik keys create|list|revoke` as an administrator runs them, against a server reading the same keys file.
@Suite struct KeysCommandTests {
    static func mode(_ path: String) -> Int? {
        var s = stat()
        guard stat(path, &s) == 0 else { return nil }
        return Int(s.st_mode) & 0o777
    }

    @Test
    func aCreatedKeyWorksIsListedWithoutItselfAndStopsWorkingWhenRevoked() async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        try await Harness.seed(store, count: 2)
        let dir = (store.path as NSString).deletingLastPathComponent
        let keysFile = dir + "/api-keys.json"
        let base = ["--db", store.path, "--data-dir", PrivacyHarness.dataDir]

        var r = try PrivacyHarness.run(["keys", "create", "--role", "operator", "--name", "hotline", "--agency", PrivacyHarness.roads] + base,
                                       includeStderr: false)
        #expect(r.status == 0)
        let key = r.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(key.hasPrefix("otk_") && key.count == 36, "\(r.output)")
        #expect(Self.mode(keysFile) == 0o600)
        let stored = try String(contentsOfFile: keysFile, encoding: .utf8)
        #expect(!stored.contains(key))
        #expect(stored.contains(APIKeys.digest(key)))

        r = try PrivacyHarness.run(["keys", "create", "--role", "operator", "--name", "hotline"] + base)
        #expect(r.status != 0)
        #expect(r.output.contains("a key named 'hotline' exists"))
        r = try PrivacyHarness.run(["keys", "create", "--role", "intake", "--agency", PrivacyHarness.roads] + base)
        #expect(r.status != 0)
        r = try PrivacyHarness.run(["keys", "create", "--role", "superuser"] + base)
        #expect(r.status != 0)

        // `otklik serve` reads api-keys.json beside the database.
        var config = Harness.config()
        config.apiKeysSpec = nil
        config.apiKeysFile = keysFile
        var logger = Logger(label: "otklik-keys-test")
        logger.logLevel = .warning
        let app = try buildApplication(configuration: config, core: Harness.core(store: store), logger: logger)
        try await app.test(.router) { client in
            var r = try await PrivacyHarness.get(client, "/api/v1/incidents/1", key: key)
            #expect(r.status == .ok)
            #expect(try Harness.json(r.body)["properties"]?["reporter"]?["name"]?.str == "Иван Петров")

            let listed = try PrivacyHarness.run(["keys", "list"] + base, includeStderr: false)
            #expect(listed.status == 0)
            let row = try #require(listed.output.split(separator: "\n").first { $0.hasPrefix("hotline") })
            #expect(row.contains("operator") && row.contains(PrivacyHarness.roads))
            // Created and last used: two timestamps of today.
            let today = String(Timestamp.format(Date()).prefix(10))
            #expect(row.components(separatedBy: today).count - 1 == 2, "\(row)")
            #expect(!listed.output.contains(key))
            #expect(!listed.output.contains(APIKeys.digest(key)))

            let revoked = try PrivacyHarness.run(["keys", "revoke", "hotline"] + base)
            #expect(revoked.status == 0)
            try await Task.sleep(for: .milliseconds(1100))
            r = try await PrivacyHarness.get(client, "/api/v1/incidents/1", key: key)
            #expect(r.status == .unauthorized)
        }
        r = try PrivacyHarness.run(["keys", "revoke", "hotline"] + base)
        #expect(r.status != 0)
        #expect(r.output.contains("no key named 'hotline'"))
    }

    @Test
    func serveWithoutKeysSaysHowToMakeOne() async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        let server = try ExternalProcess.start(Command(try PrivacyHarness.otklik(), [
            "serve", "--db", store.path, "--data-dir", PrivacyHarness.dataDir, "--port", String(Int.random(in: 20_000...60_000))],
            unsetEnvironment: PrivacyHarness.otklikVariables, stderr: .merged, timeout: nil))
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, !server.outputSoFar().contains("otklik keys create --role operator"), server.isRunning {
            try await Task.sleep(for: .milliseconds(100))
        }
        let seen = (text: server.outputSoFar(), ())
        _ = await server.stop()
        #expect(seen.text.contains("no API keys configured; make one with: otklik keys create --role operator --db \(store.path)"),
                "\(seen.text)")
    }

    @Test
    func serveTakesOnlyTheDurabilitiesItKnows() throws {
        let r = try PrivacyHarness.run(["serve", "--durability", "sometimes"])
        #expect(r.status == 64)
        #expect(r.output.contains("normal") && r.output.contains("full"))
    }
}
