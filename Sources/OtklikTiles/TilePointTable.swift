public import OtklikCore

/// Tile points packed for encoding many tiles: each point is a plain row (id, position, its Web Mercator unit
/// coordinates, and its text properties as codes into one table of distinct strings, each held once as UTF-8).
///
/// A cold tile over a town touches tens of thousands of points. As `TilePoint`s, every copy retained five
/// strings and the encoder hashed each property value to find its place in the layer's value table; with codes,
/// copying a row is copying bytes and a value's place is an array lookup (see `IncidentTileEncoder`).
public struct TilePointTable: Sendable {
    public struct Row: Sendable {
        public var id: Int64
        public var lon: Double
        public var lat: Double
        /// `WebMercator.unit` of the location, computed once.
        var ux: Double
        var uy: Double
        var category: Int32
        var status: Int32
        var date: Int32
        /// -1 when the point has none.
        var settlement: Int32
        var district: Int32
    }

    public private(set) var rows: [Row] = []
    /// Distinct property texts; a row's codes index this.
    public private(set) var strings: [String] = []
    /// `strings` as UTF-8, back to back: string `c` is `utf8[offsets[c]..<offsets[c + 1]]`.
    private(set) var utf8: [UInt8] = []
    private(set) var offsets: [Int] = [0]
    private var codes: [UTF8Key: Int32] = [:]

    public init() {}

    public init(_ points: [TilePoint]) {
        rows.reserveCapacity(points.count)
        for p in points { append(p) }
    }

    public var count: Int { rows.count }

    public mutating func append(_ p: TilePoint) {
        let u = WebMercator.unit(p.location)
        let category = intern(p.category), status = intern(p.status), date = intern(p.date)
        var settlement: Int32 = -1, district: Int32 = -1
        if let s = p.settlement { settlement = intern(s) }
        if let d = p.district { district = intern(d) }
        rows.append(Row(id: p.id, lon: p.location.lon, lat: p.location.lat, ux: u.x, uy: u.y, category: category,
                        status: status, date: date, settlement: settlement, district: district))
    }

    /// The point at `i` as a `TilePoint` again.
    public func point(_ i: Int) -> TilePoint {
        let r = rows[i]
        return TilePoint(id: r.id, location: GeoPoint(lon: r.lon, lat: r.lat), category: strings[Int(r.category)],
                         status: strings[Int(r.status)], date: strings[Int(r.date)],
                         settlement: r.settlement < 0 ? nil : strings[Int(r.settlement)],
                         district: r.district < 0 ? nil : strings[Int(r.district)])
    }

    /// The code of `text`, nil when no point carries it.
    public func code(of text: String) -> Int32? { codes[UTF8Key(text)] }

    /// The same points ordered by longitude, then id (for `TilePointIndex`).
    func sortedByLongitude() -> TilePointTable {
        var copy = self
        copy.rows.sort { ($0.lon, $0.id) < ($1.lon, $1.id) }
        return copy
    }

    private mutating func intern(_ s: String) -> Int32 {
        let key = UTF8Key(s)
        if let c = codes[key] { return c }
        let c = Int32(strings.count)
        codes[key] = c
        strings.append(s)
        utf8.append(contentsOf: s.utf8)
        offsets.append(utf8.count)
        return c
    }
}


/// Which points of a table a tile shows: indices into `table.rows`.
public struct TilePointSelection: Sendable {
    public let table: TilePointTable
    public var indices: [Int32]

    public init(table: TilePointTable, indices: [Int32]) {
        self.table = table
        self.indices = indices
    }

    /// Every point of `points`.
    public init(_ points: [TilePoint]) {
        table = TilePointTable(points)
        indices = Array(0..<Int32(points.count))
    }

    public var count: Int { indices.count }
    public var ids: [Int64] { indices.map { table.rows[Int($0)].id } }
    public var points: [TilePoint] { indices.map { table.point(Int($0)) } }

    /// Keeps the points that pass: `category` and `status` as exact texts, `sinceDay` as a `yyyy-MM-dd` lower bound
    /// on the report date. A value no point carries keeps nothing.
    public mutating func filter(category: String?, status: String?, sinceDay: String?) {
        var keepCategory: Int32?, keepStatus: Int32?
        if let category {
            guard let c = table.code(of: category) else { indices = []; return }
            keepCategory = c
        }
        if let status {
            guard let c = table.code(of: status) else { indices = []; return }
            keepStatus = c
        }
        // Each date text is compared with `sinceDay` once, when a point first carries it.
        var dateOK = [Int8](repeating: -1, count: sinceDay == nil ? 0 : table.strings.count)
        let rows = table.rows, strings = table.strings
        indices.removeAll { i in
            let r = rows[Int(i)]
            if let keepCategory, r.category != keepCategory { return true }
            if let keepStatus, r.status != keepStatus { return true }
            if let sinceDay {
                let d = Int(r.date)
                if dateOK[d] < 0 { dateOK[d] = strings[d] >= sinceDay ? 1 : 0 }
                if dateOK[d] == 0 { return true }
            }
            return false
        }
    }
}

/// Points sorted by longitude: a box query is a binary search and a latitude test over the strip.
public struct TilePointIndex: Sendable {
    public let table: TilePointTable
    private let lons: [Double]

    public init(_ points: [TilePoint]) {
        self.init(TilePointTable(points))
    }

    public init(_ table: TilePointTable) {
        self.table = table.sortedByLongitude()
        lons = self.table.rows.map(\.lon)
    }

    public var count: Int { table.count }

    /// The points inside `box` (edges included).
    public func select(_ box: BBox) -> TilePointSelection {
        var out: [Int32] = []
        var i = lowerBound(box.minLon)
        table.rows.withUnsafeBufferPointer { rows in
            lons.withUnsafeBufferPointer { lons in
                while i < lons.count, lons[i] <= box.maxLon {
                    let lat = rows[i].lat
                    if lat >= box.minLat, lat <= box.maxLat { out.append(Int32(i)) }
                    i += 1
                }
            }
        }
        return TilePointSelection(table: table, indices: out)
    }

    private func lowerBound(_ v: Double) -> Int {
        var lo = 0, hi = lons.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if lons[mid] < v { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
