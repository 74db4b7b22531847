import Foundation
import Hummingbird
import HummingbirdTesting
import OtklikCore
@testable import OtklikHTTP
import Testing

/// Each key has its own token bucket; past it the key gets 429 with Retry-After.
@Suite struct KeyRateLimitTests {
    @Test func aKeyPastItsBurstGets429WithRetryAfter() async throws {
        // One token per 100 s: a refill between the requests cannot hide the limit, however slow the machine.
        try await PrivacyHarness.withApp(rate: 0.01, burst: 3) { t in
            for _ in 0..<3 {
                let r = try await PrivacyHarness.get(t.client, "/api/v1/incidents/1", key: Harness.operatorKey)
                #expect(r.status == .ok)
            }
            let r = try await PrivacyHarness.get(t.client, "/api/v1/incidents/1", key: Harness.operatorKey)
            #expect(r.status == .tooManyRequests)
            let wait = try #require(r.headers[.retryAfter].flatMap(Int.init))
            #expect((1...100).contains(wait))
            #expect(r.headers[.contentType] == "application/problem+json")
            let doc = try Harness.json(r.body)
            #expect(doc["type"]?.str == "/problems/rate-limited")
            #expect(doc["status"]?.int == 429)
            #expect(r.problemDetail == "this API key may make 0.01 requests per second on average, 3 at once; retry in \(wait) s")
            #expect(!r.bodyText.contains("hotline-1"))
            // Another key has its own bucket; anonymous reads are not counted against any key.
            #expect(try await PrivacyHarness.get(t.client, "/api/v1/incidents/1", key: Harness.adminKey).status == .ok)
            #expect(try await PrivacyHarness.get(t.client, "/api/v1/incidents/1").status == .ok)
            // The refused reads read no contact.
            #expect(try await t.store.contactReads(since: nil, keyName: "hotline-1").count == 3)
        }
    }

    @Test func open311IntakePastItsBurstGets429InTheSpecsErrorFormat() async throws {
        try await PrivacyHarness.withApp(rate: 0.01, burst: 1) { t in
            let first = try await PrivacyHarness.open311Post(t.client, key: PrivacyHarness.intakeKey)
            #expect(first.status == 200)
            let r = try await t.client.execute(uri: "/open311/v2/requests.json", method: .post,
                                               headers: [.contentType: "application/x-www-form-urlencoded"],
                                               body: ByteBuffer(string: Open311Encode.form(
                                                   [("api_key", PrivacyHarness.intakeKey)] + Open311TestApp.form().filter { $0.0 != "api_key" }))) { $0 }
            #expect(r.status == .tooManyRequests)
            #expect(r.headers[.retryAfter].flatMap(Int.init).map { (1...100).contains($0) } == true)
            let list = try JSONSerialization.jsonObject(with: Data(r.bodyText.utf8)) as? [[String: Any]]
            #expect(list?.first?["code"] as? Int == 429)
        }
    }

    @Test func aBucketRefillsAtItsRateUpToItsBurst() {
        var b = TokenBucket(burst: 2, at: 0)
        #expect(b.take(now: 0, rate: 1, burst: 2) == nil)
        #expect(b.take(now: 0, rate: 1, burst: 2) == nil)
        #expect(b.take(now: 0.25, rate: 1, burst: 2) == 0.75)
        #expect(b.take(now: 1, rate: 1, burst: 2) == nil)
        // A long pause fills the bucket to its burst, no more.
        #expect(b.take(now: 100, rate: 1, burst: 2) == nil)
        #expect(b.take(now: 100, rate: 1, burst: 2) == nil)
        #expect(b.take(now: 100, rate: 1, burst: 2) != nil)
    }
}
