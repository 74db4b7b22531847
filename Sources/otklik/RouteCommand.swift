import ArgumentParser
import Foundation
import OtklikCore
import OtklikServices
import OtklikInspection

struct Route: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Plan an inspector's day over open hotspots or complaints; write GPX, KML, GeoJSON or CSV.",
        discussion: """
        Stops are chosen by priority (hotspot score, overdue complaints) against the detour they cost when \
        --max-stops, --max-km or --max-hours do not allow them all. The summary (stops, km, duration) goes to         stderr. Times without an offset are Moscow time (Europe/Moscow), the zone the exports print their ETAs in.
        """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this district, e.g. \"Руднянский район\".") var district: String?
    @Option(help: "Only this settlement, e.g. Сосновка.") var settlement: String?
    @Option(help: "Only inside minLon,minLat,maxLon,maxLat.") var bbox: String?
    @Option(help: "Route these points instead: a GeoJSON FeatureCollection of Points (id and name are kept).")
    var points: String?
    @Option(help: "Only this category (repeatable).") var category: [String] = []
    @Option(help: "hotspots (default) or incidents.") var targets: String?
    // `.unconditional`: a western longitude starts with a minus, which would otherwise be read as an option.
    @Option(parsing: .unconditional,
            help: "Start point lon,lat (e.g. the district office); a negative value works as --start -17.4,14.7 or --start=-17.4,14.7.")
    var start: String
    @Flag(help: "Return to the start (the default without --end).") var roundTrip = false
    @Option(parsing: .unconditional, help: "End point lon,lat instead of returning (negative: --end=-17.5,14.7).")
    var end: String?
    @Flag(help: "End at the last stop.") var openEnd = false
    @Option(help: "At most this many stops.") var maxStops: Int?
    @Option(help: "At most this many road kilometres.") var maxKm: Double?
    @Option(help: "A working day of at most this many hours, travel and stops (more than 0, at most 24), e.g. 8.")
    var maxHours: Double?
    @Option(help: "Leave the start at this time: YYYY-MM-DDThh:mm in Moscow time, or with an offset (2026-12-07T08:30+03:00); default now.")
    var depart: String?
    @Option(help: "Travel speed, km/h.") var speed = 40.0
    @Option(help: "Road distance ÷ straight distance.") var detour = 1.3
    @Option(help: "Minutes spent at each stop.") var serviceMinutes = 10.0
    @Option(help: "gpx, kml, geojson or csv.") var format = "gpx"
    @Option(help: "Write here instead of stdout.") var out: String?

    func validate() throws {
        guard RouteFormat(rawValue: format) != nil else {
            throw ArgumentParser.ValidationError("--format must be gpx, kml, geojson or csv, not '\(format)'")
        }
        if let targets, RouteTargets(rawValue: targets) == nil {
            throw ArgumentParser.ValidationError("--targets must be hotspots or incidents, not '\(targets)'")
        }
        let ends = [roundTrip, end != nil, openEnd].filter { $0 }.count
        guard ends <= 1 else { throw ArgumentParser.ValidationError("give at most one of --round-trip, --end, --open-end") }
        if let maxStops, maxStops < 0 { throw ArgumentParser.ValidationError("--max-stops must not be negative") }
        if let maxKm, !(maxKm > 0 && maxKm.isFinite) { throw ArgumentParser.ValidationError("--max-km must be a positive number") }
        guard speed > 0, speed.isFinite else { throw ArgumentParser.ValidationError("--speed must be a positive number") }
        guard detour >= 1, detour.isFinite else { throw ArgumentParser.ValidationError("--detour must be at least 1") }
        guard serviceMinutes >= 0, serviceMinutes.isFinite else { throw ArgumentParser.ValidationError("--service-minutes must not be negative") }
    }

    func run() async throws {
        let now = Date()
        // Everything the arguments say is checked before the database is opened.
        let departure: Date
        do {
            departure = try depart.map { try RouteDeparture.parse($0, field: "--depart") } ?? now
            if let maxHours { _ = try RouteDeparture.hours(maxHours, field: "--max-hours") }
        } catch { throw unusableValue("\(error)") }
        let startPoint: GeoPoint, finish: RouteFinish
        var area: RouteArea
        var pointStops: [RouteStop]?
        do {
            startPoint = try RouteCandidates.point(start, field: "--start")
            if let end { finish = .fixed(try RouteCandidates.point(end, field: "--end")) }
            else { finish = openEnd ? .openEnd : .roundTrip }
            if let points {
                guard let data = FileManager.default.contents(atPath: points) else { throw CLIError("cannot read \(points)") }
                if !category.isEmpty { throw CLIError(RouteCandidatesError.notWithPoints("--category").description) }
                if targets != nil { throw CLIError(RouteCandidatesError.notWithPoints("--targets").description) }
                do { pointStops = try RouteCandidates.points(fromGeoJSON: Array(data)) } catch {
                    throw CLIError("\(points): \(error.description)")
                }
            }
            var box: BBox?
            if let bbox {
                do { box = try BBox.parse(bbox, field: "--bbox") } catch { throw CLIError(error.description) }
            }
            area = try RouteArea.choose(district: district, settlement: settlement, bbox: box, points: pointStops,
                                        names: ("--district", "--settlement", "--bbox", "--points"))
        } catch let e as RouteCandidatesError { throw CLIError(e.description) }
        let targetKind = targets.flatMap(RouteTargets.init(rawValue:)) ?? .hotspots
        let format = RouteFormat(rawValue: format)!

        var stops = pointStops ?? []
        if pointStops == nil {
            let store = try global.openStore()
            let source = RouteCandidates(store: store, taxonomy: store.taxonomy, baseURL: Self.baseURL)
            do { area = try await area.resolved(by: PlaceResolver(store: store), names: ("--district", "--settlement")) } catch let e as UnknownPlace {
                throw notFound(e.description)
            }
            do { stops = try await source.stops(area: area, categories: category, targets: targetKind, now: now) } catch let e as RouteCandidatesError {
                throw CLIError(e.description)
            }
        }
        var request = RouteRequest(start: startPoint, finish: finish, maxStops: maxStops, maxKilometres: maxKm,
                                   maxHours: maxHours, departure: departure, speedKmh: speed, detourFactor: detour, serviceMinutes: serviceMinutes)
        request.metric = .geodesic
        let route: PlannedRoute
        do {
            route = try RouteDay.plan(stops, request: request, emptyMessage: RouteDay.emptyMessage(area: area, targets: targetKind))
        } catch { throw CLIError(error.description) }
        let title = area == .region ? "Маршрут осмотра" : "Маршрут осмотра: \(area.label)"
        let text = RouteExporter.export(route, format: format, options: RouteExportOptions(title: title, generatedAt: now))
        if let out {
            do { try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic) } catch {
                throw CLIError("cannot write \(out): \(error.localizedDescription)")
            }
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        FileHandle.standardError.write(Data((RouteDay.summary(route) + "\n").utf8))
    }

    /// Links in the exports point at the server the planners use (env OTKLIK_BASE_URL), else the local default.
    static var baseURL: String {
        ProcessInfo.processInfo.environment["OTKLIK_BASE_URL"] ?? "http://127.0.0.1:8080"
    }
}
