import Foundation
import OtklikTestSupport
import Testing
@testable import OtklikHotspots

/// DBSCAN on the real US 311 complaints of ../shared/data against scikit-learn labels committed in
/// Fixtures/dbscan_real311.txt (labels, core flags and a coordinate hash only; the data stays outside the repo).
struct RealComplaintsDBSCANTests {
    @Test(.requiresSharedData(SharedData.complaintsFile), .requires(.gzip))
    func matchesScikitLearnOnReal311Complaints() throws {
        let text = String(decoding: try SharedData.gunzip(SharedData.complaints), as: UTF8.self)
        let table = parseCSV(text)
        let header = table[0]
        let col = Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0) })
        let rows = table.dropFirst().filter { $0.count == header.count }
        let fixture = try Fixture.text("dbscan_real311.txt").split(separator: "\n").map(String.init)
        #expect(Fixture.params(fixture[0])["rows"] == String(rows.count))
        var groups = 0, points = 0
        var i = 1
        while i + 2 < fixture.count + 1, i < fixture.count {
            let p = Fixture.params(fixture[i])
            let expected = fixture[i + 1].split(separator: ",").map { Int($0)! }
            let expectedCore = fixture[i + 2].map { $0 == "1" }
            i += 3
            let source = p["source"]!, category = p["category"]!
            let lat0 = Double(p["lat0"]!)!, lon0 = Double(p["lon0"]!)!
            // The projection the generating script documents, operation for operation.
            let R = 6_371_008.8, k = Double.pi / 180
            let ax = (R * k) * cos(lat0 * k), ay = R * k
            var xs: [Double] = [], ys: [Double] = [], inter: [Double] = []
            for r in rows where r[col["source"]!] == source && r[col["category"]!] == category {
                let x = (Double(r[col["lon"]!])! - lon0) * ax, y = (Double(r[col["lat"]!])! - lat0) * ay
                xs.append(x); ys.append(y); inter += [x, y]
            }
            #expect(xs.count == Int(p["n"]!)!)
            #expect(String(format: "%016llx", fnv1a(inter)) == p["hash"]!, "projected coordinates differ for \(source)/\(category)")
            let r = try DBSCAN.run(x: xs, y: ys, eps: Double(p["eps"]!)!, minPoints: Int(p["min_samples"]!)!)
            #expect(r.labels == expected, "\(source)/\(category) eps=\(p["eps"]!)")
            #expect(r.isCore == expectedCore)
            let cores = expectedCore.indices.filter { expectedCore[$0] }
            #expect(adjustedRandIndex(cores.map { r.labels[$0] }, cores.map { expected[$0] }) == 1.0)
            groups += 1
            points += xs.count
        }
        #expect(groups == 32)
        print("real 311: \(groups) (group, eps) runs, \(points) points compared with scikit-learn")
    }
}
