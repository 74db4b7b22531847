import Foundation
import XCTest
import OtklikCore

/// Calendar arithmetic under XCTest, so that both runners report on the core.
/// Reference epochs: python3 -c "import datetime as d; print(d.datetime.fromisoformat('2000-02-29T12:00:00+05:00').timestamp())"
final class CivilCalendarXCTests: XCTestCase {
    func testLeapDayWithPositiveOffsetMatchesPython() throws {
        XCTAssertEqual(try Timestamp.parse("2000-02-29T12:00:00+05:00", field: "t").timeIntervalSince1970, 951_807_600)
        XCTAssertEqual(try Timestamp.parse("2026-03-29T01:30:00+01:00", field: "t").timeIntervalSince1970, 1_774_744_200)
    }

    func testDaysFromCivilRoundTripsOverFourHundredYears() {
        // 1900-01-01 is day -25567 of the Unix epoch (python3 -c "import datetime as d; print((d.date(1900,1,1)-d.date(1970,1,1)).days)").
        XCTAssertEqual(Timestamp.daysFromCivil(year: 1900, month: 1, day: 1), -25_567)
        for day in stride(from: -25_567, through: 146_097 - 25_567, by: 97) {
            let (y, m, d) = Timestamp.civilFromDays(day)
            XCTAssertEqual(Timestamp.daysFromCivil(year: y, month: m, day: d), day)
        }
    }

    func testRefusesFebruaryThirtieth() {
        XCTAssertThrowsError(try Timestamp.parse("2024-02-30T00:00:00Z", field: "reported_at")) { error in
            XCTAssertEqual((error as? ValidationError)?.field, "reported_at")
        }
    }
}
