import Foundation
import OtklikTestSupport
import Testing

/// What a user sees when the invocation is wrong: a non-zero exit, the reason on the first line of standard
/// error, nothing on standard output.
@Suite struct ErrorTests {
    @Test func unknownSubcommandIsAUsageError() async throws {
        try await CLI.assertUsageError(["frobnicate"], message: "Unexpected argument 'frobnicate'", help: "otklik --help")
    }

    @Test func unknownOptionIsAUsageError() async throws {
        try await CLI.assertUsageError(["stats", "--colour"], message: "Unknown option '--colour'", help: "otklik stats --help")
    }

    @Test func missingOptionValueIsAUsageError() async throws {
        try await CLI.assertUsageError(["demo", "--count"], message: "Missing value for '--count <count>'", help: "otklik demo --help")
    }

    @Test func nonNumericValueIsAUsageError() async throws {
        try await CLI.assertUsageError(["demo", "--count", "many"], message: "The value 'many' is invalid for '--count <count>'",
                                       help: "otklik demo --help")
    }

    /// Server limits that are not positive numbers are refused before anything is opened.
    @Test func serveRefusesALimitThatIsNotPositive() async throws {
        let w = try Workspace()
        try await CLI.assertFailure(["serve"] + w.global() + ["--stale-after", "0"], in: w.url,
                                    message: "--stale-after must be a positive number of seconds")
        try await CLI.assertFailure(["serve"] + w.global() + ["--analysis-deadline", "0"], in: w.url,
                                    message: "--analysis-deadline must be a positive number of seconds")
    }

    /// Reading commands do not make a database where there is none: they say so in one line.
    @Test(arguments: [["stats"], ["hotspots"], ["tiles", "build", "--layer", "incidents"], ["serve"]])
    func aMissingDatabaseIsOneLine(_ command: [String]) async throws {
        let w = try Workspace()
        let db = w.path("nowhere/otklik.sqlite")
        try await CLI.assertFailure(command + w.global("nowhere/otklik.sqlite"), in: w.url,
                                    message: "no database at \(db); create it with `otklik demo` or `otklik import`, or pass --db")
        #expect(!FileManager.default.fileExists(atPath: db))
    }

    /// Without --db the default is data/otklik.sqlite in the working folder.
    @Test func theDefaultDatabaseIsUnderData() async throws {
        let w = try Workspace()
        try await CLI.assertFailure(["stats", "--data-dir", TestPackage.data.path], in: w.url,
                                    message: "no database at data/otklik.sqlite; create it with `otklik demo` or `otklik import`, or pass --db")
    }

    @Test func aMissingDataFolderIsOneLine() async throws {
        let w = try Workspace()
        try await w.demo(count: 20)
        let data = w.path("no-data")
        try await CLI.assertFailure(["stats", "--db", w.path("otklik.sqlite"), "--data-dir", data], in: w.url,
                                    message: "no data folder at \(data); leave out --data-dir (and OTKLIK_DATA) to use the data built into otklik")
    }
}
