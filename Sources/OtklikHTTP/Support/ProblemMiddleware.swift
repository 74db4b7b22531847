import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import OtklikCore
import OtklikServices

/// The one place where errors become responses. 4xx carry a precise detail; anything unexpected is logged
/// in full and answered with a generic 500 so that internals (SQL, paths) never reach a client.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBodyBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let path = Self.instance(of: request)
            var problem = Self.problem(for: error, maxBodyBytes: maxBodyBytes)
            if problem.status == .notFound, problem.detail == Self.noRoute {
                problem.detail = "no resource at \(request.method.rawValue) \(path)"
            }
            if problem.status.code >= 500 && problem.status != .serviceUnavailable {
                context.logger.error("request failed", metadata: [
                    "path": .logged(path), "method": .logged(request.method.rawValue), "error": .logged(String(reflecting: error)),
                ])
            } else {
                context.logger.info("request refused", metadata: [
                    "path": .logged(path), "status": .stringConvertible(problem.status.code), "detail": .logged(problem.detail),
                ])
            }
            return problem.response(instance: path)
        }
    }

    static func instance(of request: Request) -> String {
        // The raw path may hold invalid percent-escapes; keep it as sent, it is only echoed back.
        request.uri.path
    }

    static func problem(for error: any Error, maxBodyBytes: Int) -> Problem {
        switch error {
        case let p as Problem:
            return p
        case let v as ValidationError:
            return Problem(.badRequest, slug: "validation", title: "Invalid input", detail: v.description)
        case let d as DomainError:
            switch d {
            case .notFound: return Problem.notFound(d.description)
            case .illegalTransition:
                return Problem(.conflict, slug: "illegal-transition", title: "Illegal status transition", detail: d.description)
            case .conflict:
                return Problem(.conflict, slug: "conflict", title: "Conflict", detail: d.description)
            case .unavailable(_, let seconds):
                return Problem(.serviceUnavailable, slug: "unavailable", title: "Temporarily unavailable", detail: d.description,
                               headers: [.retryAfter: String(seconds)])
            }
        case _ where isClientAbort(error):
            return Problem.incompleteBody
        case let u as UnknownPlace:
            return Problem(.notFound, slug: "unknown-place", title: "Unknown place", detail: u.description)
        case let o as OutsideRegion:
            return Problem(.unprocessableContent, slug: "outside-region", title: "Point outside the region", detail: o.description)
        case let f as JSONParser.Failure:
            return Problem.badBody(f.description)
        case let h as HTTPError:
            switch h.status {
            case .notFound:
                return Problem.notFound(h.body ?? noRoute)
            case .methodNotAllowed:
                return Problem(.methodNotAllowed, slug: "method-not-allowed", title: "Method not allowed",
                               detail: h.body ?? "this method is not allowed here", headers: h.headers)
            case .contentTooLarge:
                return Problem.tooLarge(maxBodyBytes)
            default:
                if h.status.code < 500 {
                    return Problem(h.status, slug: "http-\(h.status.code)", title: h.status.reasonPhrase,
                                   detail: h.body ?? h.status.reasonPhrase, headers: h.headers)
                }
                return internalError
            }
        case let r as any HTTPResponseError where r.status == .contentTooLarge:
            // NIO's too-many-bytes error from collecting a body past the limit.
            return Problem.tooLarge(maxBodyBytes)
        case let r as any HTTPResponseError where r.status.code < 500:
            return Problem(r.status, slug: "http-\(r.status.code)", title: r.status.reasonPhrase, detail: r.status.reasonPhrase)
        default:
            return internalError
        }
    }

    /// The client closed the connection, or the server closed it on a timeout, before the request body was
    /// complete: a client error, not ours. Nobody reads the answer; the log and the metrics must say 4xx.
    static func isClientAbort(_ error: any Error) -> Bool {
        switch error {
        case is HTTPParserError: return true
        case let c as ChannelError:
            switch c {
            case .eof, .ioOnClosedChannel, .inputClosed, .alreadyClosed: return true
            default: return false
            }
        case is CancellationError: return true
        default: return false
        }
    }

    static var internalError: Problem { Problem.internalError }
    static var noRoute: String { "no route" }
}

extension Problem {
    static let incompleteBody = Problem(.badRequest, slug: "incomplete-body", title: "Incomplete request",
                                        detail: "the connection ended before the request body was complete")
    static let internalError = Problem(.internalServerError, slug: "internal", title: "Internal server error",
                                       detail: "the server could not complete the request; the error has been logged")
}
