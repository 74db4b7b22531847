import Testing
import OtklikCore

@Suite struct RussianNumberTests {
    // Written out so a wrong separator shows in the failure: NNBSP is U+202F, MINUS is U+2212.
    static let nnbsp = "\u{202F}", minus = "\u{2212}"

    @Test func writesDecimalCommaAndGroupsThousandsWithNarrowSpaces() {
        #expect(RussianNumber.format(1234.5, fractionDigits: 2) == "1\(Self.nnbsp)234,50")
        #expect(RussianNumber.format(6.6, fractionDigits: 1) == "6,6")
        #expect(RussianNumber.format(999.4, fractionDigits: 0) == "999")
        #expect(RussianNumber.format(1_000, fractionDigits: 0) == "1\(Self.nnbsp)000")
    }

    @Test func writesZeroWithoutSign() {
        #expect(RussianNumber.format(0, fractionDigits: 0) == "0")
        #expect(RussianNumber.format(0, fractionDigits: 2) == "0,00")
        #expect(RussianNumber.format(-0.0, fractionDigits: 1) == "0,0")
        #expect(RussianNumber.format(-0.04, fractionDigits: 1) == "0,0", "a value that rounds to zero has no sign")
        #expect(RussianNumber.integer(0) == "0")
        #expect(RussianNumber.percent(0, fractionDigits: 1) == "0,0\(Self.nnbsp)%")
    }

    @Test func writesNegativeNumbersWithTheMinusSign() {
        #expect(RussianNumber.format(-1234.56, fractionDigits: 1) == "\(Self.minus)1\(Self.nnbsp)234,6")
        #expect(RussianNumber.format(-0.5, fractionDigits: 0) == "\(Self.minus)1")
        #expect(RussianNumber.integer(-4975) == "\(Self.minus)4\(Self.nnbsp)975")
        #expect(RussianNumber.integer(Int.min) == "\(Self.minus)9\(Self.nnbsp)223\(Self.nnbsp)372\(Self.nnbsp)036\(Self.nnbsp)854\(Self.nnbsp)775\(Self.nnbsp)808")
        #expect(RussianNumber.percent(-3.25, fractionDigits: 1) == "\(Self.minus)3,3\(Self.nnbsp)%")
    }

    @Test func roundsHalfAwayFromZeroOnTheWrittenDigits() {
        #expect(RussianNumber.format(2.5, fractionDigits: 0) == "3")
        #expect(RussianNumber.format(3.5, fractionDigits: 0) == "4")
        #expect(RussianNumber.format(1.005, fractionDigits: 2) == "1,01", "1.005 is 1.00499… in binary; a reader sees 1.005")
        #expect(RussianNumber.format(0.125, fractionDigits: 2) == "0,13")
        #expect(RussianNumber.format(9.995, fractionDigits: 2) == "10,00")
        #expect(RussianNumber.format(999_999.5, fractionDigits: 0) == "1\(Self.nnbsp)000\(Self.nnbsp)000")
        #expect(RussianNumber.format(0.0004, fractionDigits: 3) == "0,000")
        #expect(RussianNumber.format(0.0005, fractionDigits: 3) == "0,001")
        #expect(RussianNumber.format(1.23456e-7, fractionDigits: 9) == "0,000000123")
        #expect(RussianNumber.format(0.7, fractionDigits: 0) == "1")
        #expect(RussianNumber.format(12.3, fractionDigits: 4) == "12,3000")
    }

    @Test func writesLargeNumbersInFull() {
        #expect(RussianNumber.integer(4975) == "4\(Self.nnbsp)975")
        #expect(RussianNumber.integer(329_853) == "329\(Self.nnbsp)853")
        #expect(RussianNumber.integer(UInt64.max) == "18\(Self.nnbsp)446\(Self.nnbsp)744\(Self.nnbsp)073\(Self.nnbsp)709\(Self.nnbsp)551\(Self.nnbsp)615")
        #expect(RussianNumber.format(1e16, fractionDigits: 0) == "10\(Self.nnbsp)000\(Self.nnbsp)000\(Self.nnbsp)000\(Self.nnbsp)000\(Self.nnbsp)000")
        #expect(RussianNumber.format(1.5e21, fractionDigits: 1).hasPrefix("1\(Self.nnbsp)500\(Self.nnbsp)000"))
        #expect(RussianNumber.format(1.5e21, fractionDigits: 1).hasSuffix(",0"))
    }

    @Test func writesPercentWithANarrowSpaceBeforeTheSign() {
        #expect(RussianNumber.percent(6.6, fractionDigits: 1) == "6,6\(Self.nnbsp)%")
        #expect(RussianNumber.percent(6.64) == "6,6\(Self.nnbsp)%")
        #expect(RussianNumber.percent(100, fractionDigits: 0) == "100\(Self.nnbsp)%")
        #expect(RussianNumber.percent(1234.5, fractionDigits: 0) == "1\(Self.nnbsp)235\(Self.nnbsp)%")
    }

    @Test func writesNonFiniteValuesReadably() {
        #expect(RussianNumber.format(.nan, fractionDigits: 1) == "—")
        #expect(RussianNumber.format(.infinity, fractionDigits: 1) == "∞")
        #expect(RussianNumber.format(-.infinity, fractionDigits: 0) == "\(Self.minus)∞")
    }

    @Test func clampsNegativeFractionDigitsToWholeNumbers() {
        #expect(RussianNumber.format(12.7, fractionDigits: -2) == "13")
    }
}
