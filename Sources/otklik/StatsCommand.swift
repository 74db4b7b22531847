import ArgumentParser
import Foundation
import OtklikCore

struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Counts of incidents by district, category and status.")
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let store = try global.openStore()
        let s = try await store.stats(IncidentQuery())
        let taxonomy = store.taxonomy
        print("incidents: \(formatCount(s.total))")
        func section(_ title: String, _ counts: [String: Int], label: (String) -> String = { $0 }) {
            print("\n\(title)")
            for (k, v) in counts.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
                let name = k.isEmpty ? "(none)" : label(k)
                print("  " + name.padding(toLength: max(name.count, 40), withPad: " ", startingAt: 0) + String(formatCount(v)).leftPadded(10))
            }
        }
        section("by district", s.byDistrict)
        section("by category", s.byCategory) { code in "\(code) — \(taxonomy[code]?.nameRu ?? "?")" }
        section("by status", s.byStatus)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
