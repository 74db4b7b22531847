import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP client on loopback for the tests that must misbehave in ways an HTTP client will not: send half
/// a header, announce a body and not send it, hold a connection open and silent.
final class RawSocket {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket: errno \(errno)") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            close(fd)
            throw Failure("connect: errno \(errno)")
        }
    }

    deinit { close(fd) }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// Sends `text`; false when the server has already closed the connection.
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// Reads until `marker` has arrived (true) or `within` passes or the connection closes (false).
    func read(until marker: String, within seconds: Double) async -> Bool {
        var data = [UInt8]()
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            switch readAvailable() {
            case .closed: return false
            case .bytes(let b):
                data += b
                if String(decoding: data, as: UTF8.self).contains(marker) { return true }
            case .nothing: await pause()
            }
        }
        return false
    }

    /// Reads until the server closes the connection or `within` passes; returns what was read and whether the
    /// connection was closed by then.
    func readUntilClosed(within seconds: Double) async -> (closed: Bool, text: String) {
        var data = [UInt8]()
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            switch readAvailable() {
            case .closed: return (true, String(decoding: data, as: UTF8.self))
            case .bytes(let b): data += b
            case .nothing: await pause()
            }
        }
        return (false, String(decoding: data, as: UTF8.self))
    }

    private enum Read { case bytes([UInt8]), nothing, closed }

    /// What the socket holds now, without waiting: the waiting is done by `pause`, which gives the thread back
    /// to the concurrency pool (the server under test answers on the same pool).
    private func readAvailable() -> Read {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&p, 1, 0)
        if ready < 0 { return .closed }
        if ready == 0 { return .nothing }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return n <= 0 ? .closed : .bytes(Array(buffer[0..<n]))
    }

    private func pause() async { try? await Task.sleep(for: .milliseconds(20)) }
}
