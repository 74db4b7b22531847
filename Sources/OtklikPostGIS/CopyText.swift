/// Rows in the text format of `COPY … FROM STDIN`: tab-separated fields, `\N` for NULL, backslash escapes.
struct CopyText {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// Appends a field, then a tab, or the end of the row after the last field.
    mutating func field(_ text: String?, last: Bool = false) {
        if let text {
            for b in text.utf8 {
                switch b {
                case UInt8(ascii: "\\"): bytes += [0x5C, 0x5C]
                case UInt8(ascii: "\t"): bytes += [0x5C, UInt8(ascii: "t")]
                case UInt8(ascii: "\n"): bytes += [0x5C, UInt8(ascii: "n")]
                case UInt8(ascii: "\r"): bytes += [0x5C, UInt8(ascii: "r")]
                default: bytes.append(b)
                }
            }
        } else {
            bytes += [0x5C, UInt8(ascii: "N")]
        }
        bytes.append(last ? UInt8(ascii: "\n") : UInt8(ascii: "\t"))
    }
}
