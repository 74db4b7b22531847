import Foundation
import Hummingbird
import HummingbirdTesting
import OtklikCore
@testable import OtklikHTTP
import OtklikTestSupport
import Testing

/// Every read of a reporter's contact is recorded before the contact is sent, and `otklik audit` lists them.
@Suite struct ContactAuditTests {
    @Test func everyContactReadIsRecordedWithKeyIncidentAndRoute() async throws {
        try await PrivacyHarness.withApp { t in
            let started = Date().addingTimeInterval(-1)
            _ = try await PrivacyHarness.get(t.client, "/api/v1/incidents/1", key: Harness.operatorKey)
            _ = try await PrivacyHarness.get(t.client, "/api/v1/incidents/2", key: PrivacyHarness.roadsKey)
            _ = try await PrivacyHarness.get(t.client, "/api/v1/incidents/1", key: Harness.operatorKey)
            // No contact is read here: anonymous, intake, another agency's operator.
            _ = try await PrivacyHarness.get(t.client, "/api/v1/incidents/3")
            _ = try await PrivacyHarness.get(t.client, "/api/v1/incidents/3", key: PrivacyHarness.intakeKey)
            _ = try await PrivacyHarness.get(t.client, "/api/v1/incidents/3", key: PrivacyHarness.wasteKey)
            let reads = try await t.store.contactReads(since: nil, keyName: nil)
            #expect(reads.map(\.keyName) == ["hotline-1", "roads-desk", "hotline-1"])
            #expect(reads.map(\.incidentID) == [1, 2, 1])
            #expect(Set(reads.map(\.route)) == ["GET /api/v1/incidents/{id}"])
            #expect(reads.allSatisfy { $0.at >= started.addingTimeInterval(-1) && $0.at <= Date() })
        }
    }

    @Test
    func otklikAuditListsTheReadsAsTableCSVAndJSON() async throws {
        try await PrivacyHarness.withApp { t in
            _ = try await PrivacyHarness.get(t.client, "/api/v1/incidents/1", key: Harness.operatorKey)
            _ = try await PrivacyHarness.get(t.client, "/api/v1/incidents/2", key: PrivacyHarness.roadsKey)
            let base = ["audit", "--db", t.store.path, "--data-dir", PrivacyHarness.dataDir]
            var r = try PrivacyHarness.run(base + ["--format", "csv"], includeStderr: false)
            #expect(r.status == 0, "\(r.output)")
            let lines = r.output.split(separator: "\n").map(String.init)
            #expect(lines.first == "at,key,incident_id,route")
            #expect(lines.count == 3)
            #expect(lines[1].hasSuffix(",hotline-1,1,GET /api/v1/incidents/{id}"))

            r = try PrivacyHarness.run(base + ["--key", "roads-desk", "--format", "json"], includeStderr: false)
            #expect(r.status == 0)
            let list = try JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [[String: Any]]
            #expect(list?.count == 1)
            #expect(list?.first?["key"] as? String == "roads-desk")
            #expect(list?.first?["incident_id"] as? Int == 2)

            r = try PrivacyHarness.run(base)
            #expect(r.status == 0)
            #expect(r.output.contains("hotline-1") && r.output.contains("roads-desk"))

            r = try PrivacyHarness.run(base + ["--since", "2999-01-01", "--format", "csv"], includeStderr: false)
            #expect(r.status == 0)
            #expect(r.output == "at,key,incident_id,route\n")

            r = try PrivacyHarness.run(base + ["--since", "yesterday"])
            #expect(r.status != 0)
            #expect(r.output.contains("--since"))
        }
    }
}
