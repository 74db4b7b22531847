import OtklikCore

/// CSV of published things: one column per scalar or list property of the vocabulary, in its order (lists
/// space-separated in one cell, nested records left out), cells through `CSVText` (quoting, inert formulas).
/// Numbers are printed as the JSON writer prints them, so a CSV value reads back as the JSON value.
public enum PublishedCSV {
    public static func header<T: PublishedFeature>(_: T.Type) -> [String] {
        T.fields.filter { $0.kind != .records }.map(\.name)
    }

    /// - Parameters:
    ///   - lineEnd: "\n" for the CLI, "\r\n" for the downloadable reports (RFC 4180).
    ///   - byteOrderMark: for spreadsheets, which then open Cyrillic correctly without asking.
    public static func table<T: PublishedFeature>(_ xs: [T], lineEnd: String = "\n", byteOrderMark: Bool = false) -> String {
        let fields = T.fields.filter { $0.kind != .records }
        var out = byteOrderMark ? "\u{FEFF}" : ""
        out += CSVText.row(fields.map(\.name)) + lineEnd
        for x in xs {
            out += CSVText.row(fields.map { $0.value(of: x).text }) + lineEnd
        }
        return out
    }
}
