import Foundation
import Testing
@testable import OtklikHotspots

struct DBSCANTests {
    struct Case: Sendable {
        var x: [Double] = [], y: [Double] = [], labels: [Int] = [], core: [Bool] = []
        var eps = 0.0, minPts = 0
    }

    static func load(_ name: String) throws -> Case {
        let (header, rows) = try Fixture.rows(name)
        let p = Fixture.params(header)
        var c = Case()
        c.eps = Double(p["eps"]!)!
        c.minPts = Int(p["min_samples"]!)!
        for r in rows {
            c.x.append(Double(r[0])!); c.y.append(Double(r[1])!)
            c.labels.append(Int(r[2])!); c.core.append(r[3] == "1")
        }
        return c
    }

    static let scenarios = ["dbscan_blobs.csv", "dbscan_borders_m5.csv", "dbscan_borders_m3.csv",
                            "dbscan_borders_m1.csv", "dbscan_utm_ties.csv", "dbscan_dense.csv"]

    @Test(arguments: scenarios)
    func matchesScikitLearnExactly(_ name: String) throws {
        let c = try Self.load(name)
        let r = try DBSCAN.run(x: c.x, y: c.y, eps: c.eps, minPoints: c.minPts)
        #expect(r.isCore == c.core, "core flags differ from scikit-learn in \(name)")
        #expect(r.labels == c.labels, "labels differ from scikit-learn in \(name)")
        let coreIdx = c.core.indices.filter { c.core[$0] }
        #expect(adjustedRandIndex(coreIdx.map { r.labels[$0] }, coreIdx.map { c.labels[$0] }) == 1.0)
        #expect(samePartition(r.labels, c.labels))
        #expect(r.clusterCount == Set(c.labels.filter { $0 >= 0 }).count)
    }

    @Test(arguments: scenarios)
    func pointwisePathAgreesWithFastPath(_ name: String) throws {
        let c = try Self.load(name)
        let ref = DBSCAN.pointwise(x: c.x, y: c.y, t: nil, eps: c.eps, timeWindow: 0, minPoints: c.minPts)
        #expect(ref.labels == c.labels)
        #expect(ref.isCore == c.core)
    }

    /// The fixtures must really hold the delicate case: a border point within eps of cores of two clusters.
    @Test func fixturesContainBorderPointsSharedByTwoClusters() throws {
        var shared = 0
        for name in Self.scenarios {
            let c = try Self.load(name)
            for p in c.x.indices where !c.core[p] && c.labels[p] >= 0 {
                var clusters = Set<Int>()
                for q in c.x.indices where c.core[q] {
                    let dx = c.x[p] - c.x[q], dy = c.y[p] - c.y[q]
                    if dx * dx + dy * dy <= c.eps * c.eps { clusters.insert(c.labels[q]) }
                }
                if clusters.count > 1 {
                    shared += 1
                    #expect(c.labels[p] == clusters.min(), "scikit-learn gives the first-numbered cluster")
                }
            }
        }
        #expect(shared >= 1)
    }

    @Test func emptyInputGivesNoClusters() throws {
        let r = try DBSCAN.run(x: [], y: [], eps: 10, minPoints: 3)
        #expect(r.labels.isEmpty && r.clusterCount == 0)
    }

    @Test func singlePointIsNoiseUnlessMinPointsIsOne() throws {
        #expect(try DBSCAN.run(x: [5], y: [5], eps: 10, minPoints: 3).labels == [-1])
        let one = try DBSCAN.run(x: [5], y: [5], eps: 10, minPoints: 1)
        #expect(one.labels == [0] && one.isCore == [true])
    }

    @Test func identicalPointsFormOneCluster() throws {
        let r = try DBSCAN.run(x: Array(repeating: 437_000.25, count: 50), y: Array(repeating: 6_071_000.5, count: 50),
                               eps: 1e-3, minPoints: 3)
        #expect(r.labels == Array(repeating: 0, count: 50))
        #expect(r.isCore.allSatisfy { $0 })
        let two = try DBSCAN.run(x: [1, 1], y: [2, 2], eps: 1, minPoints: 3)
        #expect(two.labels == [-1, -1])
    }

    @Test func rejectsBadParameters() {
        #expect(throws: HotspotsError.invalidParameter(name: "eps", value: 0, reason: "must be a positive finite number of metres")) {
            try DBSCAN.run(x: [1], y: [1], eps: 0, minPoints: 3)
        }
        #expect(throws: HotspotsError.lengthMismatch(what: "y", expected: 2, got: 1)) {
            try DBSCAN.run(x: [1, 2], y: [1], eps: 1, minPoints: 3)
        }
        #expect(throws: HotspotsError.nonFiniteCoordinate(index: 1, x: .infinity, y: 0)) {
            try DBSCAN.run(x: [0, .infinity], y: [0, 0], eps: 1, minPoints: 3)
        }
    }

    /// ST-DBSCAN: the same place reported in two seasons gives two clusters; without the window, one.
    @Test func timeWindowSplitsClustersThatAreApartInTime() throws {
        let x: [Double] = [0, 1, 2, 0, 1, 2], y: [Double] = [0, 0, 0, 1, 1, 1]
        let t: [Double] = [0, 1, 2, 100, 101, 102]
        let st = try DBSCAN.run(x: x, y: y, t: t, eps: 5, timeWindow: 10, minPoints: 3)
        #expect(st.labels == [0, 0, 0, 1, 1, 1])
        let flat = try DBSCAN.run(x: x, y: y, t: t, eps: 5, timeWindow: .infinity, minPoints: 3)
        #expect(flat.labels == [0, 0, 0, 0, 0, 0])
    }
}

struct STDBSCANTests {
    /// ST-DBSCAN against scikit-learn on a precomputed space-and-time neighbourhood graph.
    @Test func matchesScikitLearnOnASpaceTimeGraph() throws {
        let (header, rows) = try Fixture.rows("stdbscan.csv")
        let p = Fixture.params(header)
        let x = rows.map { Double($0[0])! }, y = rows.map { Double($0[1])! }, t = rows.map { Double($0[2])! }
        let labels = rows.map { Int($0[3])! }, core = rows.map { $0[4] == "1" }
        let r = try DBSCAN.run(x: x, y: y, t: t, eps: Double(p["eps"]!)!, timeWindow: Double(p["window"]!)!,
                               minPoints: Int(p["min_samples"]!)!)
        #expect(r.isCore == core)
        #expect(r.labels == labels)
        #expect(r.clusterCount == Set(labels.filter { $0 >= 0 }).count)
    }
}
