import OtklikCore
import Hummingbird

/// An RFC 9457 problem raised by the HTTP layer itself (bad parameter, missing key, body too large).
/// Domain and storage errors do not know about HTTP; `ProblemMiddleware` maps them.
struct Problem: Error, Sendable, CustomStringConvertible {
var status: HTTPResponse.Status
    /// A short, stable slug appended to the problem type URI (`/problems/<slug>`).
var slug: String
var title: String
var detail: String
var headers: HTTPFields

init(_ status: HTTPResponse.Status, slug: String, title: String, detail: String, headers: HTTPFields = [:]) {
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.headers = headers
    }

var description: String { "\(status.code) \(title): \(detail)" }

    static func badParameter(_ detail: String) -> Problem {
        Problem(.badRequest, slug: "invalid-parameter", title: "Invalid query parameter", detail: detail)
    }

    static func badBody(_ detail: String) -> Problem {
        Problem(.badRequest, slug: "invalid-body", title: "Invalid request body", detail: detail)
    }

    static func notFound(_ detail: String) -> Problem {
        Problem(.notFound, slug: "not-found", title: "Not found", detail: detail)
    }

    static func unauthorized(_ detail: String) -> Problem {
        Problem(.unauthorized, slug: "unauthorized", title: "Authentication required", detail: detail,
                headers: [.wwwAuthenticate: "Bearer realm=\"otklik\""])
    }

    static func forbidden(_ detail: String) -> Problem {
        Problem(.forbidden, slug: "forbidden", title: "Insufficient role", detail: detail)
    }

    static func tooLarge(_ limit: Int) -> Problem {
        Problem(.contentTooLarge, slug: "body-too-large", title: "Request body too large",
                detail: "the request body exceeds the limit of \(limit) bytes")
    }

    /// The response body; `instance` is the request path so that a log line and a client report meet.
    func response(instance: String) -> Response {
        let doc: JSONValue = [
            "type": .string("/problems/\(slug)"),
            "title": .string(title),
            "status": .int(status.code),
            "detail": .string(detail),
            "instance": .string(instance),
        ]
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: doc.encoded())))
    }
}
