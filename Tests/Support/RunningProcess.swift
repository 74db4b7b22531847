public import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A started program: its output so far, its end awaited with or without blocking, and signals to stop it.
public final class RunningProcess: @unchecked Sendable {
    private let process = Process()
    private let folder: URL
    private let outputFile: URL
    private let stderrFile: URL?
    private let lock = NSLock()
    private var ended: (status: Int32, signalled: Bool)?
    private var timedOut = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private let endedSignal = DispatchSemaphore(value: 0)

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { lock.withLock { ended == nil } }

    init(_ command: Command) throws {
        guard let exe = ExternalProcess.path(command.tool) else { throw ExternalProcessError.notInstalled(command.tool) }
        let fm = FileManager.default
        folder = fm.temporaryDirectory.appendingPathComponent("otklik-process-\(UUID().uuidString)")
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        outputFile = command.log ?? folder.appendingPathComponent("output.txt")
        stderrFile = command.stderr == .separate ? folder.appendingPathComponent("stderr.txt") : nil
        _ = fm.createFile(atPath: outputFile.path, contents: nil)
        // The child gets its own copies of these; the test's copies close once it has started.
        var handles: [FileHandle] = []
        defer { for h in handles { try? h.close() } }
        let out = try FileHandle(forWritingTo: outputFile)
        handles.append(out)
        process.executableURL = URL(fileURLWithPath: exe)
        process.arguments = command.arguments
        process.standardOutput = out
        switch command.stderr {
        case .merged: process.standardError = out
        case .discarded: process.standardError = FileHandle.nullDevice
        case .separate:
            _ = fm.createFile(atPath: stderrFile!.path, contents: nil)
            let err = try FileHandle(forWritingTo: stderrFile!)
            handles.append(err)
            process.standardError = err
        }
        // From a file, so that a program that stops reading early cannot SIGPIPE the test process.
        let input = folder.appendingPathComponent("stdin")
        _ = fm.createFile(atPath: input.path, contents: command.stdin ?? Data())
        let inputHandle = try FileHandle(forReadingFrom: input)
        handles.append(inputHandle)
        process.standardInput = inputHandle
        if let dir = command.directory { process.currentDirectoryURL = dir }
        if !command.environment.isEmpty || !command.unsetEnvironment.isEmpty {
            var env = ProcessInfo.processInfo.environment.merging(command.environment) { _, new in new }
            for name in command.unsetEnvironment { env[name] = nil }
            process.environment = env
        }
        process.terminationHandler = { [weak self] p in self?.finished(p) }
        try process.run()
    }

    deinit {
        if isRunning { posixKill(pid, SIGKILL) }
        try? FileManager.default.removeItem(at: folder)
    }

    private func finished(_ p: Process) {
        let resumed: [CheckedContinuation<Void, Never>] = lock.withLock {
            ended = (p.terminationStatus, p.terminationReason == .uncaughtSignal)
            defer { waiters = [] }
            return waiters
        }
        endedSignal.signal()
        for w in resumed { w.resume() }
    }

    /// Sends `signal` unless the program has already ended.
    public func signal(_ signal: Int32) {
        if isRunning { posixKill(pid, signal) }
    }

    /// SIGKILL: the end an operator's kill -9 or the OOM killer gives, with no chance to clean up.
    public func kill() { signal(SIGKILL) }

    /// SIGTERM, then SIGKILL if it is still running after `grace`; returns once it has ended.
    public func stop(grace: Duration = .seconds(5)) async -> ProcessResult {
        signal(SIGTERM)
        return await wait(timeout: grace)
    }

    /// What it has written so far (standard output, and standard error when merged).
    public func outputSoFar() -> String {
        (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
    }

    /// Suspends until the program ends; after `timeout` it is stopped and the result says so.
    public func wait(timeout: Duration? = nil) async -> ProcessResult {
        let watchdog = timeout.map { limit in
            Task { [weak self] in
                try await Task.sleep(for: limit)
                self?.expire()
            }
        }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let done = lock.withLock {
                if ended != nil { return true }
                waiters.append(c)
                return false
            }
            if done { c.resume() }
        }
        watchdog?.cancel()
        return result()
    }

    /// Blocks the calling thread until the program ends; after `timeout` it is stopped and the result says so.
    public func waitBlocking(timeout: Duration? = nil) -> ProcessResult {
        if let timeout {
            let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
            if endedSignal.wait(timeout: .now() + seconds) == .timedOut {
                expire()
                endedSignal.wait()
            }
        } else {
            endedSignal.wait()
        }
        endedSignal.signal()  // later waiters pass at once
        return result()
    }

    /// Past its time: SIGTERM, and SIGKILL a few seconds later if that was not enough.
    private func expire() {
        guard isRunning else { return }
        lock.withLock { timedOut = true }
        posixKill(pid, SIGTERM)
        let pid = self.pid
        DispatchQueue.global().asyncAfter(deadline: .now() + 5) { [weak self] in
            if self?.isRunning == true { posixKill(pid, SIGKILL) }
        }
    }

    private func result() -> ProcessResult {
        let (end, expired) = lock.withLock { (ended ?? (-1, false), timedOut) }
        return ProcessResult(status: end.status, signalled: end.signalled, timedOut: expired,
                             outputData: (try? Data(contentsOf: outputFile)) ?? Data(),
                             stderr: stderrFile.flatMap { try? String(contentsOf: $0, encoding: .utf8) } ?? "")
    }
}

/// The C kill(2), under a name the methods above do not shadow.
private func posixKill(_ pid: Int32, _ signal: Int32) {
    _ = kill(pid, signal)
}
