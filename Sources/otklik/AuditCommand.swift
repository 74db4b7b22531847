import ArgumentParser
import Foundation
import OtklikCore

/// `otklik audit`: who read which reporter's contact, when and through which route.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the reads of reporters' contacts (key name, incident, time, route), oldest first.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only reads at or after this time (YYYY-MM-DD, UTC, or an ISO 8601 time with offset).") var since: String?
    @Option(help: "Only reads by the key of this name.") var key: String?
    @Option(help: "table, csv or json.") var format: Format = .table

    func run() async throws {
        let start: Date?
        do {
            start = try since.map { s throws(OtklikCore.ValidationError) in try Timestamp.parse(s, field: "--since", assumeUTC: true) }
        } catch {
            throw CLIError("\(error)")
        }
        let store = try global.openStore()
        let reads = try await store.contactReads(since: start, keyName: key)
        switch format {
        case .table:
            guard !reads.isEmpty else {
                print("no reads of reporters' contacts recorded\(start == nil && key == nil ? "" : " for this selection")")
                return
            }
            Keys.printTable(header: ["at", "key", "incident", "route"],
                            rows: reads.map { [Timestamp.format($0.at), $0.keyName, String($0.incidentID), $0.route] })
        case .csv:
            print("at,key,incident_id,route")
            for r in reads {
                print(CSVText.row([Timestamp.format(r.at), r.keyName, String(r.incidentID), r.route]))
            }
        case .json:
            let list: [JSONValue] = reads.map { r in
                ["at": .string(Timestamp.format(r.at)), "key": .string(r.keyName), "incident_id": .int64(r.incidentID),
                 "route": .string(r.route)]
            }
            print(String(decoding: JSONValue.array(list).encoded(), as: UTF8.self))
        }
    }
}
