/// Numbers as a Russian reader expects them: decimal comma, thousands grouped with a narrow no-break space
/// (U+202F), the minus sign U+2212, and `6,6 %` with the same narrow space before the percent sign.
/// The map page (app.js `ru`) writes numbers by the same rules, so a figure reads the same on the map and
/// in a report.
///
/// Rounding is half away from zero on the shortest decimal form of the value (`1.005` → `1,01`, `2.5` → `3`),
/// which is what a person checking a figure by hand expects; binary-exact rounding would give `1,00`.
/// A value that rounds to zero has no sign. Not a number is `—`, infinities are `∞` and `−∞`.
/// Foundation's formatters are not used: their Russian output differs between platforms and ICU versions
/// (a no-break space on one, U+202F on another, grouping of four-digit numbers or not).
public enum RussianNumber {
    /// Separates thousands and the percent sign: NARROW NO-BREAK SPACE.
    public static let groupSeparator: Character = "\u{202F}"
    public static let decimalSeparator: Character = ","
    public static let minus: Character = "\u{2212}"

    /// `value` with exactly `fractionDigits` digits after the comma: `format(1234.5, fractionDigits: 2)` is `1 234,50`.
    public static func format(_ value: Double, fractionDigits: Int) -> String {
        let digits = max(0, min(fractionDigits, 20))
        if value.isNaN { return "—" }
        if value.isInfinite { return value < 0 ? "\(minus)∞" : "∞" }
        let (integerPart, fraction) = rounded(abs(value), fractionDigits: digits)
        let isZero = integerPart.allSatisfy { $0 == "0" } && fraction.allSatisfy { $0 == "0" }
        var out = (value < 0 && !isZero) ? String(minus) : ""
        out += grouped(integerPart)
        if digits > 0 { out += String(decimalSeparator) + fraction }
        return out
    }

    /// A whole number with grouped thousands: `integer(4975)` is `4 975`.
    public static func integer<T: BinaryInteger>(_ value: T) -> String {
        let magnitude = String(value.magnitude)
        return (value < 0 ? String(minus) : "") + grouped(magnitude)
    }

    /// A share in percent, `value` being the percentage itself: `percent(6.6, fractionDigits: 1)` is `6,6 %`.
    public static func percent(_ value: Double, fractionDigits: Int = 1) -> String {
        format(value, fractionDigits: fractionDigits) + String(groupSeparator) + "%"
    }

    private static func grouped(_ digits: String) -> String {
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(groupSeparator) }
            out.append(c)
        }
        return out
    }

    /// Integer and fraction digits of a non-negative finite `value` rounded half away from zero, working on
    /// the digits of its shortest round-trip form (`description`), so no binary artefact decides a tie.
    private static func rounded(_ value: Double, fractionDigits: Int) -> (String, String) {
        // Split "1.2345e+16", "1e-05", "123.45" into significant digits and the position of the decimal point.
        let text = value.description
        let parts = text.split(separator: "e", maxSplits: 1)
        let mantissa = parts[0]
        let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        let dot = mantissa.firstIndex(of: ".")
        let intDigits = dot.map { mantissa[..<$0] } ?? mantissa[...]
        let fracDigits = dot.map { mantissa[mantissa.index(after: $0)...] } ?? ""
        var digits = Array((intDigits + fracDigits).compactMap { $0.wholeNumberValue })
        var point = intDigits.count + exponent   // digits[0..<point] are the integer part
        if point < 0 { digits = Array(repeating: 0, count: -point) + digits; point = 0 }
        if digits.count < point { digits += Array(repeating: 0, count: point - digits.count) }
        let keep = point + fractionDigits
        if digits.count > keep {
            let roundUp = digits[keep] >= 5
            digits = Array(digits[..<keep])
            if roundUp {
                var i = keep - 1
                while i >= 0 {
                    if digits[i] == 9 { digits[i] = 0; i -= 1 } else { digits[i] += 1; break }
                }
                if i < 0 { digits.insert(1, at: 0); point += 1 }
            }
        } else {
            digits += Array(repeating: 0, count: keep - digits.count)
        }
        var integer = digits[..<point].map(String.init).joined()
        while integer.count > 1 && integer.first == "0" { integer.removeFirst() }
        if integer.isEmpty { integer = "0" }
        return (integer, digits[point...].map(String.init).joined())
    }
}
