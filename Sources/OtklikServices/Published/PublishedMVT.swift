public import OtklikTiles

/// Vector tile features of published things. MVT has no null and no lists: null properties are left absent
/// and lists are left out; the feature id is the thing's stable `numericID`.
public enum PublishedMVT {
    public static func properties<T: PublishedFeature>(_ x: T) -> [MVTProperty] {
        var out: [MVTProperty] = []
        out.reserveCapacity(T.fields.count)
        for field in T.fields where field.isScalar {
            switch field.value(of: x) {
            case .bool(let b): out.append(MVTProperty(field.name, .bool(b)))
            case .int(let i): out.append(MVTProperty(field.name, .int(i)))
            case .double(let d): out.append(MVTProperty(field.name, .double(d)))
            case .string(let s): out.append(MVTProperty(field.name, .string(s)))
            case .null, .list, .records: continue
            }
        }
        return out
    }

    public static func feature<T: PublishedFeature>(_ x: T) -> TilePolygonFeature {
        TilePolygonFeature(id: x.numericID, geometry: x.geometry, properties: properties(x))
    }
}
