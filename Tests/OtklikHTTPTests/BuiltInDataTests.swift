import Foundation
import OtklikServices
import OtklikTestSupport
import Testing

/// The data built into the binary decodes to the files of data/, byte for byte (scripts/embed-data.sh gzips
/// and base64-encodes them; `builtInDataIsTheDataFolder` checks the Swift file is current).
@Suite struct BuiltInDataTests {
    @Test(arguments: ["categories.json", "agency-overrides.json", "districts.geojson", "settlements.geojson"])
    func decodesToTheDataFile(_ name: String) throws {
        let file = try Data(contentsOf: TestPackage.data.appendingPathComponent(name))
        let built = try #require(BuiltInData.contents(name))
        #expect(built == file)
    }

    @Test func aFileThatIsNotBuiltInIsNil() {
        #expect(BuiltInData.contents("oblast_outline.geojson") == nil)
    }
}
