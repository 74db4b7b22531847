/// The few pieces of the protobuf wire format that MVT needs: varints, zigzag, tags and length-delimited fields.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    enum WireType: UInt32 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case fixed32 = 5
    }

    @inline(__always)
    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    @inline(__always)
    static func zigzag(_ n: Int64) -> UInt64 { UInt64(bitPattern: (n << 1) ^ (n >> 63)) }

    @inline(__always)
    static func zigzag32(_ n: Int32) -> UInt32 { UInt32(bitPattern: (n << 1) ^ (n >> 31)) }

    mutating func tag(_ field: UInt32, _ type: WireType) { varint(UInt64((field << 3) | type.rawValue)) }

    mutating func uintField(_ field: UInt32, _ value: UInt64) {
        tag(field, .varint)
        varint(value)
    }

    mutating func doubleField(_ field: UInt32, _ value: Double) {
        tag(field, .fixed64)
        var bits = value.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { bytes.append(contentsOf: $0) }
    }

    mutating func bytesField(_ field: UInt32, _ payload: [UInt8]) {
        tag(field, .lengthDelimited)
        varint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }

    mutating func bytesField(_ field: UInt32, _ payload: UnsafeBufferPointer<UInt8>) {
        tag(field, .lengthDelimited)
        varint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }

    /// Empties the writer and keeps its storage, for reuse as scratch space.
    mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    @inline(__always)
    static func varintSize(_ value: UInt64) -> Int {
        var v = value, n = 1
        while v >= 0x80 {
            v >>= 7
            n += 1
        }
        return n
    }

    mutating func stringField(_ field: UInt32, _ value: String) { bytesField(field, Array(value.utf8)) }

    /// A packed repeated uint32 field (MVT's tags and geometry).
    mutating func packedField(_ field: UInt32, _ values: [UInt32]) {
        guard !values.isEmpty else { return }
        var size = 0
        for v in values { size += Self.varintSize(UInt64(v)) }
        tag(field, .lengthDelimited)
        varint(UInt64(size))
        for v in values { varint(UInt64(v)) }
    }
}
