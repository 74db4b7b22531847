import OtklikCore
import struct Foundation.Date
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small, dependency-free text helpers of the terminal table and the summary CSVs.
enum TextFormat {
    static func fixed(_ d: Double?, _ digits: Int) -> String {
        guard let d, d.isFinite else { return "" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let v = (d * scale).rounded() / scale
        var s = String(Int64(v.rounded(.towardZero)))
        if v < 0 && s.first != "-" { s = "-" + s }
        guard digits > 0 else { return s }
        var frac = String(Int64((abs(v) * scale).rounded()) % Int64(scale))
        frac = String(repeating: "0", count: digits - frac.count) + frac
        return s + "." + frac
    }

    /// A probability for CSV: 4 decimals from 0.0001 up, else three significant digits with an exponent
    /// ("3.29e-71"); the full value is in the JSON.
    static func probability(_ p: Double) -> String {
        guard p.isFinite else { return "" }
        if p >= 0.0001 || p == 0 { return fixed(p, 4) }
        var exponent = Int(log10(p).rounded(.down))
        var mantissa = p / pow(10, Double(exponent))
        if mantissa >= 9.995 { mantissa /= 10; exponent += 1 }
        return fixed(mantissa, 2) + "e" + String(exponent)
    }

    static func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
        let n = s.count
        guard n < width else { return s }
        let fill = String(repeating: " ", count: width - n)
        return right ? fill + s : s + fill
    }

    static func day(_ d: Date) -> String { Timestamp.formatDay(d) }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
