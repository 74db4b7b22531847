import Foundation
import Hummingbird
import OtklikCore

/// Writes an items page as a stream: features first, then the counts and links that depend on how many were
/// actually written (JSON member order is free, and this keeps `numberReturned` exact even if a write lands
/// while the page is being read).
struct FeaturePageWriter {
    /// Each write hands a buffer to the event loop and wakes it; at 64 KB a 100,000-feature page (66 MB) spent
    /// a sixth of its time switching threads.
    static let flushBytes = 256 * 1024

    var out = JSONWriter(capacity: flushBytes + 4096)
    var returned = 0

    init() {
        out.raw("{\"type\":\"FeatureCollection\",\"features\":[")
    }

    mutating func separator() {
        if returned > 0 { out.raw(",") }
        returned += 1
    }

    mutating func flushIfFull(_ writer: inout any ResponseBodyWriter) async throws {
        if out.bytes.count >= Self.flushBytes { try await flush(&writer) }
    }

    mutating func flush(_ writer: inout any ResponseBodyWriter) async throws {
        guard !out.bytes.isEmpty else { return }
        try await writer.write(ByteBuffer(bytes: out.bytes))
        out.bytes.removeAll(keepingCapacity: true)
    }

    /// Closes the document with counts and paging links.
    /// `lastID`: the id of the last feature written, for the `after` of the next link (incidents only).
    mutating func finish(matched: Int, request: ItemsRequest, base: String, path: String, lastID: Int64? = nil) {
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
    }
}
