/// A WGS84 position in CRS84 order (longitude first), as GeoJSON writes it.
public struct GeoPoint: Sendable, Hashable, Codable {
    public var lon: Double
    public var lat: Double

    public init(lon: Double, lat: Double) {
        self.lon = lon
        self.lat = lat
    }

    /// Checks range and finiteness; the error names the offending field and value.
    public static func validated(lon: Double, lat: Double) throws(ValidationError) -> GeoPoint {
        guard lon.isFinite else { throw .notFinite(field: "lon", value: lon) }
        guard lat.isFinite else { throw .notFinite(field: "lat", value: lat) }
        guard (-180...180).contains(lon) else { throw .outOfRange(field: "lon", value: lon, range: "[-180, 180]") }
        guard (-90...90).contains(lat) else { throw .outOfRange(field: "lat", value: lat, range: "[-90, 90]") }
        return GeoPoint(lon: lon, lat: lat)
    }
}

/// An axis-aligned box in CRS84 degrees.
public struct BBox: Sendable, Hashable, Codable {
    public var minLon: Double
    public var minLat: Double
    public var maxLon: Double
    public var maxLat: Double

    public init(minLon: Double, minLat: Double, maxLon: Double, maxLat: Double) {
        self.minLon = minLon
        self.minLat = minLat
        self.maxLon = maxLon
        self.maxLat = maxLat
    }

    public static let world = BBox(minLon: -180, minLat: -90, maxLon: 180, maxLat: 90)

    /// Parses `minLon,minLat,maxLon,maxLat` (OGC API `bbox`), rejecting anything else precisely.
    public static func parse(_ text: String, field: String = "bbox") throws(ValidationError) -> BBox {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 4 else {
            throw .invalid(field: field, value: text, reason: "expected 4 comma-separated numbers minLon,minLat,maxLon,maxLat")
        }
        var values: [Double] = []
        for part in parts {
            guard let value = Double(part.trimmingCharacters(in: " ")), value.isFinite else {
                throw .invalid(field: field, value: text, reason: "'\(part)' is not a finite number")
            }
            values.append(value)
        }
        _ = try GeoPoint.validated(lon: values[0], lat: values[1])
        _ = try GeoPoint.validated(lon: values[2], lat: values[3])
        guard values[0] <= values[2] else {
            throw .invalid(field: field, value: text, reason: "minLon \(values[0]) is greater than maxLon \(values[2])")
        }
        guard values[1] <= values[3] else {
            throw .invalid(field: field, value: text, reason: "minLat \(values[1]) is greater than maxLat \(values[3])")
        }
        return BBox(minLon: values[0], minLat: values[1], maxLon: values[2], maxLat: values[3])
    }

    public func contains(_ p: GeoPoint) -> Bool {
        p.lon >= minLon && p.lon <= maxLon && p.lat >= minLat && p.lat <= maxLat
    }

    public func intersects(_ other: BBox) -> Bool {
        !(other.minLon > maxLon || other.maxLon < minLon || other.minLat > maxLat || other.maxLat < minLat)
    }

    public mutating func extend(_ p: GeoPoint) {
        minLon = Swift.min(minLon, p.lon)
        minLat = Swift.min(minLat, p.lat)
        maxLon = Swift.max(maxLon, p.lon)
        maxLat = Swift.max(maxLat, p.lat)
    }

    /// The box of a set of points, or nil for none.
    public static func enclosing<S: Sequence>(_ points: S) -> BBox? where S.Element == GeoPoint {
        var box: BBox?
        for p in points {
            if box == nil { box = BBox(minLon: p.lon, minLat: p.lat, maxLon: p.lon, maxLat: p.lat) } else { box!.extend(p) }
        }
        return box
    }

    public var center: GeoPoint { GeoPoint(lon: (minLon + maxLon) / 2, lat: (minLat + maxLat) / 2) }
}

extension Substring {
    func trimmingCharacters(in char: Character) -> Substring {
        var s = self
        while s.first == char { s.removeFirst() }
        while s.last == char { s.removeLast() }
        return s
    }
}
