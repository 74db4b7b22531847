import Foundation
import Logging
import Synchronization

/// The keys the server accepts, read again when the keys file changes: `otklik keys revoke` takes effect on a
/// running server within a second, without a restart. The `OTKLIK_API_KEYS` keys are merged in on every read and
/// win on a clash, as at start.
final class KeyRing: Sendable {
    private struct State {
        var keys: APIKeys
        var stamp: FileStamp?
        var checkedAt: ContinuousClock.Instant
    }

    /// What tells a rewritten file from the one last read: `APIKeyFile.write` renames a new file over the old one,
    /// so the inode changes even within one mtime tick.
    struct FileStamp: Equatable {
        var inode: UInt64
        var modified: Double
        var size: Int64

        init?(_ path: String) {
            var s = stat()
            guard stat(path, &s) == 0 else { return nil }
            inode = UInt64(s.st_ino)
            modified = Double(s.st_mtim.tv_sec) + Double(s.st_mtim.tv_nsec) / 1e9
            size = Int64(s.st_size)
        }
    }

    let file: String?
    let spec: String?
    let logger: Logger
    static let checkInterval: Duration = .seconds(1)
    private let state: Mutex<State>

    init(keys: APIKeys, file: String?, spec: String?, logger: Logger) {
        self.file = file
        self.spec = spec
        self.logger = logger
        state = Mutex(State(keys: keys, stamp: file.flatMap(FileStamp.init), checkedAt: .now))
    }

    var current: APIKeys {
        refreshIfChanged()
        return state.withLock { $0.keys }
    }

    func principal(forKey key: String) -> APIPrincipal? { current.principal(forKey: key) }

    /// Reads the file again when it changed since the last look, at most once per `checkInterval`. A file that
    /// cannot be read or parsed now leaves the keys as they were, and says so in the log.
    private func refreshIfChanged() {
        guard let file else { return }
        let now = ContinuousClock.now
        let due: FileStamp?? = state.withLock { s in
            guard now - s.checkedAt >= Self.checkInterval else { return .none }
            s.checkedAt = now
            let stamp = FileStamp(file)
            return stamp == s.stamp ? .none : .some(stamp)
        }
        guard case .some(let stamp) = due else { return }
        do {
            var keys = stamp == nil ? APIKeys() : try APIKeys.load(file: file)
            if let spec { keys = keys.merging(try APIKeys.parseEnvironment(spec)) }
            state.withLock { s in
                s.keys = keys
                s.stamp = stamp
            }
            logger.info("API keys read again", metadata: ["file": .string(file), "keys": .stringConvertible(keys.count)])
        } catch {
            logger.error("API keys file changed but cannot be used; keeping the keys read before", metadata: [
                "error": .logged("\(error)"),
            ])
        }
    }
}
