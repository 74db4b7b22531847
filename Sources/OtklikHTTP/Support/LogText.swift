import Logging

/// Request data on its way into a log line. Everything a client controls (paths, parameters, details quoting
/// them, error descriptions) goes through `escaped`, so that a `%0A` in a query cannot start a forged line and
/// a terminal escape cannot reach an operator's screen.
enum LogText {
    /// Control characters (C0, DEL, C1, U+2028/U+2029) become visible escapes: `\n`, `\r`, `\t`, `\u{1B}`;
    /// a backslash is doubled so that an escape in the log is never ambiguous with one the client typed.
    static func escaped(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: needsEscape) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 8)
        for u in s.unicodeScalars {
            switch u {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if needsEscape(u) { out += "\\u{" + String(u.value, radix: 16, uppercase: true) + "}" }
                else { out.unicodeScalars.append(u) }
            }
        }
        return out
    }

    static func needsEscape(_ u: Unicode.Scalar) -> Bool {
        u == "\\" || u.value < 0x20 || (0x7F...0x9F).contains(u.value) || u.value == 0x2028 || u.value == 0x2029
    }
}

extension Logger.MetadataValue {
    /// A metadata value carrying request data, escaped (see `LogText`).
    static func logged(_ s: String) -> Logger.MetadataValue { .string(LogText.escaped(s)) }
}
