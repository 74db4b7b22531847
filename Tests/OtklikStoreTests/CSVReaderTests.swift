import Foundation
import OtklikTestSupport
import Testing
@testable import OtklikStore

/// The CSV reader on the cases RFC 4180 files put together, with the file read in chunks so small that a
/// chunk ends at every byte: inside a quoted field, between a quote and the quote that doubles it, between
/// CR and LF.
@Suite struct CSVReaderTests {
    /// Records of `text` with the line each starts on.
    func read(_ text: String, chunkSize: Int, gzip: Bool = false) throws -> [CSVRecordForTest] {
        let folder = try TempFolder("otklik-csv")
        defer { folder.remove() }
        var path = folder.path("t.csv")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        if gzip {
            let r = try ExternalProcess.run(Peers.require(.gzip), ["-k", path])
            #expect(r.succeeded, "\(r)")
            path += ".gz"
        }
        var reader = CSVReader(source: try ByteSource(path: path, chunkSize: chunkSize))
        var out: [CSVRecordForTest] = []
        while let r = try reader.next() { out.append(.init(line: r.line, fields: r.fields)) }
        return out
    }

    // The expected fields are what Python's csv module reads from the same bytes:
    // python3 -c "import csv; print(list(csv.reader(open('t.csv', newline=''))))"
    // (it also returns the blank third line as an empty record, which the reader skips).
    static let text = "a,b,c\n\"x, y\",\"say \"\"hi\"\"\",plain\r\n\n\"multi\nline\",2,\"end\"\nq\"mid,\"ab\"cd,\n,,\n"
        + "\"Смоленск\",Рудня,\"Сосновка\r\nдвор\"\nlast,no-newline"
    static let expected: [CSVRecordForTest] = [
        .init(line: 1, fields: ["a", "b", "c"]),
        .init(line: 2, fields: ["x, y", "say \"hi\"", "plain"]),
        .init(line: 4, fields: ["multi\nline", "2", "end"]),
        .init(line: 6, fields: ["q\"mid", "abcd", ""]),
        .init(line: 7, fields: ["", "", ""]),
        .init(line: 8, fields: ["Смоленск", "Рудня", "Сосновка\r\nдвор"]),
        .init(line: 10, fields: ["last", "no-newline"]),
    ]

    @Test(arguments: [1, 2, 3, 7, 64, ByteSource.chunk])
    func readsQuotesNewlinesAndLinesAtEveryChunkBoundary(chunkSize: Int) throws {
        #expect(try read(Self.text, chunkSize: chunkSize) == Self.expected)
    }

    @Test(.requires(.gzip), arguments: [1, 5, ByteSource.chunk])
    func readsTheSameThroughGzip(chunkSize: Int) throws {
        #expect(try read(Self.text, chunkSize: chunkSize, gzip: true) == Self.expected)
    }

    @Test(arguments: [1, 4, ByteSource.chunk])
    func anUnterminatedQuoteFailsWithItsLine(chunkSize: Int) throws {
        let error = #expect(throws: StoreError.self) {
            _ = try read("a,b\n\"open,\nstill open", chunkSize: chunkSize)
        }
        #expect(error?.message == "line 2: unterminated quoted field at end of file")
    }

    @Test func emptyAndBlankFilesHaveNoRecords() throws {
        #expect(try read("", chunkSize: 3).isEmpty)
        #expect(try read("\n\r\n\n", chunkSize: 1).isEmpty)
    }
}

struct CSVRecordForTest: Equatable, CustomStringConvertible {
    var line: Int
    var fields: [String]
    var description: String { "\(line): \(fields)" }
}
