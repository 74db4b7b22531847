/// CSV cells as every CSV the project writes them (routes, reports, hotspots, roll-ups, rejects): RFC 4180
/// quoting, and text that a spreadsheet would run as a formula made inert.
public enum CSVText {
    /// One cell. A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading
    /// apostrophe, so that LibreOffice and Excel show it instead of evaluating it (CSV formula injection); a
    /// number such as `-1.5` is left as it is. Cells holding a comma, a quote, CR or LF are quoted, with quotes
    /// doubled.
    public static func field(_ s: String) -> String {
        var v = s
        if let f = v.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(f), Double(v) == nil { v = "'" + v }
        if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            var quoted = "\""
            for c in v.unicodeScalars {
                if c == "\"" { quoted += "\"\"" } else { quoted.unicodeScalars.append(c) }
            }
            return quoted + "\""
        }
        return v
    }

    /// A row of cells joined by commas, without the line end.
    public static func row(_ cells: [String]) -> String {
        cells.map(field).joined(separator: ",")
    }
}
