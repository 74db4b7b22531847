/// Everything OtklikInspection can refuse, with the offending value in the message.
public enum InspectionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A TSPLIB file could not be read; `line` is 1-based, 0 when the problem is not tied to a line.
    case tsplib(line: Int, reason: String)
    /// A request value is out of its allowed range.
    case invalidRequest(field: String, reason: String)
    /// The planner keeps a full distance table; beyond this many points it would not fit a request's memory.
    case tooManyPoints(count: Int, limit: Int)

    public var description: String {
        switch self {
        case .tsplib(let line, let reason):
            return line > 0 ? "TSPLIB line \(line): \(reason)" : "TSPLIB: \(reason)"
        case .invalidRequest(let field, let reason):
            return "\(field): \(reason)"
        case .tooManyPoints(let count, let limit):
            return "\(count) points to route, at most \(limit) are supported"
        }
    }
}
