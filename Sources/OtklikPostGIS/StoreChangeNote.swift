public import OtklikCore
import PostgresNIO

/// What one committed write changed, as sent on `PostGISStore.changeChannel`: the written points with their
/// categories, or "everything" when a write touched more than a notification can carry (a bulk load).
///
/// The payload is text: `*` for everything, else one `lon lat category` line per point. PostgreSQL delivers it
/// at commit, and not at all when the transaction rolls back.
public enum StoreChangeNote: Sendable, Hashable {
    public struct Point: Sendable, Hashable {
        public var location: GeoPoint
        public var category: String
        public init(location: GeoPoint, category: String) {
            self.location = location
            self.category = category
        }
    }

    case points([Point])
    case everything

    /// PostgreSQL refuses payloads of 8000 bytes and more; past this a note says "everything".
    static let payloadLimit = 7_000

    public var payload: String {
        guard case .points(let points) = self else { return "*" }
        var text = ""
        for p in points {
            text += "\(p.location.lon) \(p.location.lat) \(p.category)\n"
            if text.utf8.count > Self.payloadLimit { return "*" }
        }
        return text
    }

    /// Reads a payload; anything it cannot read counts as everything, so a reader never misses a change.
    public init(payload: String) {
        guard payload != "*" else {
            self = .everything
            return
        }
        var points: [Point] = []
        for line in payload.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 2)
            guard parts.count == 3, let lon = Double(parts[0]), let lat = Double(parts[1]) else {
                self = .everything
                return
            }
            points.append(Point(location: GeoPoint(lon: lon, lat: lat), category: String(parts[2])))
        }
        self = .points(points)
    }

    /// Queues the note in the connection's open transaction; nothing for an empty list of points.
    func send(on conn: PostgresConnection, logger: Logger) async throws {
        if case .points(let p) = self, p.isEmpty { return }
        var sql = SQL()
        sql.text = "SELECT pg_notify('\(PostGISStore.changeChannel)', \(sql.bind(payload)))"
        try await conn.rows(sql, logger: logger)
    }
}
