/// A violated input rule. Every case names the field and the value it refused, so the message can be shown
/// as it is to whoever sent the data (a 4xx detail, an import reject line, a CLI error).
public enum ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    case missing(field: String)
    case notFinite(field: String, value: Double)
    case outOfRange(field: String, value: Double, range: String)
    case unknownCategory(String)
    case unknownValue(field: String, value: String, allowed: [String])
    case invalidTimestamp(field: String, value: String, reason: String)
    case resolvedBeforeReported(reportedAt: String, resolvedAt: String)
    case tooLong(field: String, length: Int, limit: Int)
    case invalid(field: String, value: String, reason: String)

    public var field: String {
        switch self {
        case .missing(let f), .notFinite(let f, _), .outOfRange(let f, _, _), .unknownValue(let f, _, _),
             .invalidTimestamp(let f, _, _), .tooLong(let f, _, _), .invalid(let f, _, _):
            return f
        case .unknownCategory: return "category"
        case .resolvedBeforeReported: return "resolved_at"
        }
    }

    public var description: String {
        switch self {
        case .missing(let field):
            return "\(field): required field is missing"
        case .notFinite(let field, let value):
            return "\(field): \(value) is not a finite number"
        case .outOfRange(let field, let value, let range):
            return "\(field): \(value) is outside \(range)"
        case .unknownCategory(let code):
            return "category: unknown category '\(code)'"
        case .unknownValue(let field, let value, let allowed):
            return "\(field): '\(value)' is not one of \(allowed.joined(separator: ", "))"
        case .invalidTimestamp(let field, let value, let reason):
            return "\(field): '\(value)' is not a valid timestamp (\(reason))"
        case .resolvedBeforeReported(let reported, let resolved):
            return "resolved_at: \(resolved) is before reported_at \(reported)"
        case .tooLong(let field, let length, let limit):
            return "\(field): \(length) characters exceed the limit of \(limit)"
        case .invalid(let field, let value, let reason):
            return "\(field): '\(value)' is invalid: \(reason)"
        }
    }
}
