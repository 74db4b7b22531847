public import Foundation
public import OtklikCore

/// The filters a tile request may carry, checked against the taxonomy: `category` (a code), `status` (new,
/// in_progress, resolved, rejected) and `since` (a date, meaning midnight UTC, or an instant with an offset).
/// They become an `IncidentFilter`, the one filter type the store, the analysis and the tiles take.
public enum TileRequestFilter {
    /// - Throws: `TileFilterError` naming the parameter and the value it refused.
    public static func parse(category: String?, status: String?, since: String?, taxonomy: Taxonomy)
        throws(TileFilterError) -> IncidentFilter {
        var filter = IncidentFilter()
        if let category, !category.isEmpty {
            guard taxonomy[category] != nil else {
                throw TileFilterError(parameter: "category", message: "unknown category '\(category)'")
            }
            filter.categories = [category]
        }
        if let s = status, !s.isEmpty {
            do { filter.statuses = [try IncidentStatus.parse(s)] } catch {
                throw TileFilterError(parameter: "status", message: "unknown status '\(s)'; use new, in_progress, resolved or rejected")
            }
        }
        if let s = since, !s.isEmpty {
            // A bare date is a day boundary in UTC, as the page sends it; an instant must carry its offset.
            do { filter.window = TimeWindow(start: try Timestamp.parse(s, field: "since", assumeUTC: s.count == 10)) } catch {
                throw TileFilterError(parameter: "since", message: "'\(s)' is not a date (YYYY-MM-DD) or an instant with an offset")
            }
        }
        return filter
    }
}

extension IncidentFilter {
    /// Whether tile points can be tested against this filter in memory (`TilePointSelection.filter`, the same
    /// test the store makes): one category and one status at most, no area or end, and a `since` that falls on
    /// a day boundary, since a point carries its report day only.
    var matchesInMemory: Bool {
        guard bbox == nil, district == nil, settlement == nil, window.end == nil, categories.count <= 1,
              statuses.count <= 1 else { return false }
        guard let start = window.start else { return true }
        return start.timeIntervalSince1970.truncatingRemainder(dividingBy: 86_400) == 0
    }

    /// `since` as the report day a tile point carries ("YYYY-MM-DD"), when it is a day boundary.
    var sinceDay: String? { window.start.map { Timestamp.formatDay($0) } }
}

/// A refused tile filter.
public struct TileFilterError: Error, Sendable, Equatable, CustomStringConvertible {
    public var parameter: String
    public var message: String
    public var description: String { "\(parameter): \(message)" }
}
