import OtklikCore
import OtklikServices

/// The published collections. One enum so that the landing page, the catalogue, the OpenAPI document and the
/// routes cannot disagree about what exists.
enum OGCCollectionID: String, CaseIterable, Sendable {
    case incidents
    case districts
    case settlements
    case hotspots
    case hotspotGrid = "hotspot-grid"

    var title: String {
        switch self {
        case .incidents: return "Incidents (citizen complaints)"
        case .districts: return "Districts with complaint statistics"
        case .settlements: return "Settlements with complaint statistics"
        case .hotspots: return "Recurring hotspots"
        case .hotspotGrid: return "Hotspot grid (Getis-Ord Gi* bins)"
        }
    }

    var description: String {
        switch self {
        case .incidents:
            return "Complaints with category, status, district and settlement. The reporter's contact is never published."
        case .districts:
            return "Municipal districts and city okrugs; properties complaints, open, overdue and per_1000 (complaints per 1,000 inhabitants) for choropleths."
        case .settlements:
            return "Settlements with population and the same statistics as districts."
        case .hotspots:
            return "Places where complaints cluster and recur, ranked by score."
        case .hotspotGrid:
            return "Grid cells with their Gi* z-score, p-value and class (hot/cold/not significant)."
        }
    }

    /// Query parameters the items endpoint accepts besides the common ones.
    var extraFilters: [String] {
        switch self {
        case .incidents: return ["category", "status", "district", "settlement", "after"]
        case .hotspots, .hotspotGrid: return ["category"]
        case .districts, .settlements: return []
        }
    }

    static let commonItemParameters = ["bbox", "datetime", "limit", "offset", "f"]

    var itemParameters: [String] { Self.commonItemParameters + extraFilters }
}
