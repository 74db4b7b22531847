/// SpatiaLite's internal BLOB geometry for a point, built directly: it is what `MakePoint(x, y, 4326)`
/// returns, at a fraction of the cost of calling into SQL for every row of a bulk load.
/// Layout (little-endian): 0x00, 0x01, srid:i32, mbr minx miny maxx maxy: f64×4, 0x7C, class=1:i32, x, y: f64, 0xFE.
enum SpatiaLiteBlob {
    static func point(lon: Double, lat: Double, srid: Int32 = 4326) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(60)
        appendPoint(to: &out, lon: lon, lat: lat, srid: srid)
        return out
    }

    /// Appends the 60 bytes of a point blob.
    static func appendPoint(to out: inout [UInt8], lon: Double, lat: Double, srid: Int32 = 4326) {
        out.append(0x00)
        out.append(0x01)
        append(&out, UInt32(bitPattern: srid))
        for v in [lon, lat, lon, lat] { append(&out, v.bitPattern) }
        out.append(0x7C)
        append(&out, UInt32(1))
        append(&out, lon.bitPattern)
        append(&out, lat.bitPattern)
        out.append(0xFE)
    }

    /// Reads back the coordinates of a point blob, or nil for anything else.
    static func decodePoint(_ blob: [UInt8]) -> (lon: Double, lat: Double)? {
        guard blob.count == 60, blob[0] == 0, blob[1] == 1, blob[38] == 0x7C, blob[59] == 0xFE else { return nil }
        func f64(_ o: Int) -> Double {
            var bits: UInt64 = 0
            for k in 0..<8 { bits |= UInt64(blob[o + k]) << (8 * UInt64(k)) }
            return Double(bitPattern: bits)
        }
        return (f64(43), f64(51))
    }

    private static func append(_ out: inout [UInt8], _ v: UInt32) {
        for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) }
    }

    private static func append(_ out: inout [UInt8], _ v: UInt64) {
        for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) }
    }
}
