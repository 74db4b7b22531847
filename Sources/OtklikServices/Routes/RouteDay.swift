import Foundation
import OtklikCore
public import OtklikInspection

/// The steps after the candidates, shared by the CLI and HTTP: plan, name the file, summarise.
public enum RouteDay {
    /// Plans over the candidates. Beyond what the planner can hold (its distance table), the candidates of
    /// highest value (priority plus overdue, as the planner counts it) are kept, nearest to the start first
    /// among equals; the message then says how many were left out. `candidateLimit` lowers that bound (the
    /// server's ceiling for requests without a key: the distance table grows with its square).
    public static func plan(_ candidates: [RouteStop], request: RouteRequest, emptyMessage: String? = nil,
                            candidateLimit: Int? = nil) throws(InspectionError) -> PlannedRoute {
        let limit = min(DistanceMatrix.maximumCount - 2, max(1, candidateLimit ?? .max))
        var list = candidates
        var note: String?
        if list.count > limit {
            func value(_ s: RouteStop) -> Double { s.priority + request.overdueWeight * Double(s.overdueCount) }
            let start = request.start
            list = list.map { ($0, value($0), Geodesic.distance(start, $0.location)) }
                .sorted { ($1.1, $0.2, $0.0.id) < ($0.1, $1.2, $1.0.id) }
                .prefix(limit).map(\.0)
            note = "Из \(candidates.count) объектов к планированию взяты \(limit) самых важных; уточните район или категории"
        }
        var route = try RoutePlanner.plan(list, request: request)
        if candidates.isEmpty, let emptyMessage { route.message = emptyMessage }
        if let note { route.message = [route.message, note].compactMap { $0 }.joined(separator: ". ") }
        return route
    }

    /// The empty-route message for an area: "Нет объектов для посещения: Руднянский район".
    public static func emptyMessage(area: RouteArea, targets: RouteTargets) -> String {
        let what = targets == .hotspots ? "открытых очагов" : "открытых жалоб"
        switch area {
        case .region: return "Нет \(what) для посещения в области"
        case .district(let n): return "Нет \(what) для посещения: \(n)"
        case .settlement(let n): return "Нет \(what) для посещения: \(n)"
        case .bbox: return "Нет \(what) для посещения в заданном прямоугольнике"
        case .points: return "Файл не содержит точек для посещения"
        }
    }

    /// File name stem: "route-<area>", the area kept as it is for RFC 5987 `filename*`, and an ASCII-only
    /// fallback for `filename` (non-ASCII letters transliterated from Cyrillic, everything else a hyphen).
    public static func fileStem(area: RouteArea) -> (ascii: String, unicode: String) {
        let label = area.label
        let cleaned = String(label.unicodeScalars.map { s -> Character in
            CharacterSet.alphanumerics.contains(s) ? Character(s) : "-"
        })
        let unicode = "route-" + Self.squeeze(cleaned)
        var ascii = ""
        for ch in cleaned.lowercased() {
            if let t = translit[ch] { ascii += t }
            else if ch.isASCII, ch.isLetter || ch.isNumber { ascii.append(ch) }
            else { ascii += "-" }
        }
        let stem = Self.squeeze(ascii)
        return ("route-" + (stem.isEmpty ? "area" : stem), unicode)
    }

    /// `attachment; filename="route-rudnyanskiy-rayon.gpx"; filename*=UTF-8''route-%D0%A0...gpx`
    public static func contentDisposition(area: RouteArea, format: RouteFormat) -> String {
        let names = fileStem(area: area)
        let ext = "." + format.fileExtension
        var unicode = ""
        for b in (names.unicode + ext).utf8 {
            switch b {
            case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2D, 0x2E, 0x5F, 0x7E:
                unicode.unicodeScalars.append(Unicode.Scalar(b))
            default: unicode += String(format: "%%%02X", b)
            }
        }
        return "attachment; filename=\"\(names.ascii)\(ext)\"; filename*=UTF-8''\(unicode)"
    }

    /// "12 stops, 84.3 km (road), 4 h 05 min": for the CLI's stderr and logs.
    public static func summary(_ route: PlannedRoute) -> String {
        let minutes = Int((route.finish.timeIntervalSince(route.departure) / 60).rounded())
        var s = "\(route.stops.count) stops, \(String(format: "%.1f", route.roadMeters / 1000)) km by road "
            + "(\(String(format: "%.1f", route.totalMeters / 1000)) km straight), "
            + "\(minutes / 60) h \(String(format: "%02d", minutes % 60)) min"
        if !route.skipped.isEmpty { s += ", \(route.skipped.count) left for another day" }
        if let m = route.message { s += " — \(m)" }
        return s
    }

    private static func squeeze(_ s: String) -> String {
        var out = ""
        for ch in s {
            if ch == "-", out.hasSuffix("-") || out.isEmpty { continue }
            out.append(ch)
        }
        while out.hasSuffix("-") { out.removeLast() }
        return String(out.prefix(80))
    }

    private static let translit: [Character: String] = [
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
        "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
        "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
        "э": "e", "ю": "yu", "я": "ya",
    ]
}
