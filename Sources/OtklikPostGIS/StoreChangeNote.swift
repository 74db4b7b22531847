public import OtklikCore
import PostgresNIO

/// What one committed write changed, as sent on `PostGISStore.changeChannel`: the written points with their
/// categories, or "everything" for a change without places (areas) or with more than
/// `StoreChangeBuffer.pointLimit` points (a large import).
///
/// The payload is text: `*` for everything, else one `lon lat category` line per point, after a first line
/// `@origin` that names the sending store (see `PostGISStore.origin`). Points that do not fit one payload go in
/// several. PostgreSQL delivers them at commit, and not at all when the transaction rolls back.
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

    /// Adds `other` to this note, as `StoreChange.add` adds changes: the points of both, or everything once either
    /// is everything or together they pass `StoreChangeBuffer.pointLimit` points.
    mutating func add(_ other: StoreChangeNote) {
        guard case .points(var points) = self, case .points(let more) = other,
              points.count + more.count <= StoreChangeBuffer.pointLimit else {
            self = .everything
            return
        }
        self = .everything   // lets `points` be extended in place
        points.append(contentsOf: more)
        self = .points(points)
    }

    /// PostgreSQL refuses payloads of 8000 bytes and more; past this `payloads` starts another one.
    static let payloadLimit = 7_000

    /// The payloads that carry the note, each under `payloadLimit` with the sender's origin line: one `*` for
    /// everything or past `StoreChangeBuffer.pointLimit` points, else the points split into as many payloads
    /// as they need (about 230 points each), none for no points.
    public func payloads(origin: String) -> [String] {
        let head = "@\(origin)\n"
        guard case .points(let points) = self, points.count <= StoreChangeBuffer.pointLimit else { return [head + "*"] }
        var out: [String] = []
        var text = head
        for p in points {
            let line = "\(p.location.lon) \(p.location.lat) \(p.category)\n"
            if text.utf8.count + line.utf8.count > Self.payloadLimit, text != head {
                out.append(text)
                text = head
            }
            text += line
            if text.utf8.count > Self.payloadLimit { return [head + "*"] }
        }
        if text != head { out.append(text) }
        return out
    }

    /// The origin a payload names (nil when it names none) and its note.
    public static func read(_ payload: String) -> (origin: String?, note: StoreChangeNote) {
        guard payload.hasPrefix("@") else { return (nil, StoreChangeNote(payload: payload)) }
        let parts = payload.dropFirst().split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        return (String(parts[0]), StoreChangeNote(payload: parts.count > 1 ? String(parts[1]) : ""))
    }

    /// What a note changed, for a server: the written points, or everything.
    public var change: StoreChange {
        guard case .points(let points) = self else { return .everything }
        return .written(points.map(\.location))
    }

    /// Reads a payload without an origin line; anything it cannot read counts as everything, so a reader never
    /// misses a change.
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

    /// Queues the note in the connection's open transaction, in one statement however many payloads it takes;
    /// nothing for an empty list of points.
    func send(on conn: PostgresConnection, from origin: String, logger: Logger) async throws {
        let payloads = payloads(origin: origin)
        guard !payloads.isEmpty else { return }
        var sql = SQL()
        sql.text = "SELECT pg_notify('\(PostGISStore.changeChannel)', p) FROM unnest(\(sql.bind(payloads))::text[]) AS p"
        try await conn.rows(sql, logger: logger)
    }
}
