public import Foundation
public import OtklikCore
public import OtklikTiles

/// A tile request's filters, checked against the taxonomy: `category` (a code), `status` (new, in_progress,
/// resolved, rejected) and `since` (a date, meaning midnight UTC, or an instant with an offset).
public struct TileRequestFilter: Sendable, Hashable {
    /// The canonical text form, part of every cache key.
    public let raw: TileFilter
    public let category: String?
    public let status: IncidentStatus?
    public let since: Date?

    public static let none = TileRequestFilter(raw: TileFilter(), category: nil, status: nil, since: nil)

    private init(raw: TileFilter, category: String?, status: IncidentStatus?, since: Date?) {
        self.raw = raw
        self.category = category
        self.status = status
        self.since = since
    }

    /// - Throws: `TileFilterError` naming the parameter and the value it refused.
    public init(_ raw: TileFilter, taxonomy: Taxonomy) throws(TileFilterError) {
        let category = raw.category.flatMap { $0.isEmpty ? nil : $0 }
        if let category, taxonomy[category] == nil {
            throw TileFilterError(parameter: "category", message: "unknown category '\(category)'")
        }
        var status: IncidentStatus?
        if let s = raw.status, !s.isEmpty {
            do { status = try IncidentStatus.parse(s) } catch {
                throw TileFilterError(parameter: "status", message: "unknown status '\(s)'; use new, in_progress, resolved or rejected")
            }
        }
        var since: Date?
        if let s = raw.since, !s.isEmpty {
            // A bare date is a day boundary in UTC, as the page sends it; an instant must carry its offset.
            do { since = try Timestamp.parse(s, field: "since", assumeUTC: s.count == 10) } catch {
                throw TileFilterError(parameter: "since", message: "'\(s)' is not a date (YYYY-MM-DD) or an instant with an offset")
            }
        }
        self.init(raw: TileFilter(category: category, status: status?.rawValue, since: raw.since.flatMap { $0.isEmpty ? nil : $0 }),
                  category: category, status: status, since: since)
    }

    var window: TimeWindow { TimeWindow(start: since) }

    /// Whether tile points can be tested against this filter in memory (`TilePointSelection.filter`, the same
    /// test as `incidentQuery` makes in the store): a point carries its report day, so `since` must be a day (as
    /// the map page sends it), not an instant.
    var matchesInMemory: Bool { raw.since.map { $0.utf8.count == 10 } ?? true }

    func incidentQuery(bbox: BBox?) -> IncidentQuery {
        IncidentQuery(bbox: bbox, window: window, categories: category.map { [$0] } ?? [],
                      statuses: status.map { [$0] } ?? [])
    }
}

/// A refused tile filter.
public struct TileFilterError: Error, Sendable, Equatable, CustomStringConvertible {
    public var parameter: String
    public var message: String
    public var description: String { "\(parameter): \(message)" }
}
