import OtklikCore

/// HTML table rows of published things. Columns are picked from the vocabulary by name with a label for
/// readers; values are the model's, escaped with `MarkupText`.
public enum PublishedHTML {
    public struct Column: Sendable {
        public var name: String
        public var label: String

        public init(_ name: String, _ label: String) {
            self.name = name
            self.label = label
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
            let text = v == .null ? "—" : v.text
            var attributes = numeric ? " class=\"n\"" : ""
            if let t = title[c.name] { attributes += " title=\"\(MarkupText.escape(t))\"" }
            out += "<td\(attributes)>\(MarkupText.escape(text))</td>"
        }
        for cell in extraCells { out += "<td>\(cell)</td>" }
        return out + "</tr>"
    }
}
