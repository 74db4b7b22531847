import Foundation

/// The programs the tests drive as independent checkers (ogrinfo, python3 with its peers, chromium): found on
/// PATH, run to completion, their output captured. One copy for every test target.
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

    /// Runs `tool` (a name or an absolute path) with `args`. Standard error joins the output unless
    /// `includeStderr` is false. A tool that is not installed gives status -1 and says so.
    public static func run(_ tool: String, _ args: [String], includeStderr: Bool = true) throws -> (status: Int32, output: String) {
        guard let exe = path(tool) else { return (-1, "\(tool) not found") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = includeStderr ? out : Pipe()
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
