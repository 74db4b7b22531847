/// Writes JSON tokens through a pointer into memory whose room the caller has already made: a feature page
/// writes straight into the response's buffer. Appending to an Array field by field cost more than the bytes
/// themselves (a call and a capacity check for each of some thirty pieces per feature), and the page was then
/// copied once more into the response buffer.
///
/// The caller reserves at least the bound of what it writes: `stringBound` for a string, `numberBound` for a
/// number or an integer, the length of a literal.
public struct JSONCursor {
    public var position: UnsafeMutablePointer<UInt8>
    @usableFromInline let start: UnsafeMutablePointer<UInt8>

    @inlinable public init(_ start: UnsafeMutablePointer<UInt8>) {
        self.start = start
        position = start
    }

    /// Bytes written so far.
    @inlinable public var written: Int { position - start }

    /// The most a string of `count` UTF-8 bytes can take: every byte escaped as \u00XX, and the quotes.
    @inlinable public static func stringBound(_ count: Int) -> Int { 6 * count + 2 }
    /// The most a number takes: "-1.2345678901234567e-308" is 24 bytes, Int.min 20.
    public static let numberBound = 32

    @inlinable public mutating func raw(_ s: StaticString) {
        let n = s.utf8CodeUnitCount
        position.update(from: s.utf8Start, count: n)
        position += n
    }

    @inlinable public mutating func bytes(_ b: UnsafeBufferPointer<UInt8>) {
        guard let base = b.baseAddress else { return }
        position.update(from: base, count: b.count)
        position += b.count
    }

    @inlinable public mutating func byte(_ b: UInt8) {
        position.pointee = b
        position += 1
    }

    /// A JSON string from UTF-8 bytes. Most values need no escaping: then the run is copied at once.
    @inlinable public mutating func string(_ text: UnsafeBufferPointer<UInt8>) {
        byte(0x22)
        if !JSONWriter.needsEscape(text) {
            bytes(text)
        } else {
            for b in text { escaped(b) }
        }
        byte(0x22)
    }

    @inlinable mutating func escaped(_ b: UInt8) {
        switch b {
        case 0x22: byte(0x5C); byte(0x22)
        case 0x5C: byte(0x5C); byte(0x5C)
        case 0x0A: byte(0x5C); byte(0x6E)
        case 0x0D: byte(0x5C); byte(0x72)
        case 0x09: byte(0x5C); byte(0x74)
        case 0..<0x20:
            raw("\\u00")
            byte(Self.hex(b >> 4))
            byte(Self.hex(b & 0xF))
        default: byte(b)
        }
    }

    @inlinable static func hex(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }

    /// Decimal digits, written back to front into place.
    @inlinable public mutating func int(_ v: Int) {
        if v < 0 { byte(0x2D) }
        var m = v.magnitude
        var digits = 1
        var rest = m / 10
        while rest > 0 { digits += 1; rest /= 10 }
        var p = position + digits
        position = p
        repeat {
            p -= 1
            p.pointee = UInt8(0x30 + m % 10)
            m /= 10
        } while m > 0
    }

    /// Integral values below 1e15 as integers (`32`, not `32.0`); NaN and infinities, which JSON lacks, as null;
    /// the rest in Swift's shortest form that reads back to the same Double.
    @inlinable public mutating func number(_ v: Double) {
        guard v.isFinite else { raw("null"); return }
        if v == v.rounded(), abs(v) < 1e15 {
            int(Int(v))
        } else {
            var text = v.description
            text.withUTF8 { bytes($0) }
        }
    }
}

extension JSONWriter {
    /// Runs `body` on a cursor with room for `bound` bytes, then appends what it wrote.
    @inlinable public mutating func withCursor(bound: Int, _ body: (inout JSONCursor) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bound) { room in
            var cursor = JSONCursor(room.baseAddress!)
            body(&cursor)
            bytes.append(contentsOf: UnsafeBufferPointer(start: room.baseAddress, count: cursor.written))
        }
    }
}
