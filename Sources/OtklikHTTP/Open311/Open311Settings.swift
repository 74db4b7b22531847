import Foundation
import OtklikCore
import OtklikServices

/// The knobs of the GeoReport v2 endpoint. The defaults are the spec's limits and the windows.
struct Open311Settings: Sendable {
    /// Accepted as `jurisdiction_id` (empty or absent is accepted too: this endpoint serves one region).
    var jurisdictionID = "smolensk-oblast"
    /// GET requests: the widest start_date…end_date range, and the default window back from now.
    var maxRangeDays = 90
    /// GET requests: the most requests one answer carries (also the largest page_size).
    var maxRequests = 1000
    /// Nearby search extension: default and largest radius in metres.
    var defaultRadius = 500.0
    var maxRadius = 10_000.0
    /// An open complaint of the same category nearby, reported within this many days, is a likely duplicate.
    var duplicateWindowDays = 30.0
    /// A complaint near a place of the same category resolved within this many days is a repeat after a fix.
    var repeatWindowDays = 90.0
    /// Form bodies are small; 4,000 characters of Cyrillic, percent-encoded, are about 72 KB.
    var maxBodyBytes = 256 * 1024
    var maxAttributes = 32
    var maxAttributeLength = 1000
    var maxAddressLength = 500
    var contact = "Отклик: приём обращений Смоленской области"
    var changeset = "2026-11-29T00:00:00Z"
    var overridesPath = "data/agency-overrides.json"

    init() {}
}
