public import Foundation
public import OtklikCore
import Synchronization

/// Turns the district and settlement names callers type into the names stored with the incidents, and knows the
/// region's extent. A filter on a name nobody stores would answer "nothing here", the same as a real but quiet
/// area; this tells the two apart (see `PlaceNameMatcher`).
///
/// The names and the extent come from the store's areas and are kept: areas change rarely. They are read again
/// after `invalidate()` (the serving store calls it when areas are replaced through it) and after `ttl`
/// seconds, which bounds how long an area import by another process goes unseen.
public final class PlaceResolver: Sendable {
    public let store: any AreaRepository
    public let ttl: TimeInterval

    private struct Snapshot: Sendable {
        var places: [PlaceName]
        var hasDistricts: Bool
        var hasSettlements: Bool
        var region: RegionCheck?
        var at: Date
    }
    private let cache = Mutex<Snapshot?>(nil)

    public init(store: any AreaRepository, ttl: TimeInterval = 60) {
        self.store = store
        self.ttl = ttl
    }

    public func invalidate() {
        cache.withLock { $0 = nil }
    }

    private func snapshot() async throws -> Snapshot {
        let now = Date()
        if let s = cache.withLock({ $0 }), now.timeIntervalSince(s.at) < ttl { return s }
        let districts = try await store.areas(level: .district)
        let settlements = try await store.areas(level: .settlement)
        let s = Snapshot(
            places: districts.map { PlaceName(name: $0.name, kind: .district) }
                + settlements.map { PlaceName(name: $0.name, kind: .settlement, district: $0.parent) },
            hasDistricts: !districts.isEmpty, hasSettlements: !settlements.isEmpty,
            region: RegionCheck.covering(districts), at: now)
        cache.withLock { $0 = s }
        return s
    }

    /// The stored name `query` means, or `UnknownPlace` with the closest names. With no areas of the kind
    /// loaded there is nothing to judge by, and the name is passed on as given.
    public func resolve(_ query: String, kind: PlaceName.Kind, field: String) async throws -> String {
        let s = try await snapshot()
        guard kind == .district ? s.hasDistricts : s.hasSettlements else { return query }
        switch PlaceNameMatcher.match(query, kind: kind, in: s.places) {
        case .found(let p): return p.name
        case .unknown(let suggestions):
            let known = s.places.filter { $0.kind == kind }.map(\.name).sorted().prefix(10)
            throw UnknownPlace(field: field, query: query, kind: kind, suggestions: suggestions,
                               known: suggestions.isEmpty ? Array(known) : [])
        }
    }

    /// `resolve` for an optional district and settlement, as filters carry them.
    public func resolve(district: String?, settlement: String?, fields: (district: String, settlement: String))
        async throws -> (district: String?, settlement: String?) {
        var d = district, s = settlement
        if let v = district { d = try await resolve(v, kind: .district, field: fields.district) }
        if let v = settlement { s = try await resolve(v, kind: .settlement, field: fields.settlement) }
        return (d, s)
    }

    /// The region's check, nil when no districts are loaded.
    public func regionCheck() async throws -> RegionCheck? {
        try await snapshot().region
    }
}
