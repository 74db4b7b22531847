/// The life cycle of an incident. Transitions are a small state machine so that a report ("resolved")
/// cannot silently jump back to "new" without an explicit reopening step recorded as an event.
public enum IncidentStatus: String, Sendable, Codable, CaseIterable, Hashable {
    case new
    case inProgress = "in_progress"
    case resolved
    case rejected

    public var isOpen: Bool { self == .new || self == .inProgress }

    /// Allowed moves. Reopening (resolved/rejected → in_progress) is legal: a "fixed" place that is not
    /// fixed must be able to go back to work, and the event log keeps the history.
    public func canTransition(to next: IncidentStatus) -> Bool {
        switch (self, next) {
        case (.new, .inProgress), (.new, .resolved), (.new, .rejected): return true
        case (.inProgress, .resolved), (.inProgress, .rejected): return true
        case (.resolved, .inProgress), (.rejected, .inProgress): return true
        default: return false
        }
    }

    public static func parse(_ text: String, field: String = "status") throws(ValidationError) -> IncidentStatus {
        guard let s = IncidentStatus(rawValue: text) else {
            throw .unknownValue(field: field, value: text, allowed: allCases.map(\.rawValue))
        }
        return s
    }
}

public enum IncidentSource: String, Sendable, Codable, CaseIterable, Hashable {
    case portal, hotline, social, inspector, open311, `import`

    public static func parse(_ text: String, field: String = "source") throws(ValidationError) -> IncidentSource {
        guard let s = IncidentSource(rawValue: text) else {
            throw .unknownValue(field: field, value: text, allowed: allCases.map(\.rawValue))
        }
        return s
    }
}
