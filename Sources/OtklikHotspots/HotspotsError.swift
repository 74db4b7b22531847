/// Why an analysis refused its input. Each case names the offending value so a CLI or HTTP layer can show it as is.
public enum HotspotsError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidParameter(name: String, value: Double, reason: String)
    case lengthMismatch(what: String, expected: Int, got: Int)
    case nonFiniteCoordinate(index: Int, x: Double, y: Double)
    case unknownCategory(code: String, pointID: Int64)

    public var description: String {
        switch self {
        case .invalidParameter(let name, let value, let reason):
            return "\(name): \(value) is invalid: \(reason)"
        case .lengthMismatch(let what, let expected, let got):
            return "\(what): expected \(expected) values, got \(got)"
        case .nonFiniteCoordinate(let index, let x, let y):
            return "point #\(index): coordinates (\(x), \(y)) are not finite"
        case .unknownCategory(let code, let id):
            return "incident \(id): category '\(code)' is not in the taxonomy"
        }
    }
}
