import Foundation
import OtklikTestSupport
import Testing

/// What one run of `otklik` gave back.
struct CLIResult: CustomStringConvertible {
    let arguments: [String]
    let status: Int32
    let stdout: String
    let stderr: String

    /// Standard error without blank lines.
    var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
    var stdoutLines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    var description: String {
        "otklik \(arguments.joined(separator: " ")) → exit \(status)\n--- stdout ---\n\(stdout.prefix(3000))\n--- stderr ---\n\(stderr.prefix(3000))"
    }
}

/// The built `otklik`, driven as a user drives it, in the manner of swift-argument-parser's
/// `AssertExecuteCommand`: an invocation, the exit code it must end with, and what it must print.
///
/// Each run gets a clean environment for the OTKLIK_ variables (a developer's OTKLIK_DB must not leak in) and a
/// wide terminal, so that help text is not wrapped.
enum CLI {
    static let settingsFromTheEnvironment = ["OTKLIK_DB", "OTKLIK_DATA", "OTKLIK_HOST", "OTKLIK_PORT", "OTKLIK_BASE_URL",
                                             "OTKLIK_API_KEYS_FILE", "OTKLIK_MAX_BODY", "OTKLIK_READ_DB", "OTKLIK_READ_DB_MAX_LAG"]

    static func command(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
                        stderr: Command.StandardError = .separate, timeout: Duration? = .seconds(300)) throws -> Command {
        Command(try TestPackage.executable("otklik"), arguments, environment: environment.merging(["COLUMNS": "200"]) { a, _ in a },
                unsetEnvironment: settingsFromTheEnvironment.filter { environment[$0] == nil }, directory: directory, stderr: stderr, timeout: timeout)
    }

    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) async throws -> CLIResult {
        let r = try await ExternalProcess.run(command(arguments, in: directory, environment: environment))
        #expect(!r.timedOut && !r.signalled, "otklik \(arguments.joined(separator: " ")): \(r)")
        return CLIResult(arguments: arguments, status: r.status, stdout: r.output, stderr: r.stderr)
    }

    /// Runs `otklik arguments` and checks its exit code and, when given, its exact standard output and the exact
    /// first line of its standard error.
    @discardableResult
    static func assertExecute(_ arguments: [String], in directory: URL? = nil, exitCode: Int32 = 0,
                              stdout: String? = nil, firstErrorLine: String? = nil,
                              sourceLocation: SourceLocation = #_sourceLocation) async throws -> CLIResult {
        let r = try await run(arguments, in: directory)
        #expect(r.status == exitCode, "\(r)", sourceLocation: sourceLocation)
        if let stdout { #expect(r.stdout == stdout, "\(r)", sourceLocation: sourceLocation) }
        if let firstErrorLine { #expect(r.stderrLines.first == firstErrorLine, "\(r)", sourceLocation: sourceLocation) }
        return r
    }

    /// A usage error: ArgumentParser's exit code 64 (EX_USAGE), the message on the first line of standard error,
    /// then the usage and where to find help; nothing on standard output.
    static func assertUsageError(_ arguments: [String], in directory: URL? = nil, message: String, help: String,
                                 sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let r = try await assertExecute(arguments, in: directory, exitCode: 64, stdout: "", firstErrorLine: "Error: \(message)",
                                        sourceLocation: sourceLocation)
        #expect(r.stderrLines.contains { $0.hasPrefix("Usage: otklik") }, "\(r)", sourceLocation: sourceLocation)
        #expect(r.stderrLines.last == "  See '\(help)' for more information.", "\(r)", sourceLocation: sourceLocation)
    }

    /// A failure while running: exit code 1 and exactly one line on standard error, "Error: " and the message.
    static func assertFailure(_ arguments: [String], in directory: URL? = nil, message: String,
                              sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let r = try await assertExecute(arguments, in: directory, exitCode: 1, stdout: "", sourceLocation: sourceLocation)
        #expect(r.stderrLines == ["Error: \(message)"], "\(r)", sourceLocation: sourceLocation)
    }
}

/// A fresh folder the CLI runs in, removed when the test is done with it.
final class Workspace {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("otklik-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// The shared options every command takes: this database, the package's data folder.
    func global(_ db: String = "otklik.sqlite") -> [String] { ["--db", path(db), "--data-dir", TestPackage.data.path] }

    func run(_ arguments: [String]) async throws -> CLIResult { try await CLI.run(arguments, in: url) }

    /// `otklik demo` into `db`: count incidents from a seed, ending on a fixed day so that runs compare.
    @discardableResult
    func demo(_ db: String = "otklik.sqlite", count: Int = 2000, seed: Int = 1, end: String = "2025-06-30") async throws -> CLIResult {
        let r = try await run(["demo"] + global(db) + ["--count", String(count), "--seed", String(seed), "--end", end])
        try #require(r.status == 0, "\(r)")
        return r
    }
}

/// RFC 4180 fields: quoted fields may hold commas, doubled quotes and newlines.
func parseCSV(_ text: String) -> [[String]] {
    var rows: [[String]] = [], row: [String] = [], field = ""
    var quoted = false, afterQuote = false
    for c in text {
        if quoted {
            if c == "\"" { quoted = false; afterQuote = true } else { field.append(c) }
            continue
        }
        switch c {
        case "\"":
            if afterQuote { field.append("\"") }
            quoted = true
        case ",": row.append(field); field = ""
        case "\n", "\r\n":
            row.append(field); field = ""
            rows.append(row); row = []
        default: field.append(c)
        }
        afterQuote = false
    }
    if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
    return rows
}

/// A JSON document as Foundation reads it.
func parseJSON(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8))
}

/// "2,000" → 2000.
func parseCount(_ text: some StringProtocol) -> Int? { Int(text.replacingOccurrences(of: ",", with: "")) }
