import Foundation
import OtklikCore
import Testing
@testable import OtklikTiles

@Suite struct EncoderTests {
    @Test func writesTheSpecExampleCommandsForAPolygon() {
        // MVT 2.1 spec example: polygon (3,6) (8,12) (20,34) → 9 6 12 18 10 12 24 44 15.
        var out: [UInt32] = []
        MVTEncoder.encodeGeometry(.polygons([[[TilePixel(x: 3, y: 6), TilePixel(x: 8, y: 12), TilePixel(x: 20, y: 34)]]]), into: &out)
        #expect(out == [9, 6, 12, 18, 10, 12, 24, 44, 15])
    }

    @Test func writesTheSpecExampleCommandsForMultiPoints() {
        // Spec example: MultiPoint (5,7) (3,2) → 17 10 14 3 9.
        var out: [UInt32] = []
        MVTEncoder.encodeGeometry(.points([TilePixel(x: 5, y: 7), TilePixel(x: 3, y: 2)]), into: &out)
        #expect(out == [17, 10, 14, 3, 9])
    }

    @Test func anEmptyTileIsZeroBytes() {
        #expect(MVTEncoder.encode([MVTLayer(name: "incidents")]).isEmpty)
        #expect(MVTEncoder.encode([TileLayers.incidents([], tile: TileID(z: 3, x: 1, y: 1))]).isEmpty)
    }

    @Test func deduplicatesKeysAndValues() {
        var layer = MVTLayer(name: "l")
        for i in 0..<3 {
            layer.features.append(MVTFeature(id: UInt64(i), geometry: .points([TilePixel(x: 1, y: 1)]),
                                             properties: [MVTProperty("category", "pothole"), MVTProperty("status", "new")]))
        }
        let bytes = [UInt8](MVTEncoder.encode([layer]))
        let occurrences = bytes.indices.filter { bytes[$0...].starts(with: Array("pothole".utf8)) }.count
        #expect(occurrences == 1)
    }
}
