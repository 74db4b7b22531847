/// What can be told of an import file from its first bytes, before a database is opened.
public enum ImportFile {
    /// Bytes looked at: enough to hold any header line worth reading, little enough to cost nothing.
    static let sniffBytes = 64 << 10

    /// Refuses a file that is not UTF-8 text, saying where it stops being text, so that an executable or a
    /// spreadsheet given by mistake is not read as a CSV whose "header" is its binary prefix. Looks at the
    /// decoded bytes, so a gzip file is judged by its content. Throws `StoreError(.importFile)`.
    public static func checkIsText(path: String) throws {
        let source = try ByteSource(path: path, chunkSize: sniffBytes)
        guard let head = try source.next() else { return }
        if let problem = problem(in: head) {
            throw StoreError(.importFile, "\(path) \(problem); give a CSV, GeoJSON or NDJSON file")
        }
    }

    /// Why these first bytes are not UTF-8 text, or nil when they are. Looks for NUL bytes in the whole block and
    /// for invalid UTF-8 in its first line (the data lines are refused row by row). A first line that runs past
    /// the block may end in a character cut in two, which is not held against it.
    static func problem(in head: [UInt8]) -> String? {
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) {
            return "is UTF-16 text; save it as UTF-8"
        }
        if let nul = head.firstIndex(of: 0) {
            return "is not a text file (it has NUL bytes at byte \(nul))"
        }
        let lineEnd = head.firstIndex(of: 0x0A) ?? head.count
        if let bad = invalidUTF8(head[..<lineEnd], mayBeCut: lineEnd == head.count) {
            return "is not UTF-8 text (its first line has the byte 0x\(String(head[bad], radix: 16, uppercase: true)) at byte \(bad))"
        }
        return nil
    }

    /// The offset of the first byte that does not belong to a well-formed UTF-8 sequence. A sequence cut by the
    /// end of the bytes counts as well formed when `mayBeCut`, since the rest of it is in the next block.
    static func invalidUTF8(_ bytes: ArraySlice<UInt8>, mayBeCut: Bool) -> Int? {
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            let length: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
            switch b {
            case 0x00...0x7F: i += 1; continue
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE, 0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return i
            }
            for k in 1..<length {
                guard i + k < bytes.endIndex else { return mayBeCut ? nil : i }
                let c = bytes[i + k]
                let (lo, hi) = k == 1 ? (lower, upper) : (UInt8(0x80), UInt8(0xBF))
                guard c >= lo && c <= hi else { return i }
            }
            i += length
        }
        return nil
    }
}
