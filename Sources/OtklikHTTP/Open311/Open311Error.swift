import Hummingbird

/// A refusal in GeoReport v2 terms: the HTTP status the spec assigns and a description for the client,
/// written as the spec's `errors` list (`[{"code": 400, "description": "…"}]`, `<errors><error>…`).
struct Open311Error: Error, Sendable, CustomStringConvertible {
    var status: HTTPResponse.Status
    var detail: String
    /// Sent with the error list, e.g. `Retry-After` with a 429.
    var headers: HTTPFields

    init(_ status: HTTPResponse.Status, _ detail: String, headers: HTTPFields = [:]) {
        self.status = status
        self.detail = detail
        self.headers = headers
    }

    var description: String { "\(status.code): \(detail)" }

    static func badRequest(_ d: String) -> Open311Error { Open311Error(.badRequest, d) }
    static func notFound(_ d: String) -> Open311Error { Open311Error(.notFound, d) }
    static func forbidden(_ d: String) -> Open311Error { Open311Error(.forbidden, d) }

    var document: Open311Document {
        Open311Document(root: "errors", body: .list(item: "error", [
            .object([("code", .number(Double(status.code))), ("description", .string(detail))]),
        ]))
    }

    func response(_ format: Open311Format) -> Response {
        Respond.bytes(document.encoded(format), status: status, contentType: format.contentType, headers: headers)
    }
}
