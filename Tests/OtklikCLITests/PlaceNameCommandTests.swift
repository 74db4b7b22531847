import Foundation
import OtklikTestSupport
import Testing

/// A district or settlement nobody stores is exit code 2 with one line naming the closest places, not an empty
/// result; names in another grammatical case reach the stored name.
@Suite struct PlaceNameCommandTests {
    @Test func unknownPlacesExitWithTwoAndOneLine() async throws {
        let w = try Workspace()
        try await w.demo(count: 300)
        let hotspots = try await CLI.assertExecute(["hotspots"] + w.global() + ["--district", "Рудня"], exitCode: 2, stdout: "")
        #expect(hotspots.stderrLines.count == 1, "\(hotspots)")
        #expect(hotspots.stderrLines.first?.hasPrefix("Error: --district: нет района «Рудня». Возможно, вы имели в виду населённый пункт «Рудня»") == true,
                "\(hotspots)")

        let route = try await CLI.assertExecute(["route"] + w.global() + ["--settlement", "Руднянскй район", "--start", "32.04,54.78"],
                                                exitCode: 2, stdout: "")
        #expect(route.stderrLines.count == 1, "\(route)")
        #expect(route.stderrLines.first?.hasPrefix("Error: --settlement: нет населённого пункта «Руднянскй район». Возможно, вы имели в виду район «Руднянский район»") == true,
                "\(route)")

        let district = try await CLI.assertExecute(["route"] + w.global() + ["--district", "Рудня", "--start", "32.04,54.78"],
                                                   exitCode: 2, stdout: "")
        #expect(district.stderrLines.count == 1, "\(district)")
    }

    @Test func inflectedNamesAreAccepted() async throws {
        let w = try Workspace()
        try await w.demo(count: 300)
        let r = try await w.run(["hotspots"] + w.global() + ["--district", "руднянском районе", "--format", "json"])
        #expect(r.status == 0, "\(r)")
        let s = try await w.run(["hotspots"] + w.global() + ["--settlement", "Рудне", "--format", "json"])
        #expect(s.status == 0, "\(s)")
    }

    /// A western longitude starts with a minus; it is a value of --start, not an option.
    @Test(arguments: [["--start", "-17.4,14.7"], ["--start=-17.4,14.7"]])
    func aNegativeStartIsAValue(_ start: [String]) async throws {
        let w = try Workspace()
        let points = """
        {"type":"FeatureCollection","features":[
         {"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[-17.45,14.69]},"properties":{"name":"A"}},
         {"type":"Feature","id":"b","geometry":{"type":"Point","coordinates":[-17.44,14.72]},"properties":{"name":"B"}}]}
        """
        try Data(points.utf8).write(to: w.url.appendingPathComponent("points.geojson"))
        let r = try await w.run(["route", "--points", w.path("points.geojson"), "--format", "csv"] + start)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("A") && r.stdout.contains("B"), "\(r)")
    }

    @Test func theStartOptionSaysHowToGiveANegativeValue() async throws {
        let r = try await CLI.run(["route", "--help"])
        #expect(r.stdout.contains("--start=-17.4,14.7"), "\(r)")
    }
}
