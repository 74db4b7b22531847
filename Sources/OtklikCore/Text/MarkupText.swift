/// Text inside HTML and XML (elements and quoted attributes), one function for the reports, GPX, KML and
/// Open311 XML: the markup characters escaped; a carriage return written as a character reference, because a
/// parser would otherwise normalise CR LF to LF and the text would not come back as it was sent; and the code
/// points XML 1.0 forbids (C0 controls other than tab, line feed and carriage return; U+FFFE, U+FFFF)
/// replaced with U+FFFD, so that no stored text can make a document ill-formed.
public enum MarkupText {
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar.value {
            case 0x26: out += "&amp;"
            case 0x3C: out += "&lt;"
            case 0x3E: out += "&gt;"
            case 0x22: out += "&quot;"
            case 0x27: out += "&#39;"
            case 0x0D: out += "&#13;"
            case 0x09, 0x0A: out.unicodeScalars.append(scalar)
            case 0..<0x20, 0xFFFE, 0xFFFF: out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
