public import Foundation

/// What the exporters need besides the route: document title, the moment it was made (no clock in this module)
/// and the zone in which ETAs are printed.
public struct RouteExportOptions: Sendable, Hashable {
    public var title: String
    public var creator: String
    public var generatedAt: Date
    /// ETAs in GeoJSON and CSV are written with this zone's offset (GPX times are UTC, as the schema wants).
    public var timeZone: TimeZone
    /// GPX: also write every stop as a `wpt`, for devices that show waypoints but not routes.
    public var includeWaypoints: Bool
    /// CSV: start with a UTF-8 byte-order mark so spreadsheet programs detect Cyrillic correctly.
    public var csvByteOrderMark: Bool

    public init(title: String = "Маршрут осмотра", creator: String = "Otklik", generatedAt: Date,
                timeZone: TimeZone = TimeZone(identifier: "Europe/Moscow") ?? .gmt, includeWaypoints: Bool = true,
                csvByteOrderMark: Bool = false) {
        self.title = title
        self.creator = creator
        self.generatedAt = generatedAt
        self.timeZone = timeZone
        self.includeWaypoints = includeWaypoints
        self.csvByteOrderMark = csvByteOrderMark
    }
}

/// The four export formats, with the HTTP content type and file extension of each.
public enum RouteFormat: String, Sendable, Hashable, CaseIterable {
    case gpx, kml, geojson, csv

    public var contentType: String {
        switch self {
        case .gpx: return "application/gpx+xml"
        case .kml: return "application/vnd.google-earth.kml+xml"
        case .geojson: return "application/geo+json"
        case .csv: return "text/csv; charset=utf-8"
        }
    }

    public var fileExtension: String { rawValue }
}

/// One entry point for the CLI and HTTP: the route as text in the chosen format (UTF-8 when encoded).
public enum RouteExporter {
    public static func export(_ route: PlannedRoute, format: RouteFormat, options: RouteExportOptions) -> String {
        switch format {
        case .gpx: return GPXWriter.write(route, options: options)
        case .kml: return KMLWriter.write(route, options: options)
        case .geojson: return GeoJSONRouteWriter.write(route, options: options)
        case .csv: return CSVRouteWriter.write(route, options: options)
        }
    }
}

/// Text shared by the formats, so a stop reads the same in a navigator, in Google Earth and on paper.
enum StopText {
    /// "Ямы на дороге; жалоб: 3; просрочено: 1; Сосновка, Руднянский район"
    static func description(_ s: RouteStop) -> String {
        var parts: [String] = []
        if !s.category.isEmpty { parts.append(s.category) }
        parts.append("жалоб: \(s.complaints)")
        parts.append("просрочено: \(s.overdueCount)")
        let place = [s.settlement, s.district].compactMap { $0 }.filter { !$0.isEmpty }
        if !place.isEmpty { parts.append(place.joined(separator: ", ")) }
        return parts.joined(separator: "; ")
    }

    static func coordinate(_ v: Double) -> String {
        // 7 decimals: ~1 cm, and no exponent notation for values near zero.
        var s = String(format: "%.7f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        if s == "-0" { s = "0" }
        return s
    }

    static func iso(_ date: Date, zone: TimeZone) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = zone
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }

    static func kilometres(_ metres: Double) -> String { String(format: "%.2f", metres / 1000) }
}
