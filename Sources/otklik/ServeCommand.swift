import ArgumentParser
import Foundation

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the API, the OGC layers, tiles and the map page.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Listen address.") var host = "127.0.0.1"
    @Option(help: "Listen port.") var port = 8080

    func run() async throws {
        throw CLIError("serve: not wired yet")
    }
}
