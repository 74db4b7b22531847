import CProj
public import OtklikCore
import Foundation

/// A projected CRS in metres for a region, from WGS84 lon/lat, and back.
///
/// Owns its PJ_CONTEXT and PJ. PROJ contexts are not thread-safe, so every call takes the lock; batch calls
/// take it once. The transform is normalised for visualisation, so the input order is lon/lat
/// (EPSG:4326 itself is lat/lon in PROJ and would be silently wrong).
public final class MetricProjection: @unchecked Sendable {
    public let targetCRS: String
    private let context: OpaquePointer
    private let pj: OpaquePointer
    private let lock = NSLock()

    /// `EPSG:326zz` for the UTM zone (north) or `EPSG:327zz` (south) of the point.
    public static func utmCRS(for p: GeoPoint) -> String {
        let zone = min(60, max(1, Int(floor((p.lon + 180) / 6)) + 1))
        return p.lat >= 0 ? "EPSG:\(32600 + zone)" : "EPSG:\(32700 + zone)"
    }

    /// The UTM zone of the centre of `region`: the data decides the CRS, not a constant.
    public convenience init(region: BBox) throws {
        try self.init(crs: Self.utmCRS(for: region.center))
    }

    public init(crs: String) throws {
        guard let ctx = proj_context_create() else {
            throw GeoError(operation: "proj_context_create", message: "cannot create a PROJ context")
        }
        guard let raw = proj_create_crs_to_crs(ctx, "EPSG:4326", crs, nil) else {
            let msg = String(cString: proj_context_errno_string(ctx, proj_context_errno(ctx)))
            proj_context_destroy(ctx)
            throw GeoError(operation: "proj_create_crs_to_crs EPSG:4326 -> \(crs)", message: msg)
        }
        guard let norm = proj_normalize_for_visualization(ctx, raw) else {
            let msg = String(cString: proj_context_errno_string(ctx, proj_context_errno(ctx)))
            proj_destroy(raw)
            proj_context_destroy(ctx)
            throw GeoError(operation: "proj_normalize_for_visualization", message: msg)
        }
        proj_destroy(raw)
        context = ctx
        pj = norm
        targetCRS = crs
    }

    deinit {
        proj_destroy(pj)
        proj_context_destroy(context)
    }

    /// Metres (easting, northing).
    public func project(_ p: GeoPoint) -> (x: Double, y: Double) {
        lock.lock()
        defer { lock.unlock() }
        let out = proj_trans(pj, PJ_FWD, proj_coord(p.lon, p.lat, 0, 0))
        return (out.xy.x, out.xy.y)
    }

    public func unproject(x: Double, y: Double) -> GeoPoint {
        lock.lock()
        defer { lock.unlock() }
        let out = proj_trans(pj, PJ_INV, proj_coord(x, y, 0, 0))
        return GeoPoint(lon: out.lp.lam, lat: out.lp.phi)
    }

    /// Projects many points under one lock.
    public func project(_ points: [GeoPoint]) -> (xs: [Double], ys: [Double]) {
        lock.lock()
        defer { lock.unlock() }
        var xs = [Double](repeating: 0, count: points.count)
        var ys = [Double](repeating: 0, count: points.count)
        for (i, p) in points.enumerated() {
            let out = proj_trans(pj, PJ_FWD, proj_coord(p.lon, p.lat, 0, 0))
            xs[i] = out.xy.x
            ys[i] = out.xy.y
        }
        return (xs, ys)
    }
}
