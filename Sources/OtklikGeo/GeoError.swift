/// A PROJ failure, with PROJ's own message.
public struct GeoError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var message: String
    public var description: String { "\(operation): \(message)" }
}
