public import OtklikCore
public import Foundation

/// One settlement of the all-Russia list (`russia_settlements.csv.gz`): its name, point and 2010 population.
public struct SettlementPoint: Sendable, Hashable {
    public var region: String
    public var name: String
    public var location: GeoPoint
    public var population: Int

    public init(region: String, name: String, location: GeoPoint, population: Int) {
        self.region = region
        self.name = name
        self.location = location
        self.population = population
    }

    /// The settlements of `region` (exact name, e.g. "Тверская область") with a population, from the text of the
    /// all-Russia CSV (`id,region,municipality,settlement,type,population,…,latitude_dd,longitude_dd,…`; the
    /// columns are found by their header names).
    public static func parse(csv text: String, region: String) throws -> [SettlementPoint] {
        var lines = text.split(whereSeparator: \.isNewline).makeIterator()
        guard let header = lines.next().map(fields) else { return [] }
        func column(_ name: String) throws -> Int {
            guard let i = header.firstIndex(of: name) else {
                throw ValidationError.invalid(field: "settlements", value: name, reason: "the CSV has no column \(name)")
            }
            return i
        }
        let r = try column("region"), n = try column("settlement"), p = try column("population")
        let lat = try column("latitude_dd"), lon = try column("longitude_dd")
        var out: [SettlementPoint] = []
        while let line = lines.next() {
            guard line.contains(region) else { continue }
            let f = fields(line)
            guard f.count > max(r, n, p, lat, lon), f[r] == region, let pop = Int(f[p]), pop > 0,
                  let y = Double(f[lat]), let x = Double(f[lon]) else { continue }
            out.append(SettlementPoint(region: region, name: f[n], location: GeoPoint(lon: x, lat: y), population: pop))
        }
        return out
    }

    /// The fields of one CSV line; quotes around a field are removed, doubled quotes inside kept as one.
    static func fields(_ line: Substring) -> [String] {
        let chars = Array(line)
        var out: [String] = [], field = "", quoted = false, i = 0
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c != "\"" { field.append(c) } else if i + 1 < chars.count && chars[i + 1] == "\"" { field.append(c); i += 1 } else { quoted = false }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                out.append(field)
                field = ""
            } else {
                field.append(c)
            }
            i += 1
        }
        out.append(field)
        return out
    }
}

/// A synthetic region for measuring the hotspot engine: complaints spread over real settlements in proportion to
/// population, plus tight planted hotspots whose truth is known.
///
/// - Background: `background` complaints; a settlement is drawn with weight population^0.85 (villages complain
///   more per head than cities, as in `DemoGenerator`), and the point falls in its built-up area: a normal spread
///   of σ = clamp(60 + 12 √population, 500, 4 500) m around the settlement point. Categories by the demo's
///   shares, times over `days` with the demo's seasons, closed and resolved as the demo closes them.
/// - Planted: `planted` hotspots at settlements drawn by population (so most sit in towns, where the background is
///   densest), a random category, centred within σ/2 of the settlement point, each complaint within 0.2 × the
///   category radius. In turn they are
///   - *bursts*: two to four bursts of 3–6 complaints, 30–80 days apart, each resolved after it (recurring);
///   - *fix then burst*: one burst of 3–5 complaints resolved, then a burst of 3–5 within 20–60 days of the fix
///     (recurring: a failed fix followed by an episode);
///   - *one burst*: a single burst of 8–12 complaints, open or resolved (not recurring).
/// Ids are 1…n in report time order; a planted complaint's `externalID` is "planted-<key>-<k>".
public struct SyntheticRegion: Sendable {
    public var settlements: [SettlementPoint]
    public var seed: UInt64
    public var background: Int
    public var planted: Int
    public var days: Int
    public var end: Date
    public let taxonomy: Taxonomy

    public init(settlements: [SettlementPoint], seed: UInt64, background: Int, planted: Int = 10, days: Int = 730,
                end: Date, taxonomy: Taxonomy) {
        self.settlements = settlements
        self.seed = seed
        self.background = background
        self.planted = planted
        self.days = days
        self.end = end
        self.taxonomy = taxonomy
    }

    /// One planted hotspot and its members.
    public struct Planted: Sendable, Hashable {
        public var key: String
        public var category: String
        public var settlement: String
        public var centre: GeoPoint
        public var recurring: Bool
        public var memberIDs: [Int64]
    }

    public struct Output: Sendable {
        public var incidents: [Incident]
        public var planted: [Planted]
    }

    /// The categories planted hotspots are drawn from (every demo category but "other").
    static let plantedCategories = DemoGenerator.categoryWeights.map(\.0).filter { $0 != "other" }

    public func generate() throws -> Output {
        guard !settlements.isEmpty else {
            throw ValidationError.invalid(field: "settlements", value: "0", reason: "no settlement with population")
        }
        var rng = SeededRandom(seed: seed)
        let start = end.addingTimeInterval(-Double(days) * 86_400)
        var cumulative: [Double] = []
        var total = 0.0
        for s in settlements {
            total += pow(Double(s.population), 0.85)
            cumulative.append(total)
        }
        func pickSettlement() -> SettlementPoint {
            let u = rng.unit() * total
            var lo = 0, hi = cumulative.count - 1
            while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid] < u { lo = mid + 1 } else { hi = mid } }
            return settlements[lo]
        }
        func spread(_ s: SettlementPoint) -> Double { min(4500, max(500, 60 + 12 * Double(s.population).squareRoot())) }

        var incidents: [Incident] = []
        incidents.reserveCapacity(background + planted * 20)
        var plantedRefs: [(key: String, category: String, settlement: String, centre: GeoPoint, recurring: Bool)] = []
        for k in 0..<planted {
            let s = pickSettlement()
            let category = rng.pick(Self.plantedCategories)
            let cat = try taxonomy.category(category)
            let r = spread(s) / 2
            let centre = DemoGenerator.offset(s.location, east: rng.normal() * r, north: rng.normal() * r)
            let key = "\(k)"
            // (start day before `end`, complaints, resolved after the burst)
            var bursts: [(Double, Int, Bool)] = []
            let kind = k % 3
            let last = 5 + rng.unit() * 60
            switch kind {
            case 0:
                let n = 2 + rng.int(0..<3)
                var day = last
                var list: [(Double, Int, Bool)] = []
                for i in 0..<n {
                    list.append((day, 3 + rng.int(0..<4), i > 0))
                    day += 30 + rng.unit() * 50
                }
                bursts = list.reversed()
            case 1:
                let gap = 20 + rng.unit() * 40
                bursts = [(last + 8 + gap, 3 + rng.int(0..<3), true), (last, 3 + rng.int(0..<3), false)]
            default:
                bursts = [(last + rng.unit() * 200, 8 + rng.int(0..<5), rng.unit() < 0.5)]
            }
            var made = 0
            for (daysBefore, n, resolved) in bursts {
                let burstStart = end.addingTimeInterval(-daysBefore * 86_400)
                let fixAt = burstStart.addingTimeInterval((4 + rng.unit() * 4) * 86_400)
                for _ in 0..<n {
                    let t = burstStart.addingTimeInterval(rng.unit() * 3.5 * 86_400)
                    let jitter = cat.radiusMeters * 0.2
                    let p = DemoGenerator.offset(centre, east: rng.normal() * jitter, north: rng.normal() * jitter)
                    incidents.append(Incident(source: .portal, externalID: "planted-\(key)-\(made)", category: category,
                                              description: "—", location: p, reportedAt: t,
                                              status: resolved ? .resolved : .new,
                                              resolvedAt: resolved ? max(fixAt, t.addingTimeInterval(3600)) : nil,
                                              agency: cat.agency))
                    made += 1
                }
            }
            plantedRefs.append((key, category, s.name, centre, kind != 2))
        }
        for i in 0..<background {
            let s = pickSettlement()
            let sigma = spread(s)
            let p = DemoGenerator.offset(s.location, east: rng.normal() * sigma, north: rng.normal() * sigma)
            let category = DemoGenerator.pickCategory(&rng, dayOfYear: 0)
            let cat = try taxonomy.category(category)
            let t = start.addingTimeInterval(DemoGenerator.seasonalTime(&rng, category: category, days: days))
            let deadline = Double(cat.deadlineDays)
            let closeDays = deadline * (0.2 + rng.unit() * 1.1)
            let closed = end.timeIntervalSince(t) / 86_400 > closeDays
            incidents.append(Incident(source: .portal, externalID: "background-\(i)", category: category, description: "—",
                                      location: p, reportedAt: t, status: closed ? .resolved : .new,
                                      resolvedAt: closed ? t.addingTimeInterval(closeDays * 86_400) : nil, agency: cat.agency))
        }
        incidents.sort { ($0.reportedAt, $0.externalID) < ($1.reportedAt, $1.externalID) }
        var members: [String: [Int64]] = [:]
        for i in incidents.indices {
            incidents[i].id = Int64(i + 1)
            let ext = incidents[i].externalID
            if ext.hasPrefix("planted-") {
                let key = String(ext.dropFirst(8).prefix { $0 != "-" })
                members[key, default: []].append(Int64(i + 1))
            }
        }
        let truth = plantedRefs.map {
            Planted(key: $0.key, category: $0.category, settlement: $0.settlement, centre: $0.centre,
                    recurring: $0.recurring, memberIDs: members[$0.key] ?? [])
        }
        return Output(incidents: incidents, planted: truth)
    }
}
