/// RFC 4180 CSV, streamed: quoted fields, doubled quotes, CRLF or LF, newlines inside quotes.
/// Reports the physical line where each record starts, so rejects point at the right line.
struct CSVReader {
    private var buffer: [UInt8] = []
    private var pos = 0
    private var line = 1
    private let source: ByteSource
    private var eof = false

    init(source: ByteSource) {
        self.source = source
    }

    /// The next record as fields of raw UTF-8, with its starting line; nil at the end.
    ///
    /// Runs of ordinary bytes are copied into the field at once: the scan stops only at the bytes that mean
    /// something in the current state (a comma, a quote, CR or LF outside quotes; a quote inside them).
    mutating func next() throws -> (line: Int, fields: [String])? {
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var started = false
        var startLine = line
        while true {
            if pos >= buffer.count {
                if try eof || !refill() {
                    eof = true
                    if inQuotes { throw StoreError(.importFile, "line \(startLine): unterminated quoted field at end of file") }
                    if !started && field.isEmpty && fields.isEmpty { return nil }
                    fields.append(String(decoding: field, as: UTF8.self))
                    return (startLine, fields)
                }
            }
            if inQuotes {
                let (end, newlines) = buffer.withUnsafeBufferPointer { b -> (Int, Int) in
                    var i = pos, n = 0
                    while i < b.count && b[i] != 0x22 {
                        if b[i] == 0x0A { n += 1 }
                        i += 1
                    }
                    return (i, n)
                }
                field.append(contentsOf: buffer[pos..<end])
                line += newlines
                pos = end
                if pos >= buffer.count { continue }
                pos += 1   // the quote: a doubled one stands for itself, a single one closes the field
                if pos >= buffer.count { _ = try refill() }
                if pos < buffer.count && buffer[pos] == 0x22 {
                    field.append(0x22)
                    pos += 1
                } else {
                    inQuotes = false
                }
                continue
            }
            let end = buffer.withUnsafeBufferPointer { b -> Int in
                var i = pos
                while i < b.count {
                    let c = b[i]
                    if c == 0x2C || c == 0x0A || c == 0x0D || c == 0x22 { break }
                    i += 1
                }
                return i
            }
            // A whole field between two delimiters in the buffer, the common case, becomes its String straight
            // from the buffer, without a copy into `field` first.
            var whole: Range<Int>?
            if end > pos {
                started = true
                if field.isEmpty && end < buffer.count && (buffer[end] == 0x2C || buffer[end] == 0x0A) {
                    whole = pos..<end
                } else {
                    field.append(contentsOf: buffer[pos..<end])
                }
                pos = end
                if pos >= buffer.count { continue }
            }
            let c = buffer[pos]
            pos += 1
            switch c {
            case 0x22 where field.isEmpty:
                inQuotes = true
                started = true
            case 0x2C:
                fields.append(whole.map { text(buffer[$0]) } ?? text(field))
                field.removeAll(keepingCapacity: true)
                started = true
            case 0x0A:
                line += 1
                if !started && field.isEmpty && fields.isEmpty { startLine = line; continue } // blank line
                fields.append(whole.map { text(buffer[$0]) } ?? text(field))
                return (startLine, fields)
            case 0x0D:
                continue
            default:   // a quote inside an unquoted field is an ordinary byte
                field.append(c)
                started = true
            }
        }
    }

    private func text(_ bytes: some Collection<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    private mutating func refill() throws -> Bool {
        guard let chunk = try source.next() else { return false }
        if pos >= buffer.count {
            buffer = chunk
        } else {
            buffer = Array(buffer[pos...]) + chunk
        }
        pos = 0
        return true
    }

    var progress: (Int64, Int64) { (source.consumedBytes, source.totalBytes) }
}
