public import struct Foundation.Data

/// Writes an `incidents` tile straight from packed points: the same bytes as
/// `MVTEncoder.encode([TileLayers.incidents(selection.points, tile:options:)])`, without building features,
/// property lists or a hashed value table. A value's place in the layer's table is found by its string code.
public enum IncidentTileEncoder {
    /// The property keys of the layer, in the order a raw point lists them, then a cluster's own two.
    private static let keyNames = ["id", "category", "status", "date", "settlement", "district", "point_count", "cluster"]
    private enum Key: Int { case id, category, status, date, settlement, district, pointCount, cluster }

    private enum Value {
        case string(Int32)
        case int(Int64)
        case bool(Bool)
    }

    /// The tile's bytes; empty when no feature falls in it.
    public static func encode(_ selection: TilePointSelection, tile: TileID, options: TileOptions = .standard) -> Data {
        let table = selection.table
        var units: [(x: Double, y: Double)] = []
        var ids: [Int64] = []
        units.reserveCapacity(selection.count)
        ids.reserveCapacity(selection.count)
        table.rows.withUnsafeBufferPointer { rows in
            for i in selection.indices {
                let r = rows[Int(i)]
                units.append((r.ux, r.uy))
                ids.append(r.id)
            }
        }
        let plan = IncidentTilePlan(units: units, ids: ids, tile: tile, options: options)
        guard !plan.features.isEmpty else { return Data() }

        // Keys and values get their table index when first used, as `MVTEncoder.encodeLayer` assigns them.
        var keySlot = [Int32](repeating: -1, count: keyNames.count)
        var keyOrder: [Int] = []
        var stringSlot = [Int32](repeating: -1, count: table.strings.count)
        var intSlot: [Int64: UInt32] = [:]
        var boolSlot: [Int32] = [-1, -1]
        var values: [Value] = []
        var tags: [UInt32] = []

        func key(_ k: Key) {
            if keySlot[k.rawValue] < 0 {
                keySlot[k.rawValue] = Int32(keyOrder.count)
                keyOrder.append(k.rawValue)
            }
            tags.append(UInt32(keySlot[k.rawValue]))
        }
        func string(_ k: Key, _ code: Int32) {
            key(k)
            if stringSlot[Int(code)] < 0 {
                stringSlot[Int(code)] = Int32(values.count)
                values.append(.string(code))
            }
            tags.append(UInt32(stringSlot[Int(code)]))
        }
        func int(_ k: Key, _ v: Int64) {
            key(k)
            if let found = intSlot[v] { tags.append(found); return }
            let slot = UInt32(values.count)
            intSlot[v] = slot
            values.append(.int(v))
            tags.append(slot)
        }
        func bool(_ k: Key, _ b: Bool) {
            key(k)
            let i = b ? 1 : 0
            if boolSlot[i] < 0 {
                boolSlot[i] = Int32(values.count)
                values.append(.bool(b))
            }
            tags.append(UInt32(boolSlot[i]))
        }

        var out = ProtobufWriter(capacity: plan.features.count * 32)
        out.stringField(1, TileLayers.incidents)
        var f = ProtobufWriter(capacity: 64)
        var geometry: [UInt32] = [MVTEncoder.command(1, 1), 0, 0]
        intSlot.reserveCapacity(plan.features.count)
        table.rows.withUnsafeBufferPointer { rows in
            for feature in plan.features {
                tags.removeAll(keepingCapacity: true)
                if feature.count > 0 {
                    int(.pointCount, Int64(feature.count))
                    bool(.cluster, feature.count > 1)
                }
                if feature.point >= 0 {
                    let r = rows[Int(selection.indices[Int(feature.point)])]
                    int(.id, r.id)
                    string(.category, r.category)
                    string(.status, r.status)
                    string(.date, r.date)
                    if r.settlement >= 0 { string(.settlement, r.settlement) }
                    if r.district >= 0 { string(.district, r.district) }
                }
                f.removeAll()
                f.uintField(1, feature.id)
                f.packedField(2, tags)
                f.uintField(3, 1)  // POINT
                // One MoveTo from the origin: the deltas are the position itself.
                geometry[1] = ProtobufWriter.zigzag32(feature.pixel.x)
                geometry[2] = ProtobufWriter.zigzag32(feature.pixel.y)
                f.packedField(4, geometry)
                out.bytesField(2, f.bytes)
            }
        }
        for k in keyOrder { out.stringField(3, keyNames[k]) }
        var v = ProtobufWriter(capacity: 64)
        table.utf8.withUnsafeBufferPointer { utf8 in
            for value in values {
                v.removeAll()
                switch value {
                case .string(let code):
                    let start = table.offsets[Int(code)], end = table.offsets[Int(code) + 1]
                    v.bytesField(1, UnsafeBufferPointer(rebasing: utf8[start..<end]))
                case .int(let i):
                    if i >= 0 { v.uintField(5, UInt64(i)) } else { v.uintField(6, ProtobufWriter.zigzag(i)) }
                case .bool(let b):
                    v.uintField(7, b ? 1 : 0)
                }
                out.bytesField(4, v.bytes)
            }
        }
        out.uintField(5, UInt64(options.extent))
        out.uintField(15, 2)
        var tileBytes = ProtobufWriter(capacity: out.bytes.count + 8)
        tileBytes.bytesField(3, out.bytes)
        return Data(tileBytes.bytes)
    }
}
