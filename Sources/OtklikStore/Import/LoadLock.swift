#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Says that a bulk load is writing to a database file: an exclusive `flock` on `<database>-load`, held from
/// `beginBulk` to `endBulk`. The kernel drops it when its holder exits, however it exits, so a process that
/// opens the database and finds a load's indexes set aside can tell a load that is still running (leave it
/// alone) from one that died (finish it). It also keeps two loads from running into one file at once.
///
/// The file stays after the load: removing it would let a process lock a name that another has just created
/// again.
final class LoadLock: @unchecked Sendable {
    /// Internal for the test that copies it as a spawned child does.
    let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    /// Takes the lock for the database at `path`; nil when another open file holds it.
    static func take(for path: String) throws -> LoadLock? {
        let lockPath = path + "-load"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw StoreError(.open, "cannot open the load lock \(lockPath): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            if code == EWOULDBLOCK { return nil }
            throw StoreError(.open, "cannot lock \(lockPath): \(String(cString: strerror(code)))")
        }
        return LoadLock(fd: fd)
    }

    /// Unlocked before it is closed: the lock belongs to the open file, and a child process spawned meanwhile holds
    /// a copy of this descriptor until its `exec` closes it (`O_CLOEXEC`). Closing ours alone left the lock held for
    /// that moment, and an import right after one in the same process (the tests spawn peers while they run) was
    /// refused as "another import is loading".
    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
