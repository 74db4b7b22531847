public import OtklikCore

/// GeoJSON for Gi* bins. The module knows no CRS: the caller passes the inverse of the projection it used for
/// the points, `(x, y) metres -> lon/lat`.
public enum GridWriters {
    public static func geoJSON(_ result: GridResult, toLonLat: (Double, Double) -> GeoPoint) -> String {
        var out = "{\"type\":\"FeatureCollection\",\"cell_size\":\(TextFormat.jsonNumber(result.grid.cellSize)),\"band\":\(TextFormat.jsonNumber(result.band))"
        if !result.slices.isEmpty {
            out += ",\"slices\":[" + result.slices.map { TextFormat.jsonString(TextFormat.instant($0)) }.joined(separator: ",") + "]"
        }
        out += ",\"features\":["
        for (i, b) in result.bins.enumerated() {
            if i > 0 { out += "," }
            var ring = result.grid.corners(b.cell).map { toLonLat($0.x, $0.y) }
            ring.append(ring[0])
            var props = [
                "\"q\":\(b.cell.q)", "\"r\":\(b.cell.r)", "\"count\":\(b.count)",
                "\"z\":\(TextFormat.jsonNumber(b.gi.z))", "\"p\":\(TextFormat.jsonNumber(b.gi.p))",
                "\"gi_bin\":\(b.gi.bin)", "\"neighbours\":\(b.gi.neighbours)",
            ]
            if let e = b.emerging {
                props.append("\"emerging\":\(TextFormat.jsonString(e.pattern.rawValue))")
                props.append("\"trend_z\":\(TextFormat.jsonNumber(e.trend?.z))")
                props.append("\"trend_p\":\(TextFormat.jsonNumber(e.trend?.p))")
                props.append("\"bins_per_slice\":[" + e.binsPerSlice.map(String.init).joined(separator: ",") + "]")
            }
            out += "{\"type\":\"Feature\",\"id\":\"\(b.cell.q),\(b.cell.r)\",\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[["
                + ring.map(TextFormat.position).joined(separator: ",") + "]]},\"properties\":{" + props.joined(separator: ",") + "}}"
        }
        return out + "]}\n"
    }
}
