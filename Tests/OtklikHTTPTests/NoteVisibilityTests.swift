import Foundation
import Hummingbird
import HummingbirdTesting
import OtklikCore
@testable import OtklikHTTP
import Testing

/// An operator's note is internal unless marked public, and only public notes are published.
@Suite struct NoteVisibilityTests {
    static let secretNote = "Перезвонил заявителю Иван Секретов +79990001122"

    @Test func aPatchNoteIsInternalByDefaultAndNeverReachesOpen311() async throws {
        try await PrivacyHarness.withApp { t in
            let client = t.client
            var r = try await PrivacyHarness.patch(client, id: 1, "{\"status\":\"in_progress\",\"note\":\"\(Self.secretNote)\"}",
                                                   key: Harness.operatorKey)
            #expect(r.status == .ok)
            let events = try Harness.json(r.body)["properties"]?["events"]?.list ?? []
            #expect(events.last?["note"]?.str == Self.secretNote)
            #expect(events.last?["visibility"]?.str == "internal")

            for uri in ["/open311/v2/requests/1.json", "/open311/v2/requests/1.xml", "/open311/v2/requests.json?service_request_id=1",
                        "/ogc/collections/incidents/items/1", "/api/v1/incidents/1"] {
                r = try await PrivacyHarness.get(client, uri)
                #expect(r.status == .ok, "\(uri)")
                #expect(!r.bodyText.contains("79990001122"), "\(uri) publishes the internal note")
                #expect(!r.bodyText.contains("Секретов"), "\(uri) publishes the internal note")
            }
            let item = try #require(try await client.get("/open311/v2/requests/1.json").array.first)
            #expect(item["status_notes"] as? String == "")

            // The operator still reads it.
            r = try await PrivacyHarness.get(client, "/api/v1/incidents/1", key: Harness.operatorKey)
            #expect(try Harness.json(r.body)["properties"]?["events"]?.list.last?["note"]?.str == Self.secretNote)
        }
    }

    @Test func aPublicNoteIsWhatOpen311Shows() async throws {
        try await PrivacyHarness.withApp { t in
            var r = try await PrivacyHarness.patch(t.client, id: 1, "{\"status\":\"resolved\",\"note\":\"Яма заделана\",\"visibility\":\"public\"}",
                                                   key: Harness.operatorKey)
            #expect(r.status == .ok)
            let item = try #require(try await t.client.get("/open311/v2/requests/1.json").array.first)
            #expect(item["status_notes"] as? String == "Яма заделана")
            r = try await PrivacyHarness.patch(t.client, id: 2, "{\"status\":\"resolved\",\"visibility\":\"secret\"}", key: Harness.operatorKey)
            #expect(r.status == .badRequest)
            #expect(r.headers[.contentType] == "application/problem+json")
            #expect(r.problemDetail == "visibility: 'secret' is not public or internal")
        }
    }
}
