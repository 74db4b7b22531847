import Foundation
import Hummingbird
import OtklikCore
import OtklikServices

/// Writes an items page as a stream: features first, then the counts and links that depend on how many were
/// actually written (JSON member order is free, and this keeps `numberReturned` exact even if a write lands
/// while the page is being read).
struct FeaturePageWriter {
    /// Each write hands a buffer to the event loop and wakes it; at 64 KB a 100,000-feature page (66 MB) spent
    /// a sixth of its time switching threads.
    static let flushBytes = 256 * 1024

    /// The response's own buffer: features are written into it in place, not copied into it from an array.
    private(set) var buffer: ByteBuffer
    var returned = 0

    init() {
        buffer = ByteBufferAllocator().buffer(capacity: Self.flushBytes + 16 * 1024)
        buffer.writeStaticString("{\"type\":\"FeatureCollection\",\"features\":[")
    }

    mutating func separator() {
        if returned > 0 { buffer.writeStaticString(",") }
        returned += 1
    }

    /// A feature already written as JSON.
    mutating func feature(json: [UInt8]) {
        buffer.writeBytes(json)
    }

    /// An incident of a page, written straight into the buffer.
    mutating func incident(_ page: IncidentTextPage, row i: Int, names: CategoryNames) {
        let bound = JSONCursor.incidentBound(page, row: i, names: names)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { room in
            var cursor = JSONCursor(room.baseAddress!.assumingMemoryBound(to: UInt8.self))
            cursor.incident(page, row: i, names: names)
            return cursor.written
        }
    }

    mutating func flushIfFull(_ writer: inout any ResponseBodyWriter) async throws {
        if buffer.readableBytes >= Self.flushBytes { try await flush(&writer) }
    }

    /// Hands what is written to the response and starts a new buffer (the one handed over is the event loop's
    /// until it is on the socket).
    mutating func flush(_ writer: inout any ResponseBodyWriter) async throws {
        guard buffer.readableBytes > 0 else { return }
        let full = buffer
        buffer = ByteBufferAllocator().buffer(capacity: Self.flushBytes + 16 * 1024)
        try await writer.write(full)
    }

    /// Closes the document with counts and paging links.
    /// `lastID`: the id of the last feature written, for the `after` of the next link (incidents only).
    mutating func finish(matched: Int, request: ItemsRequest, base: String, path: String, lastID: Int64? = nil) {
        var out = JSONWriter()
        out.raw("],\"numberReturned\":")
        out.int(returned)
        out.raw(",\"numberMatched\":")
        out.int(matched)
        out.raw(",\"timeStamp\":")
        out.string(Timestamp.format(Date()))
        var links: [JSONValue] = [
            OGCDocuments.link(request.link(base: base, path: path, offset: request.offset), rel: "self", type: "application/geo+json"),
        ]
        if returned > 0, request.offset + returned < matched {
            links.append(OGCDocuments.link(request.link(base: base, path: path, offset: request.offset + request.limit, after: lastID),
                                           rel: "next", type: "application/geo+json", title: "Next page"))
        }
        if request.offset > 0 {
            links.append(OGCDocuments.link(request.link(base: base, path: path, offset: max(0, request.offset - request.limit)),
                                           rel: "prev", type: "application/geo+json", title: "Previous page"))
        }
        out.raw(",\"links\":")
        out.value(.array(links))
        out.raw("}")
        buffer.writeBytes(out.bytes)
    }
}
