import ArgumentParser
import Foundation
import Logging
import OtklikPostGIS

/// `otklik serve --read-db`: a hot-standby replica for the read-only requests of a PostGIS store.
struct ReadReplicaOptions: ParsableArguments {
    @Option(help: "A hot-standby replica of the PostGIS --db, postgresql://user@host:port/dbname: read-only requests go to it while it has replayed this server's writes and is within --read-db-max-lag, else to the primary (env OTKLIK_READ_DB).")
    var readDb: String?

    @Option(help: "Seconds a --read-db replica may be behind the primary before reads go to the primary; default 5 (env OTKLIK_READ_DB_MAX_LAG).")
    var readDbMaxLag: Double?

    /// The replica settings from the flags and the environment, or nil without a replica; throws a one-line error
    /// for a replica that cannot go with `database` or a bad value.
    func settings(database: String, environment env: [String: String]) throws -> ReadReplicaSettings? {
        func setting(_ flag: String?, _ name: String) -> (value: String, origin: String)? {
            if let flag { return (flag, "--\(name)") }
            let variable = "OTKLIK_" + name.uppercased().replacingOccurrences(of: "-", with: "_")
            return env[variable].flatMap { $0.isEmpty ? nil : ($0, variable) }
        }
        let lag = setting(readDbMaxLag.map { String($0) }, "read-db-max-lag")
        guard let (url, origin) = setting(readDb, "read-db") else {
            if let lag { throw CLIError("\(lag.origin) needs a replica: pass --read-db postgresql://… as well") }
            return nil
        }
        guard PostGISLocation.isURL(database) else {
            throw CLIError("\(origin) needs a PostGIS --db (postgresql://…): a SpatiaLite file has no replica to read from")
        }
        guard PostGISLocation.isURL(url) else {
            throw CLIError("\(origin) must be a postgresql://user@host:port/dbname URL of a hot standby of --db, not '\(url)'")
        }
        let location: PostGISLocation
        do { location = try PostGISLocation(url: url) } catch { throw CLIError("\(origin): \(error.description)") }
        let primary = try? PostGISLocation(url: database)
        if let primary, primary.host == location.host, primary.port == location.port {
            throw CLIError("\(origin) names the same server as --db (\(location.host):\(location.port)); give the replica's address")
        }
        var settings = ReadReplicaSettings(location: location)
        if let (text, lagOrigin) = lag {
            guard let seconds = Double(text), seconds > 0, seconds.isFinite else {
                throw CLIError("\(lagOrigin) must be a positive number of seconds, not '\(text)'")
            }
            settings.maxLag = .milliseconds(Int64(seconds * 1000))
        }
        return settings
    }
}

extension ReadReplicaOptions {
    /// Gives the replica to the store (only a PostGIS store is ever given one: `settings` sees to it).
    static func attach(_ settings: ReadReplicaSettings?, to store: any StoreBackend) {
        guard let settings, let store = store as? PostGISStore else { return }
        store.readFromReplica(settings)
    }
}
