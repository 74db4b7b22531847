public import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A started program: its output so far, its end awaited with or without blocking, and signals to stop it.
public final class RunningProcess: @unchecked Sendable {
    private let folder: URL
    private let outputFile: URL
    private let stderrFile: URL?
    private let lock = NSLock()
    private var ended: (status: Int32, signalled: Bool)?
    private var timedOut = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private let endedSignal = DispatchSemaphore(value: 0)

    public let pid: Int32
    public var isRunning: Bool { lock.withLock { ended == nil } }

    /// Started with posix_spawn rather than Foundation's `Process`, whose `run()` on Linux reads past a buffer
    /// while it lists /proc/self/fd and crashed the test process now and then (swift-corelibs-foundation #5472).
    init(_ command: Command) throws {
        guard let exe = ExternalProcess.path(command.tool) else { throw ExternalProcessError.notInstalled(command.tool) }
        let fm = FileManager.default
        folder = fm.temporaryDirectory.appendingPathComponent("otklik-process-\(UUID().uuidString)")
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        outputFile = command.log ?? folder.appendingPathComponent("output.txt")
        stderrFile = command.stderr == .separate ? folder.appendingPathComponent("stderr.txt") : nil
        _ = fm.createFile(atPath: outputFile.path, contents: nil)
        // From a file, so that a program that stops reading early cannot SIGPIPE the test process.
        let input = folder.appendingPathComponent("stdin")
        _ = fm.createFile(atPath: input.path, contents: command.stdin ?? Data())

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input.path, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputFile.path, O_WRONLY | O_APPEND, 0o644)
        switch command.stderr {
        case .merged: posix_spawn_file_actions_adddup2(&actions, 1, 2)
        case .discarded: posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        case .separate:
            _ = fm.createFile(atPath: stderrFile!.path, contents: nil)
            posix_spawn_file_actions_addopen(&actions, 2, stderrFile!.path, O_WRONLY | O_APPEND, 0o644)
        }
        var env = ProcessInfo.processInfo.environment.merging(command.environment) { _, new in new }
        for name in command.unsetEnvironment { env[name] = nil }
        // In another folder through env(1): glibc's posix_spawn_file_actions_addchdir_np is not visible to Swift.
        let program = command.directory == nil ? exe : "/usr/bin/env"
        let words = command.directory.map { ["env", "-C", $0.path, exe] } ?? [exe]
        let argv = (words + command.arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, program, &actions, nil, argv, envp)
        guard rc == 0 else { throw ExternalProcessError.cannotStart(command.tool, errno: rc) }
        pid = child
        let spawned = child
        // One thread per child waits for its end.
        Thread.detachNewThread { [weak self] in
            var status: Int32 = 0
            while waitpid(spawned, &status, 0) == -1 && errno == EINTR {}
            let signalled = (status & 0x7f) != 0 && (status & 0x7f) != 0x7f
            self?.finished(status: signalled ? status & 0x7f : (status >> 8) & 0xff, signalled: signalled)
        }
    }

    deinit {
        if isRunning { posixKill(pid, SIGKILL) }
        try? FileManager.default.removeItem(at: folder)
    }

    private func finished(status: Int32, signalled: Bool) {
        let resumed: [CheckedContinuation<Void, Never>] = lock.withLock {
            ended = (status, signalled)
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
