/// Rows in the text format of `COPY … FROM STDIN`: tab-separated fields, `\N` for NULL, backslash escapes.
struct CopyText {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// Appends a field, then a tab, or the end of the row after the last field. A field with nothing to escape
    /// (nearly all of them) is appended in one copy.
    mutating func field(_ text: String?, last: Bool = false) {
        if var text {
            text.withUTF8 { utf8 in
                if utf8.contains(where: Self.needsEscape) {
                    for b in utf8 {
                        switch b {
                        case UInt8(ascii: "\\"): bytes.append(0x5C); bytes.append(0x5C)
                        case UInt8(ascii: "\t"): bytes.append(0x5C); bytes.append(UInt8(ascii: "t"))
                        case UInt8(ascii: "\n"): bytes.append(0x5C); bytes.append(UInt8(ascii: "n"))
                        case UInt8(ascii: "\r"): bytes.append(0x5C); bytes.append(UInt8(ascii: "r"))
                        default: bytes.append(b)
                        }
                    }
                } else {
                    bytes.append(contentsOf: utf8)
                }
            }
        } else {
            bytes.append(0x5C)
            bytes.append(UInt8(ascii: "N"))
        }
        bytes.append(last ? UInt8(ascii: "\n") : UInt8(ascii: "\t"))
    }

    private static func needsEscape(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "\\") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r")
    }
}
