// `make bench` runs this in release: `otklik-bench <suite> [options]`.
// Each suite prints its figures and a machine-readable JSON line that scripts/bench collects into BENCHMARKS.md.
import Foundation

let args = Array(CommandLine.arguments.dropFirst())
guard let suite = args.first else {
    FileHandle.standardError.write(Data("usage: otklik-bench store|hotspots|hotspots-quality|inspection|tiles [options]\n".utf8))
    exit(2)
}
let rest = Array(args.dropFirst())
do {
    switch suite {
    case "hotspots": try await HotspotsBench.run(rest)
    case "hotspots-quality": try HotspotsQualityBench.run(rest)
    case "inspection": try await InspectionBench.run(rest)
    case "tiles": try await TilesBench.run(rest)
    case "store": try await StoreBench.run(rest)
    default:
        FileHandle.standardError.write(Data("unknown suite '\(suite)'\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("otklik-bench: \(error)\n".utf8))
    exit(1)
}
