import Foundation

/// The row count and digest of one table's rows. Both backends give the same figures for the same rows: each row
/// is written as canonical text (tab-separated, in column order; integers and booleans as decimals, coordinates with
/// nine decimals, times as whole epoch seconds, geometries as their coordinates whatever the byte order of their
/// well-known binary), one line per row in key order, and the lines are hashed with SHA-256.
public struct TableChecksum: Sendable, Hashable, CustomStringConvertible {
    public let table: String
    public let rows: Int
    public let sha256: String

    public init(table: String, rows: Int, sha256: String) {
        self.table = table
        self.rows = rows
        self.sha256 = sha256
    }

    public var description: String { "\(table): \(rows) rows, sha256 \(sha256)" }
}

/// Accumulates `TableChecksum` over rows given in key order, a chunk at a time.
public struct TableHasher: Sendable {
    public let table: TransferTable
    private var sha = SHA256()
    private var rows = 0
    private var line: [UInt8] = []

    public init(_ table: TransferTable) { self.table = table }

    public mutating func add(_ chunk: [TransferRow]) throws(TransferError) {
        for row in chunk {
            line.removeAll(keepingCapacity: true)
            try Self.canonical(row, of: table, into: &line)
            sha.update(line)
            rows += 1
        }
    }

    public var result: TableChecksum { TableChecksum(table: table.name, rows: rows, sha256: SHA256.hex(sha.finalize())) }

    /// Nine decimals of `v × 10⁹` rounded, without a formatter for the values that fit (coordinates, two per row):
    /// the formatter was a large part of a checksum's time. Both backends print with this one function, so their
    /// texts agree even where it and `%.9f` round the last digit differently.
    static func fixed(_ v: Double, into out: inout [UInt8]) {
        let scaled = (v * 1e9).rounded()
        guard v.isFinite, abs(scaled) < 9e17 else {
            out += Array(String(format: "%.9f", v).utf8)
            return
        }
        let n = Int64(scaled)
        if n < 0 { out.append(UInt8(ascii: "-")) }
        let magnitude = n.magnitude
        out += Array(String(magnitude / 1_000_000_000).utf8)
        out.append(UInt8(ascii: "."))
        let fraction = String(magnitude % 1_000_000_000)
        out += Array(repeating: UInt8(ascii: "0"), count: 9 - fraction.utf8.count)
        out += Array(fraction.utf8)
    }

    /// One row's canonical line, newline included.
    static func canonical(_ row: TransferRow, of table: TransferTable, into out: inout [UInt8]) throws(TransferError) {
        guard row.count == table.columns.count else {
            throw TransferError("\(table.name): a row has \(row.count) values for \(table.columns.count) columns")
        }
        for (i, value) in row.enumerated() {
            if i > 0 { out.append(UInt8(ascii: "\t")) }
            switch value {
            case .null: out += Array("\\N".utf8)
            case .integer(let v): out += Array(String(v).utf8)
            case .real(let v): fixed(v, into: &out)
            case .time(let d): out += Array(String(Int64(d.timeIntervalSince1970.rounded(.down))).utf8)
            case .geometry(let wkb):
                do { out += Array(try WKBText.canonical(wkb).utf8) } catch {
                    throw TransferError("\(table.name) \(row[0]): \(table.columns[i].name): \(error.description)")
                }
            case .text(let s):
                for b in s.utf8 {
                    switch b {
                    case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
                    case UInt8(ascii: "\t"): out += [0x5C, UInt8(ascii: "t")]
                    case UInt8(ascii: "\n"): out += [0x5C, UInt8(ascii: "n")]
                    case UInt8(ascii: "\r"): out += [0x5C, UInt8(ascii: "r")]
                    default: out.append(b)
                    }
                }
            }
        }
        out.append(UInt8(ascii: "\n"))
    }
}

/// A copy that cannot go on, or whose result differs from its source; the message says which table and row.
public struct TransferError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Well-known binary (ISO or PostGIS's extended form, either byte order) as canonical text: the type's name and its
/// coordinates with nine decimals, e.g. `MULTIPOLYGON(((32.000000000 54.000000000,…)))`.
enum WKBText {
    static func canonical(_ bytes: [UInt8]) throws(TransferError) -> String {
        var r = Reader(bytes: bytes)
        var out = ""
        try r.geometry(into: &out)
        guard r.at == bytes.count else { throw TransferError("\(bytes.count - r.at) bytes after the geometry") }
        return out
    }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0
        var little = true

        mutating func byte() throws(TransferError) -> UInt8 {
            guard at < bytes.count else { throw TransferError("the geometry ends early") }
            defer { at += 1 }
            return bytes[at]
        }

        mutating func uint32() throws(TransferError) -> UInt32 {
            var v: UInt32 = 0
            for i in 0..<4 {
                let b = UInt32(try byte())
                v |= little ? b << (8 * UInt32(i)) : b << (8 * UInt32(3 - i))
            }
            return v
        }

        mutating func double() throws(TransferError) -> Double {
            var v: UInt64 = 0
            for i in 0..<8 {
                let b = UInt64(try byte())
                v |= little ? b << (8 * UInt64(i)) : b << (8 * UInt64(7 - i))
            }
            return Double(bitPattern: v)
        }

        mutating func geometry(into out: inout String) throws(TransferError) {
            let order = try byte()
            guard order <= 1 else { throw TransferError("byte order \(order) is not well-known binary") }
            little = order == 1
            var type = try uint32()
            var dims = 2
            if type & 0x8000_0000 != 0 { dims += 1 }
            if type & 0x4000_0000 != 0 { dims += 1 }
            if type & 0x2000_0000 != 0 { _ = try uint32() }
            type &= 0x0FFF_FFFF
            switch type / 1000 {
            case 1, 2: dims += 1
            case 3: dims += 2
            default: break
            }
            type %= 1000
            let names = [1: "POINT", 2: "LINESTRING", 3: "POLYGON", 4: "MULTIPOINT", 5: "MULTILINESTRING",
                         6: "MULTIPOLYGON", 7: "GEOMETRYCOLLECTION"]
            guard let name = names[Int(type)] else { throw TransferError("geometry type \(type) is not supported") }
            out += name + "("
            switch type {
            case 1: try coordinates(1, dims, into: &out)
            case 2: try coordinates(Int(try uint32()), dims, into: &out)
            case 3:
                let rings = try uint32()
                for i in 0..<rings {
                    if i > 0 { out += "," }
                    out += "("
                    try coordinates(Int(try uint32()), dims, into: &out)
                    out += ")"
                }
            default:
                let parts = try uint32()
                for i in 0..<parts {
                    if i > 0 { out += "," }
                    try geometry(into: &out)
                }
            }
            out += ")"
        }

        mutating func coordinates(_ count: Int, _ dims: Int, into out: inout String) throws(TransferError) {
            guard count <= (bytes.count - at) / (8 * dims) else { throw TransferError("the geometry ends early") }
            for i in 0..<count {
                if i > 0 { out += "," }
                for d in 0..<dims {
                    if d > 0 { out += " " }
                    out += String(format: "%.9f", try double())
                }
            }
        }
    }
}
