import Foundation
import Testing
@testable import OtklikHotspots
import OtklikCore

struct GetisOrdTests {
    @Test func matchesEsdaOnIrregularLocations() throws {
        let (header, rows) = try Fixture.rows("gistar_scatter.csv")
        let band = Double(Fixture.params(header)["band"]!)!
        let x = rows.map { Double($0[0])! }, y = rows.map { Double($0[1])! }, v = rows.map { Double($0[2])! }
        let gi = try GetisOrd.giStar(values: v, x: x, y: y, band: band)
        var worstZ = 0.0, worstP = 0.0
        for (i, r) in rows.enumerated() {
            let z = try #require(gi[i].z), p = try #require(gi[i].p)
            worstZ = max(worstZ, abs(z - Double(r[3])!))
            worstP = max(worstP, abs(p / 2 - Double(r[4])!))
        }
        #expect(worstZ <= 1e-9, "max |z − esda| = \(worstZ)")
        #expect(worstP <= 1e-9, "max |p/2 − esda p_norm| = \(worstP)")
    }

    static func points() throws -> (cell: Double, band: Double, points: [HotspotPoint]) {
        let (header, rows) = try Fixture.rows("gistar_points.csv")
        let p = Fixture.params(header)
        let pts = rows.enumerated().map { i, r in
            HotspotPoint(id: Int64(i + 1), x: Double(r[0])!, y: Double(r[1])!, location: GeoPoint(lon: 0, lat: 0),
                         category: "road.pothole", reportedAt: Date(timeIntervalSince1970: 0), status: .new)
        }
        return (Double(p["cell_size"]!)!, Double(p["band"]!)!, pts)
    }

    @Test(arguments: [("gistar_bins_occupied.csv", BinSelection.occupied),
                      ("gistar_bins_neighbours.csv", BinSelection.occupiedAndNeighbours)])
    func hexGridBinsMatchEsda(_ file: String, _ selection: BinSelection) throws {
        let (cell, band, pts) = try Self.points()
        let result = try GridAnalysis.run(points: pts, config: GridConfig(cellSize: cell, band: band, bins: selection))
        let (_, rows) = try Fixture.rows(file)
        #expect(result.bins.count == rows.count)
        var worstZ = 0.0, worstP = 0.0
        for (b, r) in zip(result.bins, rows) {
            #expect(b.cell == HexCell(q: Int(r[0])!, r: Int(r[1])!))
            #expect(b.count == Int(r[2])!)
            let z = try #require(b.gi.z), p = try #require(b.gi.p)
            worstZ = max(worstZ, abs(z - Double(r[3])!))
            worstP = max(worstP, abs(p / 2 - Double(r[4])!))
            #expect(b.gi.bin == Int(r[5])!, "Gi_Bin of \(b.cell)")
        }
        #expect(worstZ <= 1e-9, "max |z − esda| = \(worstZ)")
        #expect(worstP <= 1e-9)
        #expect(result.bins.reduce(0) { $0 + $1.count } == pts.count)
        #expect(result.bins.contains { $0.gi.bin == 3 })
    }

    @Test func fdrKeepsOnlyPValuesUnderTheStepUpLine() {
        // m = 4: BH at 0.05 accepts p(k) <= k·0.0125; 0.01 <= 0.0125, 0.02 <= 0.025, 0.04 > 0.0375, 0.5 > 0.05.
        let bins = GetisOrd.fdrBins(z: [3, -2.5, 2, 0.5], p: [0.01, 0.02, 0.04, 0.5])
        // at 0.01: line k·0.0025: 0.01 > 0.0025, 0.02 > 0.005 ... none. At 0.10: 0.04 <= 0.075 passes.
        #expect(bins == [2, -2, 1, 0])
    }

    @Test func equalValuesHaveNoZScore() throws {
        let gi = try GetisOrd.giStar(values: [2, 2, 2], x: [0, 1, 2], y: [0, 0, 0], band: 1.5)
        #expect(gi.allSatisfy { $0.z == nil && $0.bin == 0 })
        #expect(gi.map(\.neighbours) == [2, 3, 2])
        #expect(try GetisOrd.giStar(values: [], x: [], y: [], band: 1).isEmpty)
        let one = try GetisOrd.giStar(values: [5], x: [0], y: [0], band: 1)
        #expect(one[0].z == nil)
    }

    @Test func normalTailsAreAccurate() {
        // Reference values: scipy.stats.norm.sf(z) (printed with repr).
        #expect(abs(Normal.sf(1.959963984540054) - 0.025) < 1e-15)
        #expect(abs(Normal.sf(10) / 7.61985302416047e-24 - 1) < 1e-12)
        #expect(abs(Normal.cdf(-3) - 0.0013498980316300933) < 1e-16)
        #expect(Normal.twoSided(0) == 1)
    }
}

struct HexGridTests {
    @Test func pointsOnEdgesAndVerticesLandInExactlyOneAdjacentCell() throws {
        let g = try HexGrid(cellSize: 500)
        let c = HexCell(q: 3, r: -2)
        let corners = g.corners(c)
        let centre = g.center(c)
        for k in 0..<6 {
            let a = corners[k], b = corners[(k + 1) % 6]
            for (px, py) in [a, ((a.x + b.x) / 2, (a.y + b.y) / 2)] {
                let got = g.cell(x: px, y: py)
                #expect(g.cell(x: px, y: py) == got, "deterministic")
                let gc = g.center(got)
                let d = ((gc.x - px) * (gc.x - px) + (gc.y - py) * (gc.y - py)).squareRoot()
                #expect(d <= g.circumradius * (1 + 1e-9), "a border point goes to a cell that touches it")
            }
        }
        #expect(g.cell(x: centre.x, y: centre.y) == c)
    }

    @Test func centresRoundTripAndNeighboursAreOneCellApart() throws {
        let g = try HexGrid(cellSize: 250)
        for q in -3...3 {
            for r in -3...3 {
                let c = HexCell(q: q, r: r)
                let (x, y) = g.center(c)
                #expect(g.cell(x: x, y: y) == c)
                let (nx, ny) = g.center(HexCell(q: q + 1, r: r - 1))
                #expect(abs(((nx - x) * (nx - x) + (ny - y) * (ny - y)).squareRoot() - 250) < 1e-9)
            }
        }
        #expect(HexGrid.ringDistance(HexCell(q: 0, r: 0), HexCell(q: 2, r: -1)) == 2)
    }

    @Test func rejectsNonPositiveCellSize() {
        #expect(throws: HotspotsError.self) { try HexGrid(cellSize: 0) }
    }
}

struct GridBorderTests {
    /// Locations exactly on the neighbour grid's cell borders, at distances exactly equal to the band:
    /// `<= band` keeps them, so a 4×4 lattice has 3, 4 or 5 neighbours (self included) at corners, edges, inside.
    @Test func latticeOnCellBordersKeepsNeighboursAtExactlyTheBand() throws {
        var x: [Double] = [], y: [Double] = []
        for j in 0..<4 { for i in 0..<4 { x.append(Double(i) * 250); y.append(Double(j) * 250) } }
        let gi = try GetisOrd.giStar(values: (0..<16).map(Double.init), x: x, y: y, band: 250)
        let expected = [3, 4, 4, 3, 4, 5, 5, 4, 4, 5, 5, 4, 3, 4, 4, 3]
        #expect(gi.map(\.neighbours) == expected)
    }

    @Test func dbscanLinksPointsExactlyEpsApartAcrossCells() throws {
        // Integer metres, eps 7: neighbours at exactly eps; the chain is one cluster whatever the cell borders.
        let x = (0..<40).map { Double($0) * 7 }, y = [Double](repeating: 0, count: 40)
        let r = try DBSCAN.run(x: x, y: y, eps: 7, minPoints: 3)
        #expect(r.labels == [Int](repeating: 0, count: 40))
        #expect(r.isCore == [false] + [Bool](repeating: true, count: 38) + [false])
    }
}
