public import struct Foundation.Data
import CZlib

/// gzip (RFC 1952) over zlib, for `Content-Encoding: gzip` and MBTiles blobs.
public enum Gzip {
    /// True when the bytes start with the gzip magic number.
    public static func isGzipped(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1f && data[data.startIndex + 1] == 0x8b
    }

    public static func compress(_ data: Data, level: Int32 = 6) throws(TilesError) -> Data {
        var stream = z_stream()
        var code = otklik_deflate_init_gzip(&stream, level)
        guard code == Z_OK else { throw .zlib(operation: "deflateInit2", code: code, message: message(stream)) }
        defer { deflateEnd(&stream) }
        var input = [UInt8](data)
        let bound = Int(deflateBound(&stream, uLong(input.count))) + 32
        var output = [UInt8](repeating: 0, count: bound)
        let produced: Int = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                stream.next_in = inBuf.baseAddress
                stream.avail_in = uInt(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = uInt(outBuf.count)
                code = deflate(&stream, Z_FINISH)
                return outBuf.count - Int(stream.avail_out)
            }
        }
        guard code == Z_STREAM_END else { throw .zlib(operation: "deflate", code: code, message: message(stream)) }
        return Data(output[0..<produced])
    }

    public static func decompress(_ data: Data) throws(TilesError) -> Data {
        guard isGzipped(data) else { throw .corruptGzip("missing the 1f 8b magic number") }
        var stream = z_stream()
        var code = otklik_inflate_init_gzip(&stream)
        guard code == Z_OK else { throw .zlib(operation: "inflateInit2", code: code, message: message(stream)) }
        defer { inflateEnd(&stream) }
        var input = [UInt8](data)
        var result = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: max(16_384, input.count * 4))
        var failure: TilesError?
        input.withUnsafeMutableBufferPointer { inBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = uInt(inBuf.count)
            repeat {
                let got: Int = chunk.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = uInt(outBuf.count)
                    code = inflate(&stream, Z_NO_FLUSH)
                    return outBuf.count - Int(stream.avail_out)
                }
                result.append(contentsOf: chunk[0..<got])
                if code != Z_OK && code != Z_STREAM_END {
                    failure = code == Z_BUF_ERROR ? .corruptGzip("truncated stream") : .zlib(operation: "inflate", code: code, message: message(stream))
                    return
                }
            } while code != Z_STREAM_END
        }
        if let failure { throw failure }
        return Data(result)
    }

    private static func message(_ s: z_stream) -> String {
        guard let m = s.msg else { return "no message" }
        return String(cString: m)
    }
}
