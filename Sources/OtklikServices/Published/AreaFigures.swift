public import OtklikCore

/// A published area: identified by its row id, as a number in GeoJSON and in vector tiles alike.
public protocol AreaFeature: PublishedFeature {
    var area: Area { get }
    /// The area's row id (its position when the store has none).
    var rowID: Int64 { get }
    var figures: AreaCounts { get }
}

extension AreaFeature {
    public var id: String { String(rowID) }
    public var numericID: UInt64 { UInt64(max(0, rowID)) }
    public static var numericGeoJSONID: Bool { true }
}

/// A district with its complaint figures: the OGC `districts` collection, the `districts` vector tiles and the
/// district report.
public struct DistrictFigure: AreaFeature {
    public var area: Area
    public var rowID: Int64
    public var figures: AreaCounts

    public init(area: Area, rowID: Int64, figures: AreaCounts) {
        self.area = area
        self.rowID = rowID
        self.figures = figures
    }

    public var geometry: Geometry { area.geometry }

    public static let fields: [PublishedField<DistrictFigure>] = [
        .int("id") { Int($0.rowID) },
        .string("name") { $0.area.name },
        .optionalString("kind") { $0.area.kind },
        .optionalInt("population") { $0.figures.population },
        .bool("approximate") { $0.area.approximate },
        .int("complaints") { $0.figures.complaints },
        .int("open") { $0.figures.open },
        .int("overdue") { $0.figures.overdue },
        .optionalDouble("per_1000", digits: 2) { $0.figures.per1000 },
        .optionalInt("recurring_hotspots") { $0.figures.recurringHotspots },
    ]
}

/// A settlement with its complaint figures: the OGC `settlements` collection.
public struct SettlementFigure: AreaFeature {
    public var area: Area
    public var rowID: Int64
    public var figures: AreaCounts

    public init(area: Area, rowID: Int64, figures: AreaCounts) {
        self.area = area
        self.rowID = rowID
        self.figures = figures
    }

    /// The settlement's point where it has one (its outline otherwise).
    public var geometry: Geometry { area.point.map { .point($0) } ?? area.geometry }

    public static let fields: [PublishedField<SettlementFigure>] = [
        .int("id") { Int($0.rowID) },
        .string("name") { $0.area.name },
        .optionalString("district") { $0.area.parent },
        .optionalString("kind") { $0.area.kind },
        .optionalInt("population") { $0.figures.population },
        .int("complaints") { $0.figures.complaints },
        .int("open") { $0.figures.open },
        .int("overdue") { $0.figures.overdue },
        .optionalDouble("per_1000", digits: 2) { $0.figures.per1000 },
    ]
}
