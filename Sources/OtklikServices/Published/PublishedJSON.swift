public import OtklikCore

/// GeoJSON and plain JSON of published things, written from their `fields` straight into a `JSONWriter`
/// (no dictionaries, no re-parsing). The CLI (`--format geojson|json`), the OGC items and the JSON reports
/// all write through here.
public enum PublishedJSON {
    /// The properties as one JSON object, then `extra` members (a format's own additions, such as the report's
    /// monthly series).
    public static func properties<T: PublishedFeature>(_ x: T, into w: inout JSONWriter, extra: [(String, JSONValue)] = []) {
        w.bytes.append(0x7B)
        for (i, field) in T.fields.enumerated() {
            if i > 0 { w.bytes.append(0x2C) }
            w.key(field.name)
            value(field.value(of: x), into: &w)
        }
        for (k, v) in extra {
            w.bytes.append(0x2C)
            w.key(k)
            w.value(v)
        }
        w.bytes.append(0x7D)
    }

    /// One GeoJSON Feature.
    public static func feature<T: PublishedFeature>(_ x: T, into w: inout JSONWriter) {
        w.raw("{\"type\":\"Feature\",\"id\":")
        if T.numericGeoJSONID, let n = Int(x.id) { w.int(n) } else { w.string(x.id) }
        w.raw(",\"geometry\":")
        w.geometry(x.geometry)
        w.raw(",\"properties\":")
        properties(x, into: &w)
        w.raw("}")
    }

    /// A FeatureCollection with optional foreign members before `features` (the grid's cell size and band).
    public static func featureCollection<T: PublishedFeature>(_ xs: [T], members: [(String, JSONValue)] = []) -> [UInt8] {
        var w = JSONWriter(capacity: 512 * max(1, xs.count))
        w.raw("{\"type\":\"FeatureCollection\"")
        for (k, v) in members {
            w.raw(",")
            w.key(k)
            w.value(v)
        }
        w.raw(",\"features\":[")
        for (i, x) in xs.enumerated() {
            if i > 0 { w.raw(",") }
            feature(x, into: &w)
        }
        w.raw("]}\n")
        return w.bytes
    }

    /// The properties of each thing as a JSON array of objects.
    public static func list<T: PublishedFeature>(_ xs: [T], into w: inout JSONWriter) {
        w.raw("[")
        for (i, x) in xs.enumerated() {
            if i > 0 { w.raw(",") }
            properties(x, into: &w)
        }
        w.raw("]")
    }

    public static func value(_ v: PublishedValue, into w: inout JSONWriter) {
        switch v {
        case .null: w.raw("null")
        case .bool(let b): w.raw(b ? "true" : "false")
        case .int(let i): w.int(Int(i))
        case .double(let d): w.number(d)
        case .string(let s): w.string(s)
        case .list(let items):
            w.raw("[")
            for (i, item) in items.enumerated() {
                if i > 0 { w.raw(",") }
                value(item, into: &w)
            }
            w.raw("]")
        case .records(let records):
            w.raw("[")
            for (i, record) in records.enumerated() {
                if i > 0 { w.raw(",") }
                w.raw("{")
                for (k, p) in record.enumerated() {
                    if k > 0 { w.raw(",") }
                    w.key(p.name)
                    value(p.value, into: &w)
                }
                w.raw("}")
            }
            w.raw("]")
        }
    }
}
