/// The service serves one region: a point far outside the extent of its districts is almost always a mistake,
/// most often latitude and longitude given the wrong way round ([54.78, 32.05] for Smolensk lands in Iran).
public struct RegionCheck: Sendable, Hashable {
    /// The districts' extent widened by the margin.
    public let extent: BBox

    /// - Parameters:
    ///   - districts: the extent of the district layer.
    ///   - margin: degrees added on every side, so that a complaint just past the border is still taken.
    public init(districts: BBox, margin: Double = 0.5) {
        extent = BBox(minLon: max(-180, districts.minLon - margin), minLat: max(-90, districts.minLat - margin),
                      maxLon: min(180, districts.maxLon + margin), maxLat: min(90, districts.maxLat + margin))
    }

    /// The check for these districts; nil when there are none (nothing to judge by, so every point passes).
    public static func covering(_ districts: [Area], margin: Double = 0.5) -> RegionCheck? {
        let boxes = districts.compactMap(\.geometry.bbox)
        guard let first = boxes.first else { return nil }
        let all = boxes.dropFirst().reduce(first) { a, b in
            BBox(minLon: min(a.minLon, b.minLon), minLat: min(a.minLat, b.minLat),
                 maxLon: max(a.maxLon, b.maxLon), maxLat: max(a.maxLat, b.maxLat))
        }
        return RegionCheck(districts: all, margin: margin)
    }

    public func contains(_ p: GeoPoint) -> Bool {
        p.lon >= extent.minLon && p.lon <= extent.maxLon && p.lat >= extent.minLat && p.lat <= extent.maxLat
    }

    /// Why the point is refused, nil when it lies inside; `path` names it in the message ("feature",
    /// "features[3]").
    public func refusal(of p: GeoPoint, path: String? = nil) -> OutsideRegion? {
        guard !contains(p) else { return nil }
        let swapped = GeoPoint(lon: p.lat, lat: p.lon)
        return OutsideRegion(path: path, point: p, extent: extent, swappedInside: abs(p.lon) <= 90 && contains(swapped))
    }

    /// Refuses a point outside the region (see `refusal(of:path:)`).
    public func validate(_ p: GeoPoint, path: String? = nil) throws(OutsideRegion) {
        if let outside = refusal(of: p, path: path) { throw outside }
    }
}

/// A point refused by `RegionCheck`.
public struct OutsideRegion: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String?
    public var point: GeoPoint
    public var extent: BBox
    /// Whether [lat, lon] read the other way round would be inside: then the message says so.
    public var swappedInside: Bool

    public var description: String {
        let prefix = path.map { "\($0): " } ?? ""
        if swappedInside {
            return prefix + "точка вне региона; возможно, перепутаны широта и долгота? "
                + "(получено \(Self.number(point.lon)),\(Self.number(point.lat)) как lon,lat)"
        }
        return prefix + "точка вне региона (долгота \(Self.number(extent.minLon))…\(Self.number(extent.maxLon)), "
            + "широта \(Self.number(extent.minLat))…\(Self.number(extent.maxLat)))"
    }

    static func number(_ d: Double) -> String {
        let r = (d * 1000).rounded() / 1000
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}
