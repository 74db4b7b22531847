import Foundation
import OtklikCore
import OtklikServices

/// The parameters of GET requests, checked: what to select and which page.
///
/// The spec's rules: `service_request_id` (a comma list) overrides every other filter; without dates the
/// last 90 days are searched; a range may not span more than 90 days; at most 1,000 requests are returned.
/// The extensions `page`/`page_size` and `lat`/`long`/`radius` (metres, nearest first) are the common ones.
struct Open311Listing: Sendable {
    struct Near: Sendable {
        var point: GeoPoint
        var radius: Double
    }

    enum Selection: Sendable {
        case ids([Int64])
        case filter(IncidentQuery, near: Near?)
    }

    var selection: Selection
    var pageSize: Int
    var offset: Int

    init(_ q: QueryParameters, taxonomy: Taxonomy, settings: Open311Settings, now: Date) throws(Open311Error) {
        let page: Int
        do {
            page = try q.int("page", default: 1, range: 1...1_000_000)
            pageSize = try q.int("page_size", default: settings.maxRequests, range: 1...settings.maxRequests, clampAbove: true)
        } catch {
            throw .badRequest(error.detail)
        }
        offset = (page - 1) * pageSize

        if let raw = q["service_request_id"] {
            var ids: [Int64] = []
            for part in raw.split(separator: ",", omittingEmptySubsequences: false) {
                let t = part.trimmingCharacters(in: .whitespaces)
                guard let id = Int64(t), id > 0 else {
                    throw .badRequest("service_request_id: '\(QueryParameters.shorten(t))' is not a request id")
                }
                ids.append(id)
            }
            guard ids.count <= settings.maxRequests else {
                throw .badRequest("service_request_id: \(ids.count) ids exceed the limit of \(settings.maxRequests)")
            }
            selection = .ids(ids)
            offset = 0
            pageSize = settings.maxRequests
            return
        }

        var query = IncidentQuery()
        if let raw = q["service_code"] {
            for part in raw.split(separator: ",", omittingEmptySubsequences: false) {
                let code = part.trimmingCharacters(in: .whitespaces)
                guard taxonomy[code] != nil else {
                    throw .badRequest("service_code '\(QueryParameters.shorten(code))' was not found")
                }
                if !query.categories.contains(code) { query.categories.append(code) }
            }
        }
        if let raw = q["status"] {
            for part in raw.split(separator: ",", omittingEmptySubsequences: false) {
                switch part.trimmingCharacters(in: .whitespaces).lowercased() {
                case "open": query.statuses += [.new, .inProgress]
                case "closed": query.statuses += [.resolved, .rejected]
                default: throw .badRequest("status: '\(QueryParameters.shorten(String(part)))' is not open or closed")
                }
            }
        }
        let span = Double(settings.maxRangeDays) * 86_400
        let start = try Self.date(q["start_date"], field: "start_date")
        let end = try Self.date(q["end_date"], field: "end_date")
        var window: TimeWindow
        switch (start, end) {
        case (nil, nil): window = TimeWindow(start: now.addingTimeInterval(-span), end: now)
        case (let s?, nil): window = TimeWindow(start: s, end: s.addingTimeInterval(span))
        case (nil, let e?): window = TimeWindow(start: e.addingTimeInterval(-span), end: e)
        case (let s?, let e?):
            guard s <= e else { throw .badRequest("start_date \(q["start_date"]!) is after end_date \(q["end_date"]!)") }
            guard e.timeIntervalSince(s) <= span else {
                throw .badRequest("start_date to end_date spans \(Int((e.timeIntervalSince(s) / 86_400).rounded(.up))) days; the limit is \(settings.maxRangeDays) days")
            }
            window = TimeWindow(start: s, end: e)
        }
        query.window = window

        var near: Near?
        let lat: Double?, lon: Double?, radius: Double?
        do {
            lat = try q.double("lat", range: -90...90)
            lon = try q.double("long", range: -180...180)
            radius = try q.double("radius", range: 1...settings.maxRadius)
        } catch {
            throw .badRequest(error.detail)
        }
        switch (lat, lon) {
        case (let la?, let lo?): near = Near(point: GeoPoint(lon: lo, lat: la), radius: radius ?? settings.defaultRadius)
        case (nil, nil):
            if radius != nil { throw .badRequest("radius needs lat and long") }
        default: throw .badRequest("lat and long must be given together")
        }
        selection = .filter(query, near: near)
    }

    /// A W3C datetime with an offset, or a date alone (UTC midnight). A '+' of an offset that arrived
    /// unescaped in a URL has become a space; it is put back rather than refused.
    static func date(_ raw: String?, field: String) throws(Open311Error) -> Date? {
        guard var text = raw?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if text.count > 19, let sp = text.lastIndex(of: " "), text.distance(from: text.startIndex, to: sp) >= 19 {
            text.replaceSubrange(sp...sp, with: "+")
        }
        do {
            return try Timestamp.parse(text, field: field, assumeUTC: text.count == 10)
        } catch {
            throw .badRequest(error.description)
        }
    }
}
