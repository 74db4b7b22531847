import Foundation
import Testing
import OtklikCore

// Reference epochs from Python: datetime.fromisoformat(s).timestamp()
//   python3 -c "import datetime as d; print(d.datetime.fromisoformat('2025-03-01T10:15:00+03:00').timestamp())"
@Suite struct TimestampTests {
    @Test(arguments: [
        ("2025-03-01T10:15:00+03:00", 1_740_813_300.0),
        ("2024-02-29T23:59:59Z", 1_709_251_199.0),
        ("1999-12-31T21:00:00-05:30", 946_693_800.0),
        ("2026-11-29T00:00:00.250Z", 1_795_910_400.25),
    ])
    func parsesOffsetsLikePython(text: String, epoch: Double) throws {
        #expect(try Timestamp.parse(text, field: "reported_at").timeIntervalSince1970 == epoch)
    }

    @Test func refusesMissingOffsetUnlessUTCIsAssumed() throws {
        #expect(throws: ValidationError.self) { try Timestamp.parse("2025-03-01T10:15:00", field: "reported_at") }
        #expect(try Timestamp.parse("2025-03-01T10:15:00", field: "reported_at", assumeUTC: true).timeIntervalSince1970 == 1_740_824_100)
    }

    @Test func namesTheFieldAndValueInErrors() {
        do {
            _ = try Timestamp.parse("2025-02-30T00:00:00Z", field: "resolved_at")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("resolved_at"))
            #expect(error.description.contains("2025-02-30T00:00:00Z"))
        }
    }

    @Test(arguments: ["", "yesterday", "2025-13-01T00:00:00Z", "2025-01-01T25:00:00Z", "2025-01-01T10:00:00+25:00", "2025-01-01T10:00:00Zjunk"])
    func rejectsMalformedTimestamps(text: String) {
        #expect(throws: ValidationError.self) { try Timestamp.parse(text, field: "t") }
    }

    @Test func formatsRoundTrip() throws {
        let d = try Timestamp.parse("2024-02-29T23:59:59Z", field: "t")
        #expect(Timestamp.format(d) == "2024-02-29T23:59:59Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
    }

    @Test func parsesOGCDatetimeIntervals() throws {
        let w = try TimeWindow.parseOGC("2025-01-01T00:00:00Z/..")
        #expect(w.start == Date(timeIntervalSince1970: 1_735_689_600))
        #expect(w.end == nil)
        #expect(throws: ValidationError.self) { try TimeWindow.parseOGC("../..") }
        #expect(throws: ValidationError.self) { try TimeWindow.parseOGC("2025-02-01T00:00:00Z/2025-01-01T00:00:00Z") }
        let day = try TimeWindow.parseOGC("2025-01-01")
        #expect(day.contains(Date(timeIntervalSince1970: 1_735_689_600 + 86_000)))
        #expect(!day.contains(Date(timeIntervalSince1970: 1_735_689_600 + 86_400)))
    }
}
