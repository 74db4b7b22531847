public import OtklikCore
public import Foundation

/// One planted hotspot of the demo: where it is, what it is, and what the engine should say about it.
public struct PlantedHotspot: Sendable, Codable, Hashable {
    public var key: String
    public var category: String
    public var settlement: String
    public var district: String
    public var lon: Double
    public var lat: Double
    public var complaints: Int
    public var episodes: Int
    public var recurring: Bool
    public var repeatAfterFix: Bool
}

public struct DemoTruth: Sendable, Codable {
    public var seed: UInt64
    public var end: String
    public var incidents: Int
    public var hotspots: [PlantedHotspot]
}

/// Builds a deterministic synthetic history of complaints for the demo region.
///
/// Background: complaints fall on settlements in proportion to population, scattered around the settlement
/// point with a spread that grows with its size, over `days` ending at `end`, with season (potholes in
/// spring, lighting in winter) and a closing time that depends on the category deadline.
/// Planted: a fixed list of places (a container site in a Сосновка, potholes and a playground in Рудня …)
/// with tight bursts of complaints; recurring ones come back after each "resolved" event.
public struct DemoGenerator: Sendable {
    public var seed: UInt64
    public var count: Int
    public var days: Int
    public var end: Date
    public let taxonomy: Taxonomy
    public let settlements: [Area]
    public let locator: AreaLocator

    public init(seed: UInt64, count: Int, days: Int = 730, end: Date, taxonomy: Taxonomy, settlements: [Area], locator: AreaLocator) {
        self.seed = seed
        self.count = count
        self.days = days
        self.end = end
        self.taxonomy = taxonomy
        self.settlements = settlements
        self.locator = locator
    }

    struct Plan {
        var key: String
        var category: String
        var settlement: String
        var district: String
        var offsetMeters: (Double, Double)
        var episodes: Int
        var perEpisode: ClosedRange<Int>
        var recurring: Bool
        /// Along a street rather than around a point (potholes).
        var lineMeters: Double
    }

    static let plans: [Plan] = [
        Plan(key: "sosnovka-roslavl-container", category: "waste.container_site", settlement: "Сосновка", district: "Рославльский район",
             offsetMeters: (120, -80), episodes: 6, perEpisode: 4...8, recurring: true, lineMeters: 0),
        Plan(key: "sosnovka-vyazma-container", category: "waste.container_site", settlement: "Сосновка", district: "Вяземский район",
             offsetMeters: (-90, 60), episodes: 4, perEpisode: 3...6, recurring: true, lineMeters: 0),
        Plan(key: "sosnovka-yelnya-container", category: "waste.container_site", settlement: "Сосновка", district: "Ельнинский район",
             offsetMeters: (40, 150), episodes: 3, perEpisode: 4...7, recurring: true, lineMeters: 0),
        Plan(key: "rudnya-potholes", category: "road.pothole", settlement: "Рудня", district: "Руднянский район",
             offsetMeters: (300, 200), episodes: 5, perEpisode: 5...9, recurring: true, lineMeters: 160),
        Plan(key: "rudnya-playground", category: "yard.playground", settlement: "Рудня", district: "Руднянский район",
             offsetMeters: (-400, -250), episodes: 4, perEpisode: 3...6, recurring: true, lineMeters: 0),
        Plan(key: "yartsevo-street-lights", category: "lighting.street", settlement: "Ярцево", district: "Ярцевский район",
             offsetMeters: (500, -300), episodes: 4, perEpisode: 4...7, recurring: true, lineMeters: 120),
        Plan(key: "roslavl-entrance-light", category: "lighting.entrance", settlement: "Рославль", district: "Рославльский район",
             offsetMeters: (-600, 400), episodes: 5, perEpisode: 3...5, recurring: true, lineMeters: 0),
        Plan(key: "smolensk-potholes", category: "road.pothole", settlement: "Смоленск", district: "Город Смоленск",
             offsetMeters: (1200, -900), episodes: 4, perEpisode: 6...10, recurring: true, lineMeters: 200),
        Plan(key: "safonovo-stray-dogs", category: "animals.stray", settlement: "Сафоново", district: "Сафоновский район",
             offsetMeters: (-700, 500), episodes: 1, perEpisode: 12...16, recurring: false, lineMeters: 0),
        Plan(key: "vyazma-illegal-dump", category: "waste.dump", settlement: "Вязьма", district: "Вяземский район",
             offsetMeters: (1500, 1200), episodes: 1, perEpisode: 9...12, recurring: false, lineMeters: 0),
        Plan(key: "gagarin-yard", category: "yard.territory", settlement: "Гагарин", district: "Гагаринский район",
             offsetMeters: (-500, -600), episodes: 1, perEpisode: 8...11, recurring: false, lineMeters: 0),
        Plan(key: "desnogorsk-potholes", category: "road.pothole", settlement: "Десногорск", district: "Город Десногорск",
             offsetMeters: (300, -200), episodes: 3, perEpisode: 5...8, recurring: true, lineMeters: 100),
    ]

    static let categoryWeights: [(String, Double)] = [
        ("road.pothole", 0.22), ("waste.container_site", 0.20), ("waste.dump", 0.06), ("lighting.street", 0.12),
        ("lighting.entrance", 0.08), ("animals.stray", 0.07), ("yard.playground", 0.06), ("yard.territory", 0.12),
        ("other", 0.07),
    ]

    static let streets = ["Ленина", "Советская", "Мира", "Садовая", "Школьная", "Молодёжная", "Центральная", "Луговая",
                          "Заречная", "Октябрьская", "Первомайская", "Гагарина", "Смоленская", "Лесная", "Полевая"]
    static let firstNames = ["Анна", "Ирина", "Ольга", "Татьяна", "Елена", "Сергей", "Андрей", "Николай", "Владимир", "Алексей"]
    static let lastNames = ["Иванова", "Петрова", "Смирнова", "Кузнецова", "Соколова", "Иванов", "Петров", "Смирнов", "Кузнецов", "Соколов"]
    static let texts: [String: [String]] = [
        "road.pothole": ["Глубокая яма на проезжей части", "Разбит асфальт, машины объезжают по встречной", "Яму засыпали, снова провал"],
        "waste.container_site": ["Контейнеры переполнены, мусор не вывозят", "Площадка завалена мусором", "Мусор не вывозят неделю"],
        "waste.dump": ["Несанкционированная свалка у дороги", "Свалка строительного мусора в лесополосе"],
        "lighting.street": ["Не горят фонари на улице", "Темно, фонарь не работает"],
        "lighting.entrance": ["Не горит свет у подъезда", "Лампа над подъездом перегорела"],
        "animals.stray": ["Стая бездомных собак у школы", "Собаки бросаются на прохожих"],
        "yard.playground": ["Сломаны качели на детской площадке", "Опасная горка, торчат гвозди"],
        "yard.territory": ["Двор не убирается", "Снег не убран во дворе", "Грязь и лужи во дворе"],
        "other": ["Прошу разобраться", "Повреждена остановка"],
    ]

    public struct Output: Sendable {
        public var incidents: [Incident]
        public var truth: DemoTruth
    }

    public func generate() throws -> Output {
        var rng = SeededRandom(seed: seed)
        let start = end.addingTimeInterval(-Double(days) * 86_400)
        let populated = settlements.filter { ($0.population ?? 0) > 0 && $0.anchor != nil }
        guard !populated.isEmpty else { throw ValidationError.invalid(field: "settlements", value: "0", reason: "no settlement with population") }
        var cumulative: [Double] = []
        var total = 0.0
        for s in populated {
            // Sub-linear in population: villages complain more per head than cities.
            total += pow(Double(s.population!), 0.85)
            cumulative.append(total)
        }
        var incidents: [Incident] = []
        incidents.reserveCapacity(count + 400)
        var planted: [PlantedHotspot] = []

        for plan in Self.plans {
            guard let s = settlements.first(where: { $0.name == plan.settlement && (locator.district(of: $0.anchor!) == plan.district || $0.parent == plan.district) }),
                  let anchor = s.anchor else { continue }
            let centre = Self.offset(anchor, east: plan.offsetMeters.0, north: plan.offsetMeters.1)
            let cat = try taxonomy.category(plan.category)
            var made = 0
            // Each episode is a burst of a few days, "resolved" some days later; a recurring place comes back
            // 25–65 days after the fix, inside the 90-day repeat-after-fix window. The last episode ends
            // shortly before `end`, so the place is still live in the demo.
            let gaps = (0..<plan.episodes).map { _ in 25 + rng.unit() * 40 }
            let needed = Double(plan.episodes) * 9 + gaps.dropLast().reduce(0, +)
            var epStart = end.addingTimeInterval(-(needed + 5 + rng.unit() * 20) * 86_400)
            for e in 0..<plan.episodes {
                if e > 0 { epStart = epStart.addingTimeInterval((9 + gaps[e - 1]) * 86_400) }
                let n = plan.perEpisode.lowerBound + rng.int(0..<(plan.perEpisode.count))
                let isLast = e == plan.episodes - 1
                let fixAt = epStart.addingTimeInterval((4 + rng.unit() * 5) * 86_400)
                for k in 0..<n {
                    let t = epStart.addingTimeInterval(rng.unit() * 3.5 * 86_400)
                    let along = plan.lineMeters > 0 ? (Double(k) / Double(max(1, n - 1)) - 0.5) * plan.lineMeters : 0
                    let jitter = cat.radiusMeters * 0.2
                    let p = Self.offset(centre, east: along + rng.normal() * jitter, north: rng.normal() * jitter)
                    let open = isLast && !plan.recurring || (isLast && k >= n - 2)
                    let status: IncidentStatus = open ? (k % 2 == 0 ? .new : .inProgress) : .resolved
                    let resolvedAt: Date? = status == .resolved ? max(fixAt, t.addingTimeInterval(3600)) : nil
                    incidents.append(Incident(source: k % 3 == 0 ? .hotline : .portal, externalID: "demo-\(plan.key)-\(made)",
                                              category: plan.category, description: rng.pick(Self.texts[plan.category] ?? ["—"]),
                                              address: "\(plan.settlement), ул. \(Self.streets[e % Self.streets.count])",
                                              location: p, reportedAt: t, status: status, resolvedAt: resolvedAt, agency: cat.agency,
                                              reporter: k % 4 == 0 ? ReporterContact(name: "\(rng.pick(Self.firstNames)) \(rng.pick(Self.lastNames))", phone: "+7 4812 \(rng.int(100_000..<999_999))") : nil))
                    made += 1
                }
            }
            let place = locator.assign(centre)
            planted.append(PlantedHotspot(key: plan.key, category: plan.category, settlement: place.settlement ?? plan.settlement,
                                          district: place.district ?? plan.district, lon: centre.lon, lat: centre.lat,
                                          complaints: made, episodes: plan.episodes, recurring: plan.recurring,
                                          repeatAfterFix: plan.recurring))
        }

        let background = max(0, count - incidents.count)
        for i in 0..<background {
            let r = rng.unit() * total
            var lo = 0, hi = cumulative.count - 1
            while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid] < r { lo = mid + 1 } else { hi = mid } }
            let s = populated[lo]
            let pop = Double(s.population!)
            // Complaints spread over the whole built-up area: at least 500 m around a village point, a few km in a town.
            let spread = min(4500, max(500, 60 + 12 * pop.squareRoot()))
            let p = Self.offset(s.anchor!, east: rng.normal() * spread, north: rng.normal() * spread)
            guard let point = try? GeoPoint.validated(lon: p.lon, lat: p.lat) else { continue }
            let category = Self.pickCategory(&rng, dayOfYear: 0)
            let cat = taxonomy[category]!
            let t = start.addingTimeInterval(Self.seasonalTime(&rng, category: category, days: days))
            let age = end.timeIntervalSince(t) / 86_400
            let deadline = Double(cat.deadlineDays)
            // Most complaints close within about the deadline; a tail runs late; the most recent stay open.
            let closeDays = deadline * (0.2 + rng.unit() * 1.1) + (rng.unit() < 0.08 ? deadline * 3 : 0)
            var status: IncidentStatus = .new
            var resolved: Date?
            if age > closeDays {
                status = rng.unit() < 0.05 ? .rejected : .resolved
                resolved = t.addingTimeInterval(closeDays * 86_400)
            } else if rng.unit() < 0.5 {
                status = .inProgress
            }
            let src: IncidentSource = { let u = rng.unit(); return u < 0.5 ? .portal : u < 0.75 ? .hotline : u < 0.9 ? .social : .inspector }()
            incidents.append(Incident(source: src, externalID: "demo-\(i)", category: category,
                                      description: rng.pick(Self.texts[category] ?? ["—"]),
                                      address: "\(s.name), ул. \(rng.pick(Self.streets)), д. \(rng.int(1..<80))",
                                      location: point, reportedAt: t, status: status, resolvedAt: resolved, agency: cat.agency,
                                      reporter: rng.unit() < 0.3 ? ReporterContact(name: "\(rng.pick(Self.firstNames)) \(rng.pick(Self.lastNames))",
                                                                                    phone: "+7 9\(rng.int(10..<99)) \(rng.int(100..<999))-\(rng.int(10..<99))-\(rng.int(10..<99))") : nil))
        }
        incidents.sort { ($0.reportedAt, $0.externalID) < ($1.reportedAt, $1.externalID) }
        return Output(incidents: incidents, truth: DemoTruth(seed: seed, end: Timestamp.format(end), incidents: incidents.count, hotspots: planted))
    }

    static func pickCategory(_ rng: inout SeededRandom, dayOfYear: Int) -> String {
        var u = rng.unit()
        for (c, w) in categoryWeights {
            if u < w { return c }
            u -= w
        }
        return "other"
    }

    /// Seconds from the start; potholes peak in spring, lighting in the dark months.
    static func seasonalTime(_ rng: inout SeededRandom, category: String, days: Int) -> Double {
        for _ in 0..<8 {
            let d = rng.unit() * Double(days)
            let phase = (d.truncatingRemainder(dividingBy: 365.25)) / 365.25 * 2 * .pi
            let weight: Double
            switch category {
            case "road.pothole": weight = 0.6 + 0.4 * cos(phase - 1.6)
            case "lighting.street", "lighting.entrance": weight = 0.6 + 0.4 * cos(phase - 5.5)
            default: weight = 1
            }
            if rng.unit() < weight { return d * 86_400 }
        }
        return rng.unit() * Double(days) * 86_400
    }

    /// A point `east`/`north` metres from `p` (local flat approximation; offsets are at most a few km).
    static func offset(_ p: GeoPoint, east: Double, north: Double) -> GeoPoint {
        let dLat = north / 111_132.954
        let dLon = east / (111_319.49 * cos(p.lat * .pi / 180))
        return GeoPoint(lon: p.lon + dLon, lat: p.lat + dLat)
    }
}
