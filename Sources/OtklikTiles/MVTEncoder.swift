public import struct Foundation.Data

/// Writes Mapbox Vector Tile 2.1 protobuf bytes (vector_tile.proto) by hand.
public enum MVTEncoder {
    /// The tile's bytes. Layers without features are left out, so a tile with nothing in it is zero bytes long.
    public static func encode(_ layers: [MVTLayer]) -> Data {
        var tile = ProtobufWriter()
        for layer in layers where !layer.features.isEmpty {
            tile.bytesField(3, encodeLayer(layer))
        }
        return Data(tile.bytes)
    }

    static func encodeLayer(_ layer: MVTLayer) -> [UInt8] {
        var keys: [String] = []
        var keyIndex: [String: UInt32] = [:]
        var values: [MVTValue] = []
        var valueIndex: [MVTValue: UInt32] = [:]
        var out = ProtobufWriter(capacity: layer.features.count * 24)
        out.stringField(1, layer.name)
        var tags: [UInt32] = []
        var geometry: [UInt32] = []
        for feature in layer.features where !feature.geometry.isEmpty {
            tags.removeAll(keepingCapacity: true)
            for p in feature.properties {
                let k: UInt32
                if let found = keyIndex[p.key] { k = found } else {
                    k = UInt32(keys.count)
                    keys.append(p.key)
                    keyIndex[p.key] = k
                }
                let v: UInt32
                if let found = valueIndex[p.value] { v = found } else {
                    v = UInt32(values.count)
                    values.append(p.value)
                    valueIndex[p.value] = v
                }
                tags.append(k)
                tags.append(v)
            }
            geometry.removeAll(keepingCapacity: true)
            encodeGeometry(feature.geometry, into: &geometry)
            var f = ProtobufWriter(capacity: 8 + tags.count * 2 + geometry.count * 2)
            if let id = feature.id { f.uintField(1, id) }
            f.packedField(2, tags)
            f.uintField(3, feature.geometry.typeCode)
            f.packedField(4, geometry)
            out.bytesField(2, f.bytes)
        }
        for key in keys { out.stringField(3, key) }
        for value in values { out.bytesField(4, encodeValue(value)) }
        out.uintField(5, UInt64(layer.extent))
        out.uintField(15, 2)
        return out.bytes
    }

    static func encodeValue(_ value: MVTValue) -> [UInt8] {
        var w = ProtobufWriter()
        switch value {
        case .string(let s): w.stringField(1, s)
        case .double(let d): w.doubleField(3, d)
        case .int(let i):
            // Non-negative integers as uint_value (short varints); negative ones as sint_value (zigzag).
            if i >= 0 { w.uintField(5, UInt64(i)) } else { w.uintField(6, ProtobufWriter.zigzag(i)) }
        case .bool(let b): w.uintField(7, b ? 1 : 0)
        }
        return w.bytes
    }

    @inline(__always)
    static func command(_ id: UInt32, _ count: Int) -> UInt32 { (id & 0x7) | (UInt32(count) << 3) }

    /// MoveTo = 1, LineTo = 2, ClosePath = 7; parameters are zigzag deltas from a cursor kept across parts.
    static func encodeGeometry(_ geometry: MVTGeometry, into out: inout [UInt32]) {
        var cx: Int32 = 0, cy: Int32 = 0
        @inline(__always) func param(_ p: TilePixel) {
            out.append(ProtobufWriter.zigzag32(p.x &- cx))
            out.append(ProtobufWriter.zigzag32(p.y &- cy))
            cx = p.x
            cy = p.y
        }
        switch geometry {
        case .points(let points):
            out.append(command(1, points.count))
            for p in points { param(p) }
        case .lineStrings(let lines):
            for line in lines where line.count >= 2 {
                out.append(command(1, 1))
                param(line[0])
                out.append(command(2, line.count - 1))
                for p in line.dropFirst() { param(p) }
            }
        case .polygons(let polygons):
            for polygon in polygons {
                for ring in polygon {
                    // Rings arrive open (no repeated closing point); ClosePath closes them.
                    guard ring.count >= 3 else { continue }
                    out.append(command(1, 1))
                    param(ring[0])
                    out.append(command(2, ring.count - 1))
                    for p in ring.dropFirst() { param(p) }
                    out.append(command(7, 1))
                }
            }
        }
    }
}
