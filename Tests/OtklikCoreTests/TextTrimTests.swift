import Testing
import OtklikCore
import Foundation

@Suite struct TextTrimTests {
    @Test func trimsASCIISpacesAndTabsOnly() {
        #expect("  32.5\t".trimmingSpaces() == "32.5")
        #expect("Сосновка".trimmingSpaces() == "Сосновка")
        #expect(" \t ".trimmingSpaces() == "")
        #expect("".trimmingSpaces() == "")
        #expect(" a b ".trimmingSpaces() == "a b")
        #expect("\u{00A0}x".trimmingSpaces() == "\u{00A0}x", "only ASCII blanks are trimmed")
    }

    @Test func formatsTimestampsOutsideFourDigitYears() {
        // The fast path writes four-digit years; others fall back to the general formatter.
        #expect(Timestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 253_402_300_800)) == "10000-01-01T00:00:00Z")
    }
}
