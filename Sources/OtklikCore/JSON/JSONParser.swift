/// A strict RFC 8259 parser over raw bytes. Request bodies go through it rather than JSONDecoder so that
/// every refusal (bad UTF-8, NaN, trailing garbage, nesting bombs) becomes a 400 with the byte offset.
public struct JSONParser {
    public struct Failure: Error, CustomStringConvertible {
        public var offset: Int
        public var reason: String
        public var description: String { "malformed JSON at byte \(offset): \(reason)" }
    }

    private let b: [UInt8]
    private var i = 0
    private let maxDepth = 64

    private init(_ bytes: [UInt8]) { b = bytes }

    public static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        var p = JSONParser(bytes)
        // A UTF-8 byte order mark is tolerated; some Windows tools write one.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { p.i = 3 }
        p.skipSpace()
        guard p.i < bytes.count else { throw Failure(offset: 0, reason: "empty body") }
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.i == bytes.count else { throw Failure(offset: p.i, reason: "unexpected data after the JSON value") }
        return v
    }

    private mutating func skipSpace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
    }

    private func fail(_ reason: String) -> Failure { Failure(offset: i, reason: reason) }

    private mutating func value(depth: Int) throws(Failure) -> JSONValue {
        guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth) levels") }
        guard i < b.count else { throw fail("unexpected end of input") }
        switch b[i] {
        case 0x7B: return try object(depth: depth)
        case 0x5B: return try array(depth: depth)
        case 0x22: return .string(try string())
        case 0x74: try literal("true"); return .bool(true)
        case 0x66: try literal("false"); return .bool(false)
        case 0x6E: try literal("null"); return .null
        case 0x2D, 0x30...0x39: return .number(try number())
        default:
            throw fail("unexpected character '\(String(decoding: [b[i]], as: UTF8.self))'")
        }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let w = word.withUTF8Buffer { Array($0) }
        guard i + w.count <= b.count, Array(b[i..<(i + w.count)]) == w else { throw fail("invalid literal") }
        i += w.count
    }

    private mutating func object(depth: Int) throws(Failure) -> JSONValue {
        i += 1
        var members: [(String, JSONValue)] = []
        skipSpace()
        if i < b.count, b[i] == 0x7D { i += 1; return .object(members) }
        while true {
            skipSpace()
            guard i < b.count, b[i] == 0x22 else { throw fail("expected a string key") }
            let k = try string()
            skipSpace()
            guard i < b.count, b[i] == 0x3A else { throw fail("expected ':' after key") }
            i += 1
            skipSpace()
            let v = try value(depth: depth + 1)
            if let existing = members.firstIndex(where: { $0.0 == k }) {
                members[existing].1 = v
            } else {
                members.append((k, v))
            }
            skipSpace()
            guard i < b.count else { throw fail("unterminated object") }
            if b[i] == 0x2C { i += 1; continue }
            if b[i] == 0x7D { i += 1; return .object(members) }
            throw fail("expected ',' or '}' in object")
        }
    }

    private mutating func array(depth: Int) throws(Failure) -> JSONValue {
        i += 1
        var items: [JSONValue] = []
        skipSpace()
        if i < b.count, b[i] == 0x5D { i += 1; return .array(items) }
        while true {
            skipSpace()
            items.append(try value(depth: depth + 1))
            skipSpace()
            guard i < b.count else { throw fail("unterminated array") }
            if b[i] == 0x2C { i += 1; continue }
            if b[i] == 0x5D { i += 1; return .array(items) }
            throw fail("expected ',' or ']' in array")
        }
    }

    private mutating func number() throws(Failure) -> Double {
        let start = i
        if b[i] == 0x2D { i += 1 }
        guard i < b.count, b[i] >= 0x30, b[i] <= 0x39 else { throw fail("expected a digit") }
        if b[i] == 0x30 {
            i += 1
        } else {
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
        }
        if i < b.count, b[i] == 0x2E {
            i += 1
            guard i < b.count, b[i] >= 0x30, b[i] <= 0x39 else { throw fail("expected a digit after '.'") }
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
        }
        if i < b.count, b[i] == 0x65 || b[i] == 0x45 {
            i += 1
            if i < b.count, b[i] == 0x2B || b[i] == 0x2D { i += 1 }
            guard i < b.count, b[i] >= 0x30, b[i] <= 0x39 else { throw fail("expected a digit in the exponent") }
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
        }
        let text = String(decoding: b[start..<i], as: UTF8.self)
        guard let d = Double(text) else { throw Failure(offset: start, reason: "number '\(text)' cannot be read") }
        return d
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard i + 4 <= b.count else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[i]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw fail("invalid hex digit in \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    private mutating func string() throws(Failure) -> String {
        let start = i
        i += 1
        var out: [UInt8] = []
        while true {
            guard i < b.count else { throw Failure(offset: start, reason: "unterminated string") }
            let c = b[i]
            if c == 0x22 { i += 1; break }
            if c < 0x20 { throw fail("unescaped control character in string") }
            if c == 0x5C {
                i += 1
                guard i < b.count else { throw fail("unterminated escape") }
                let e = b[i]
                i += 1
                switch e {
                case 0x22: out.append(0x22)
                case 0x5C: out.append(0x5C)
                case 0x2F: out.append(0x2F)
                case 0x62: out.append(0x08)
                case 0x66: out.append(0x0C)
                case 0x6E: out.append(0x0A)
                case 0x72: out.append(0x0D)
                case 0x74: out.append(0x09)
                case 0x75:
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard i + 6 <= b.count, b[i] == 0x5C, b[i + 1] == 0x75 else { throw fail("lone high surrogate") }
                        i += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail("invalid low surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw fail("lone low surrogate")
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw fail("invalid code point") }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default:
                    throw fail("invalid escape '\\\(String(decoding: [e], as: UTF8.self))'")
                }
                continue
            }
            out.append(c)
            i += 1
        }
        guard let s = String(validating: out, as: UTF8.self) else {
            throw Failure(offset: start, reason: "string is not valid UTF-8")
        }
        return s
    }
}
