/// Appends JSON tokens to a byte array, for whole documents. The streamed feature pages write their incidents
/// with `JSONCursor` straight into the response's buffer; numbers and escaped strings here go through the same
/// cursor.
public struct JSONWriter {
    public var bytes: [UInt8] = []

    @inlinable public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    @inlinable public mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    @inlinable public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { string(utf8: $0) }
    }

    /// Whether any byte is a control character, a quote or a backslash, tested eight bytes at a time: a byte
    /// below 0x20 or equal to 0x22 or 0x5C sets its high bit in one of the three masks (exact, not a filter;
    /// UTF-8 continuation and lead bytes, at 0x80 and above, never do).
    @inlinable public static func needsEscape(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = text.baseAddress else { return false }
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        var i = 0
        while i + 8 <= text.count {
            let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            let control = (w &- ones &* 0x20) & ~w & highs
            let q = w ^ (ones &* 0x22), b = w ^ (ones &* 0x5C)
            let quote = (q &- ones) & ~q & highs
            let backslash = (b &- ones) & ~b & highs
            if control | quote | backslash != 0 { return true }
            i += 8
        }
        while i < text.count {
            let c = base[i]
            if c < 0x20 || c == 0x22 || c == 0x5C { return true }
            i += 1
        }
        return false
    }

    /// A JSON string from UTF-8 bytes. Most values need no escaping: then the run is copied at once instead of
    /// byte by byte, which was the largest single cost of a 10,000-feature page.
    @inlinable public mutating func string(utf8 text: UnsafeBufferPointer<UInt8>) {
        if !Self.needsEscape(text) {
            bytes.append(0x22)
            bytes.append(contentsOf: text)
            bytes.append(0x22)
        } else {
            withCursor(bound: JSONCursor.stringBound(text.count)) { $0.string(text) }
        }
    }

    @inlinable public mutating func optionalString(_ s: String?) {
        if let s { string(s) } else { raw("null") }
    }

    /// Integral values print without a fraction; non-finite values become null (JSON has no NaN).
    @inlinable public mutating func number(_ v: Double) {
        withCursor(bound: JSONCursor.numberBound) { $0.number(v) }
    }

    /// Decimal digits straight into the buffer (a String per id cost a tenth of a 100,000-feature page).
    @inlinable public mutating func int(_ v: Int) {
        withCursor(bound: JSONCursor.numberBound) { $0.int(v) }
    }

    @inlinable public mutating func key(_ k: String) {
        string(k)
        bytes.append(0x3A)
    }

    @inlinable public mutating func value(_ v: JSONValue) {
        switch v {
        case .null: raw("null")
        case .bool(let b): raw(b ? "true" : "false")
        case .number(let d): number(d)
        case .string(let s): string(s)
        case .array(let items):
            bytes.append(0x5B)
            for (i, item) in items.enumerated() {
                if i > 0 { bytes.append(0x2C) }
                value(item)
            }
            bytes.append(0x5D)
        case .object(let members):
            bytes.append(0x7B)
            for (i, (k, item)) in members.enumerated() {
                if i > 0 { bytes.append(0x2C) }
                key(k)
                value(item)
            }
            bytes.append(0x7D)
        }
    }
}
