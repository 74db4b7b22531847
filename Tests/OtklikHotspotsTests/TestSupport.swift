import Foundation
import OtklikTestSupport
import Testing

enum Fixture {
    static func url(_ name: String) throws -> URL {
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        guard let url = Bundle.module.url(forResource: parts[0], withExtension: parts.count > 1 ? parts[1] : nil,
                                          subdirectory: "Fixtures") else {
            throw FixtureError.missing(name)
        }
        return url
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOf: url(name), encoding: .utf8)
    }

    /// Non-comment CSV lines split on commas (fixtures hold numbers only).
    static func rows(_ name: String) throws -> (header: String, rows: [[Substring]]) {
        let lines = try text(name).split(separator: "\n")
        let header = lines.first.map(String.init) ?? ""
        let rows = lines.filter { !$0.hasPrefix("#") && !$0.isEmpty }.map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        return (header, rows)
    }

    /// `key=value` pairs of a header line.
    static func params(_ header: String) -> [String: String] {
        var out: [String: String] = [:]
        for token in header.split(separator: " ") {
            let kv = token.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { out[String(kv[0])] = String(kv[1]) }
        }
        return out
    }
}

enum FixtureError: Error { case missing(String), malformed(String) }

enum SharedData {
    static let complaintsFile = "complaints/complaints_unified.csv.gz"
    static let complaints = SharedDataFolder.file(complaintsFile)

    /// The decompressed bytes of a .gz file, through gzip(1) (Foundation on Linux has no inflate).
    static func gunzip(_ url: URL) throws -> Data {
        let r = try ExternalProcess.run(Command(Peers.require(.gzip), ["-dc", url.path], stderr: .separate))
        guard r.succeeded else { throw FixtureError.malformed("gzip -dc \(url.path): \(r)") }
        return r.outputData
    }
}

/// RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines.
func parseCSV(_ text: String) -> [[String]] {
    var rows: [[String]] = []
    var row: [String] = []
    var field = ""
    var inQuotes = false
    var it = text.unicodeScalars.makeIterator()
    var pending: Unicode.Scalar? = nil
    while let c = pending ?? it.next() {
        pending = nil
        if inQuotes {
            if c == "\"" {
                if let n = it.next() {
                    if n == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = n }
                } else { inQuotes = false }
            } else { field.unicodeScalars.append(c) }
            continue
        }
        switch c {
        case "\"": inQuotes = true
        case ",": row.append(field); field = ""
        case "\n":
            row.append(field); field = ""
            rows.append(row); row = []
        case "\r": break
        default: field.unicodeScalars.append(c)
        }
    }
    if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
    return rows
}

/// FNV-1a 64 over the little-endian IEEE bytes of each value.
func fnv1a(_ values: [Double]) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for v in values {
        var bits = v.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { raw in
            for b in raw { h ^= UInt64(b); h = h &* 0x100_0000_01B3 }
        }
    }
    return h
}

/// Adjusted Rand index (Hubert & Arabie) between two labelings of the same items.
func adjustedRandIndex(_ a: [Int], _ b: [Int]) -> Double {
    precondition(a.count == b.count)
    let n = a.count
    guard n > 1 else { return 1 }
    var table: [Int64: Int] = [:], rows: [Int: Int] = [:], cols: [Int: Int] = [:]
    for i in 0..<n {
        table[Int64(a[i]) << 32 | Int64(UInt32(truncatingIfNeeded: b[i])), default: 0] += 1
        rows[a[i], default: 0] += 1
        cols[b[i], default: 0] += 1
    }
    func c2(_ k: Int) -> Double { Double(k) * Double(k - 1) / 2 }
    let index = table.values.reduce(0) { $0 + c2($1) }
    let sa = rows.values.reduce(0) { $0 + c2($1) }, sb = cols.values.reduce(0) { $0 + c2($1) }
    let expected = sa * sb / c2(n)
    let maxIndex = (sa + sb) / 2
    if maxIndex == expected { return 1 }
    return (index - expected) / (maxIndex - expected)
}

/// True when two labelings are the same partition (noise -1 kept as noise), whatever the cluster numbers.
func samePartition(_ a: [Int], _ b: [Int]) -> Bool {
    guard a.count == b.count else { return false }
    var ab: [Int: Int] = [:], ba: [Int: Int] = [:]
    for i in 0..<a.count {
        if (a[i] == -1) != (b[i] == -1) { return false }
        if a[i] == -1 { continue }
        if let m = ab[a[i]], m != b[i] { return false }
        if let m = ba[b[i]], m != a[i] { return false }
        ab[a[i]] = b[i]; ba[b[i]] = a[i]
    }
    return true
}
