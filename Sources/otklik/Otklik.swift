import ArgumentParser

@main
struct Otklik: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "otklik",
        abstract: "Incident mapping and hotspots for regional complaint centres.",
        subcommands: [Serve.self, Demo.self, Import.self, Stats.self, Hotspots.self, Route.self, Tiles.self,
                      Keys.self, Audit.self, Migrate.self])
}
