import Foundation
import CZlib

/// Reads a file in fixed-size chunks, inflating gzip transparently (by magic bytes, not by name),
/// so imports run in constant memory whatever the file size.
final class ByteSource {
    private let handle: FileHandle
    private let gzip: Bool
    private var stream = z_stream()
    private var inflating = false
    private var inputBuffer = [UInt8]()
    private var finished = false
    /// Inside a gzip member: input went in and its end marker has not come out yet.
    private var memberOpen = false
    let totalBytes: Int64
    private(set) var consumedBytes: Int64 = 0
    static let chunk = 1 << 20
    /// Bytes read from the file at a time: `chunk`, smaller in tests that cut records at every byte.
    private let chunkSize: Int

    init(path: String, chunkSize: Int = ByteSource.chunk) throws {
        self.chunkSize = chunkSize
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw StoreError(.importFile, "cannot open \(path): no such file or not readable")
        }
        handle = h
        let attrs = try? FileManager.default.attributesOfItem(atPath: path)
        totalBytes = (attrs?[.size] as? NSNumber)?.int64Value ?? 0
        let magic = (try? h.read(upToCount: 2)) ?? Data()
        gzip = magic.count == 2 && magic[magic.startIndex] == 0x1F && magic[magic.startIndex + 1] == 0x8B
        try h.seek(toOffset: 0)
        if gzip {
            guard otklik_inflate_init_gzip(&stream) == Z_OK else { throw StoreError(.importFile, "zlib: cannot start inflating \(path)") }
            inflating = true
        }
    }

    deinit {
        if inflating { inflateEnd(&stream) }
        try? handle.close()
    }

    /// The next chunk of decoded bytes, or nil at the end.
    func next() throws -> [UInt8]? {
        if finished { return nil }
        guard gzip else {
            guard let d = try handle.read(upToCount: chunkSize), !d.isEmpty else { finished = true; return nil }
            consumedBytes += Int64(d.count)
            return [UInt8](d)
        }
        var out = [UInt8](repeating: 0, count: chunkSize * 4)
        var produced = 0
        while produced == 0 {
            if stream.avail_in == 0 {
                guard let d = try handle.read(upToCount: chunkSize), !d.isEmpty else {
                    finished = true
                    // A cut-off file must not pass for a shorter complete one.
                    if memberOpen {
                        throw StoreError(.importFile, "the gzip data ends before its end marker after \(consumedBytes) bytes: the file is truncated")
                    }
                    return nil
                }
                consumedBytes += Int64(d.count)
                inputBuffer = [UInt8](d)
            }
            memberOpen = true
            let rc: Int32 = inputBuffer.withUnsafeMutableBufferPointer { inBuf in
                out.withUnsafeMutableBufferPointer { outBuf in
                    if stream.avail_in == 0 {
                        stream.next_in = inBuf.baseAddress
                        stream.avail_in = UInt32(inBuf.count)
                    }
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = UInt32(outBuf.count)
                    let rc = inflate(&stream, Z_NO_FLUSH)
                    produced = outBuf.count - Int(stream.avail_out)
                    return rc
                }
            }
            if rc == Z_STREAM_END {
                memberOpen = false
                // Concatenated gzip members are legal; start the next one if input remains.
                if stream.avail_in > 0 {
                    let remaining = Array(inputBuffer.suffix(Int(stream.avail_in)))
                    inflateReset(&stream)
                    inputBuffer = remaining
                    stream.avail_in = 0
                } else {
                    inflateReset(&stream)
                    stream.avail_in = 0
                    inputBuffer = []
                    if produced == 0 {
                        guard let d = try handle.read(upToCount: chunkSize), !d.isEmpty else { finished = true; return nil }
                        consumedBytes += Int64(d.count)
                        inputBuffer = [UInt8](d)
                    }
                }
            } else if rc != Z_OK && rc != Z_BUF_ERROR {
                throw StoreError(.importFile, "gzip data is corrupt (zlib error \(rc))")
            }
            if stream.avail_in == 0 && rc != Z_STREAM_END { inputBuffer = [] }
        }
        return Array(out[0..<produced])
    }
}
