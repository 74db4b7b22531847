import Foundation
import Hummingbird
import HummingbirdTesting
import OtklikCore
@testable import OtklikHTTP
import Testing

/// Scopes: an intake key files complaints and reads nothing private; an operator key works on its agencies'
/// incidents; refusals and Open311 answers never name the key.
@Suite struct KeyScopeTests {
    @Test func anIntakeKeyFilesComplaintsButReadsNoContacts() async throws {
        try await PrivacyHarness.withApp { t in
            let client = t.client
            let filed = try await PrivacyHarness.open311Post(client, key: PrivacyHarness.intakeKey)
            #expect(filed.status == 200, "\(filed.text)")
            let answer = try #require(filed.array.first)
            #expect(answer.keys.contains("account_id"))
            #expect(answer["account_id"] is NSNull, "account_id must not reveal the key's name")
            #expect(!filed.text.contains("partner-fms"))
            // A partner's own account_id comes back as sent.
            let own = try await PrivacyHarness.open311Post(client, key: PrivacyHarness.intakeKey, extra: [("account_id", "fms-user-17")])
            #expect(own.array.first?["account_id"] as? String == "fms-user-17")

            var r = try await client.execute(uri: "/api/v1/incidents", method: .post,
                                             headers: [.authorization: "Bearer \(PrivacyHarness.intakeKey)", .contentType: "application/geo+json"],
                                             body: ByteBuffer(string: IncidentAPITests.feature(externalID: "intake-1"))) { $0 }
            #expect(r.status == .created)

            r = try await PrivacyHarness.get(client, "/api/v1/incidents/1", key: PrivacyHarness.intakeKey)
            #expect(r.status == .ok)
            let props = try Harness.json(r.body)["properties"]
            #expect(props?["reporter"] == nil)
            #expect(props?["events"] == nil)
            #expect(!r.bodyText.contains("Иван Петров"))
            #expect(!r.bodyText.contains("+7 900"))

            r = try await PrivacyHarness.patch(client, id: 1, "{\"status\":\"in_progress\"}", key: PrivacyHarness.intakeKey)
            #expect(r.status == .forbidden)
            #expect(r.headers[.contentType] == "application/problem+json")
            #expect(r.problemDetail == "this operation needs the operator scope; this key has intake")
            #expect(try await t.store.contactReads(since: nil, keyName: nil).isEmpty)
        }
    }

    @Test func anOperatorKeyWorksOnlyOnItsAgencies() async throws {
        try await PrivacyHarness.withApp { t in
            let client = t.client
            var r = try await PrivacyHarness.get(client, "/api/v1/incidents/1", key: PrivacyHarness.roadsKey)
            #expect(try Harness.json(r.body)["properties"]?["reporter"]?["name"]?.str == "Иван Петров")

            r = try await PrivacyHarness.get(client, "/api/v1/incidents/1", key: PrivacyHarness.wasteKey)
            #expect(r.status == .ok)
            #expect(try Harness.json(r.body)["properties"]?["reporter"] == nil)

            r = try await PrivacyHarness.patch(client, id: 1, "{\"status\":\"in_progress\"}", key: PrivacyHarness.wasteKey)
            #expect(r.status == .forbidden)
            #expect(r.problemDetail == "this key works on incidents of Управление ЖКХ; incident 1 is routed to Дорожное управление")
            #expect(!r.bodyText.contains("waste-desk"))
            r = try await PrivacyHarness.patch(client, id: 1, "{\"status\":\"in_progress\"}", key: PrivacyHarness.roadsKey)
            #expect(r.status == .ok)
        }
    }

    @Test func refusalsNameTheScopeNeverTheKey() async throws {
        try await PrivacyHarness.withApp { t in
            let batch = IncidentAPITests.collection([IncidentAPITests.feature(externalID: "a"), IncidentAPITests.feature(externalID: "b")])
            let r = try await IncidentAPITests.post(t.client, batch, key: Harness.operatorKey)
            #expect(r.status == .forbidden)
            #expect(r.problemDetail == "a batch of 2 features needs the admin scope; this key has operator")
            #expect(!r.bodyText.contains("hotline-1"))
        }
    }

    @Test func oldKeyFilesAndEnvironmentKeysKeepTheirRoles() throws {
        let env = try APIKeys.parseEnvironment("k1:operator:desk,k2:admin,k3:intake:fms")
        #expect(env.principal(forKey: "k1") == APIPrincipal(name: "desk", role: .operator_))
        #expect(env.principal(forKey: "k2")?.role == .admin)
        #expect(env.principal(forKey: "k3")?.role == .intake)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("otklik-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let old = dir.appendingPathComponent("api-keys.json")
        try Data("""
            {"keys": [{"name": "demo-operator", "role": "operator", "sha256": "\(APIKeys.digest("otk_demo"))"},
                      {"name": "ops", "role": "admin", "key": "plain-admin"}]}
            """.utf8).write(to: old)
        let keys = try APIKeys.load(file: old.path)
        #expect(keys.principal(forKey: "otk_demo") == APIPrincipal(name: "demo-operator", role: .operator_))
        #expect(keys.principal(forKey: "plain-admin")?.role == .admin)
    }
}
