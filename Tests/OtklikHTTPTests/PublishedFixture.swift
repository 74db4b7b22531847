import Foundation
import OtklikCore
import OtklikHotspots
import OtklikServices

/// Hotspots with every property filled: recurring, resolved, open, overdue, repeat-after-fix, Russian names.
enum PublishedFixture {
    static let day0 = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01T00:00:00Z
    static func day(_ d: Double) -> Date { day0.addingTimeInterval(d * 86_400) }

    /// The engine's points for `FixedAnalysis`: a container site in Сосновка resolved on day 20 and complained
    /// about again three times.
    static func points() -> [HotspotPoint] {
        var out: [HotspotPoint] = []
        func add(_ x: Double, _ y: Double, day d: Double, resolvedDay: Double? = nil) {
            let id = Int64(out.count + 1)
            out.append(HotspotPoint(id: id, x: x, y: y, location: GeoPoint(lon: 31.3 + x * 1e-5, lat: 54.9 + y * 1e-5),
                                    category: "waste.container_site", reportedAt: day(d),
                                    status: resolvedDay == nil ? .new : .resolved, resolvedAt: resolvedDay.map(day),
                                    agency: "Региональный оператор", district: Harness.rudnya, settlement: "Сосновка"))
        }
        for (k, d) in [0.0, 2, 5, 9].enumerated() { add(Double(k) * 5, 0, day: d, resolvedDay: 20) }
        for (k, d) in [40.0, 42, 45].enumerated() { add(Double(k) * 5, 8, day: d) }
        return out
    }

    static func hotspots() throws -> [HotspotFeature] {
        let report = try HotspotAnalysis.run(points: points(), taxonomy: Harness.taxonomy, now: day(50))
        return HotspotFeature.ranked(report.hotspots, taxonomy: Harness.taxonomy)
    }

    /// Stored incidents that make three hotspots in three categories and both districts, each a small
    /// polygon (so that it shows in tiles), with resolved, repeated and open complaints.
    static func incidents() -> [Incident] {
        // (category, centre, district) — offsets below are about 10–25 m, inside every category's radius.
        let sites: [(String, GeoPoint)] = [
            ("road.pothole", GeoPoint(lon: 31.30, lat: 54.90)),
            ("waste.container_site", GeoPoint(lon: 31.10, lat: 54.95)),
            ("yard.playground", GeoPoint(lon: 32.05, lat: 54.78)),
        ]
        let ring: [(Double, Double)] = [(0, 0), (3, 0), (3, 2), (0, 2), (1.5, 3), (1.5, 1)]
        var out: [Incident] = []
        for (s, site) in sites.enumerated() {
            for (k, (dx, dy)) in ring.enumerated() {
                // The first three are resolved on day 30; the rest come after the fix.
                let reported = day(Double(s) + (k < 3 ? Double(k) * 3 : 40 + Double(k) * 2))
                let resolved = k < 3
                out.append(Incident(source: .import, externalID: "published-\(s)-\(k)", category: site.0,
                                    description: "Жалоба: \(site.0), точка \(k)", address: "ул. Ленина, \(k)",
                                    location: GeoPoint(lon: site.1.lon + dx * 1e-4, lat: site.1.lat + dy * 1e-4),
                                    reportedAt: reported, status: resolved ? .resolved : .new,
                                    resolvedAt: resolved ? day(30) : nil, agency: "Дорожное управление",
                                    reporter: ReporterContact(name: "Иван Петров", phone: "+7 900 000-00-0\(k)", email: nil)))
            }
        }
        return out
    }
}
