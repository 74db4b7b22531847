public import Foundation

/// The programs the tests drive (ogrinfo, python3 with its peers, chromium, the built `otklik`): found on PATH,
/// run with their output captured, or started and stopped. The one process runner of every test target.
///
/// Output goes to files rather than pipes, so a chatty program cannot fill a pipe nobody reads and hang the test.
public enum ExternalProcess {
    /// An absolute path as given when it is executable; a name looked up on PATH first (the python3 that pip
    /// installed a peer into may be a venv's), then in the system folders. nil when not installed.
    public static func path(_ tool: String) -> String? {
        if tool.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: tool) ? tool : nil }
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/bin", "/bin", "/usr/local/bin"]
        for dir in dirs where FileManager.default.isExecutableFile(atPath: "\(dir)/\(tool)") {
            return "\(dir)/\(tool)"
        }
        return nil
    }

    /// Runs `command` to completion, blocking the calling thread. For synchronous tests; an async test gets the
    /// overload below, which leaves the concurrency pool free for a server under test.
    public static func run(_ command: Command) throws -> ProcessResult {
        let p = try RunningProcess(command)
        return p.waitBlocking(timeout: command.timeout)
    }

    /// Runs `command` to completion, suspending rather than blocking a thread.
    public static func run(_ command: Command) async throws -> ProcessResult {
        let p = try RunningProcess(command)
        return await p.wait(timeout: command.timeout)
    }

    /// Runs `tool` with `args`; standard error joins the output unless `includeStderr` is false.
    public static func run(_ tool: String, _ args: [String], includeStderr: Bool = true) throws -> ProcessResult {
        try run(Command(tool, args, stderr: includeStderr ? .merged : .discarded))
    }

    /// Runs `tool` with `args`, suspending; standard error joins the output unless `includeStderr` is false.
    public static func run(_ tool: String, _ args: [String], includeStderr: Bool = true) async throws -> ProcessResult {
        try await run(Command(tool, args, stderr: includeStderr ? .merged : .discarded))
    }

    /// Starts `command` and returns at once, for a program that runs until it is stopped (`otklik serve`) or that
    /// the test kills on purpose.
    public static func start(_ command: Command) throws -> RunningProcess {
        try RunningProcess(command)
    }
}

/// What to run and how.
public struct Command: Sendable {
    /// Where standard error goes.
    public enum StandardError: Sendable {
        /// Into `output`, interleaved with standard output as a terminal would show them.
        case merged
        /// Into `ProcessResult.stderr`, apart from `output`.
        case separate
        /// Nowhere.
        case discarded
    }

    public var tool: String
    public var arguments: [String]
    /// Set over the test process's environment.
    public var environment: [String: String]
    /// Removed from the environment the program inherits.
    public var unsetEnvironment: [String]
    public var directory: URL?
    /// Fed to the program's standard input; without it standard input is empty.
    public var stdin: Data?
    public var stderr: StandardError
    /// A run that takes longer is stopped (SIGTERM, then SIGKILL) and reported with `timedOut`.
    public var timeout: Duration?
    /// Also keep the output in this file (it is written as the program runs, for a person to read afterwards).
    public var log: URL?

    public init(_ tool: String, _ arguments: [String] = [], environment: [String: String] = [:],
                unsetEnvironment: [String] = [], directory: URL? = nil, stdin: Data? = nil,
                stderr: StandardError = .merged, timeout: Duration? = .seconds(600), log: URL? = nil) {
        self.tool = tool
        self.arguments = arguments
        self.environment = environment
        self.unsetEnvironment = unsetEnvironment
        self.directory = directory
        self.stdin = stdin
        self.stderr = stderr
        self.timeout = timeout
        self.log = log
    }
}

/// How a program ended and what it wrote.
public struct ProcessResult: Sendable, CustomStringConvertible {
    public var status: Int32
    /// True when a signal ended the program (then `status` is the signal number).
    public var signalled: Bool
    public var timedOut: Bool
    /// Standard output, and standard error when it was merged, as bytes.
    public var outputData: Data
    /// Standard error when it was kept apart.
    public var stderr: String

    /// Standard output, and standard error when it was merged.
    public var output: String { String(decoding: outputData, as: UTF8.self) }

    public var succeeded: Bool { status == 0 && !signalled && !timedOut }

    public var description: String {
        let end = timedOut ? "timed out" : signalled ? "killed by signal \(status)" : "exit \(status)"
        return "\(end)\n\(output)\(stderr.isEmpty ? "" : "\n--- stderr ---\n\(stderr)")"
    }
}

public enum ExternalProcessError: Error, CustomStringConvertible {
    case notInstalled(String)
    case cannotStart(String, errno: Int32)

    public var description: String {
        switch self {
        case .notInstalled(let tool): "\(tool) is not installed (not on PATH nor in /usr/bin, /bin, /usr/local/bin)"
        case .cannotStart(let tool, let code): "cannot start \(tool): \(String(cString: strerror(code)))"
        }
    }
}
