import Foundation
@testable import OtklikCore
import Testing

/// The canonical rows behind `otklik migrate`'s checksums: equal rows give equal text whichever database wrote them.
@Suite struct TransferChecksumTests {
    /// A point as well-known binary in either byte order, with or without PostGIS's SRID.
    static func point(_ x: Double, _ y: Double, little: Bool, srid: UInt32? = nil) -> [UInt8] {
        func u32(_ v: UInt32) -> [UInt8] { (0..<4).map { i in UInt8(truncatingIfNeeded: v >> (8 * UInt32(little ? i : 3 - i))) } }
        func f64(_ v: Double) -> [UInt8] {
            let b = v.bitPattern
            return (0..<8).map { i in UInt8(truncatingIfNeeded: b >> (8 * UInt64(little ? i : 7 - i))) }
        }
        return [little ? 1 : 0] + u32(srid == nil ? 1 : 0x2000_0001) + (srid.map(u32) ?? []) + f64(x) + f64(y)
    }

    @Test func geometriesReadTheSameInEitherByteOrderAndWithAnSRID() throws {
        let a = try WKBText.canonical(Self.point(32.0452, 54.7801, little: true))
        #expect(a == "POINT(32.045200000 54.780100000)")
        #expect(try WKBText.canonical(Self.point(32.0452, 54.7801, little: false)) == a)
        #expect(try WKBText.canonical(Self.point(32.0452, 54.7801, little: true, srid: 4326)) == a)
        #expect(throws: TransferError.self) { try WKBText.canonical(Array(Self.point(1, 2, little: true).dropLast())) }
    }

    @Test func coordinatesHaveNineDecimals() {
        for v in [32.0452, -0.5, 54.78010000049, 179.999999999, -179.123456789, 0, 1e-10] {
            var out: [UInt8] = []
            TableHasher.fixed(v, into: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(format: "%.9f", v), "\(v)")
        }
    }

    @Test func equalRowsGiveEqualChecksumsAndAnyChangeAnother() throws {
        let table = try #require(TransferTable.all.first { $0.name == "api_key_use" })
        let rows: [TransferRow] = [[.text("hotline"), .time(Date(timeIntervalSince1970: 1_750_000_000.4))], [.text("Сосновка\t2"), .null]]
        var a = TableHasher(table), b = TableHasher(table), c = TableHasher(table)
        try a.add(rows)
        try b.add([rows[0]])
        try b.add([rows[1]])
        try c.add([rows[0], [.text("Сосновка\t2"), .time(Date(timeIntervalSince1970: 0))]])
        #expect(a.result == b.result)
        #expect(a.result.rows == 2)
        #expect(a.result.sha256 == SHA256.hex("hotline\t1750000000\n" + "Сосновка\\t2\t\\N\n"))
        #expect(c.result != a.result)
    }
}
