import OtklikCore

/// HTML table rows of published things. Columns are picked from the vocabulary by name with a label for
/// readers; values are the model's, escaped with `MarkupText`.
public enum PublishedHTML {
    public struct Column: Sendable {
        public var name: String
        public var label: String
        /// When set, a number is printed for a reader (`RussianNumber`: decimal comma, grouped thousands) with this
        /// many decimals; otherwise as the JSON writer prints it.
        public var digits: Int?

        public init(_ name: String, _ label: String, digits: Int? = nil) {
            self.name = name
            self.label = label
            self.digits = digits
        }
    }

    /// The header row (`<th>` cells, escaped), with `extraLabels` after the columns.
    public static func header(_ columns: [Column], extraLabels: [String] = []) -> String {
        "<tr>" + (columns.map(\.label) + extraLabels).map { "<th>\(MarkupText.escape($0))</th>" }.joined() + "</tr>"
    }

    /// One row: numbers right-aligned (`td.n`), null as "—", then `extraCells` (already HTML).
    public static func row<T: PublishedFeature>(_ x: T, columns: [Column], title: [String: String] = [:],
                                                extraCells: [String] = []) -> String {
        var out = "<tr>"
        for c in columns {
            guard let field = T.fields.first(where: { $0.name == c.name }) else {
                assertionFailure("\(T.self) publishes no property '\(c.name)'")
                continue
            }
            let v = field.value(of: x)
            let numeric = field.kind == .int || field.kind == .double
            let text = v == .null ? "—" : c.digits.map { readable(v, digits: $0) } ?? v.text
            var attributes = numeric ? " class=\"n\"" : ""
            if let t = title[c.name] { attributes += " title=\"\(MarkupText.escape(t))\"" }
            out += "<td\(attributes)>\(MarkupText.escape(text))</td>"
        }
        for cell in extraCells { out += "<td>\(cell)</td>" }
        return out + "</tr>"
    }

    /// A number as a person reads it (`RussianNumber`); other values as they are.
    public static func readable(_ v: PublishedValue, digits: Int) -> String {
        switch v {
        case .int(let i): return RussianNumber.integer(i)
        case .double(let d): return RussianNumber.format(d, fractionDigits: digits)
        default: return v.text
        }
    }
}
