import Testing
@testable import OtklikPostGIS

/// The text format of `COPY … FROM STDIN` as PostgreSQL's documentation gives it: fields split by tabs, rows
/// ended by a newline, NULL as `\N`, and a backslash, tab, newline or carriage return in a value escaped.
@Suite struct CopyTextTests {
    @Test func fieldsAreEscapedAsCopyReadsThem() {
        var text = CopyText(capacity: 0)
        text.field("Яма у дома")
        text.field(nil)
        text.field("")
        text.field("a\\b\tc\nd\re", last: true)
        text.field("ул. Ленина, д. 1", last: true)
        #expect(String(decoding: text.bytes, as: UTF8.self)
                == "Яма у дома\t\\N\t\ta\\\\b\\tc\\nd\\re\nул. Ленина, д. 1\n")
    }
}
