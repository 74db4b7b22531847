import Foundation
import Hummingbird

/// An `application/x-www-form-urlencoded` body, decoded with the same strict rules as a query string:
/// raw bytes must be UTF-8, escapes must be well formed, a name may appear once. A broken body is refused
/// whole rather than half-read, so nothing is stored from it.
struct Open311Form: Sendable {
    private(set) var fields: [String: String] = [:]
    /// `attribute[code]` fields, by code, in the order sent.
    private(set) var attributes: [(code: String, value: String)] = []
    private(set) var names: [String] = []

    init(body bytes: [UInt8]) throws(Open311Error) {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .badRequest("the request body is not valid UTF-8")
        }
        let params: QueryParameters
        do { params = try QueryParameters(rawQuery: text) } catch {
            throw .badRequest("the form body is not valid application/x-www-form-urlencoded: \(error.detail)")
        }
        try self.init(params)
    }

    init(_ params: QueryParameters) throws(Open311Error) {
        for name in params.order {
            let value = params[name] ?? ""
            names.append(name)
            if name.hasPrefix("attribute[") {
                guard name.hasSuffix("]"), name.count > "attribute[]".count else {
                    throw .badRequest("\(QueryParameters.shorten(name)): expected attribute[code]")
                }
                let code = String(name.dropFirst("attribute[".count).dropLast())
                guard code.count <= 64, code.unicodeScalars.allSatisfy(Self.codeScalar) else {
                    throw .badRequest("attribute code '\(QueryParameters.shorten(code))' must be 1–64 letters, digits, '_', '-' or '.'")
                }
                attributes.append((code, value))
            } else {
                fields[name] = value
            }
        }
    }

    private static func codeScalar(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x5F, 0x2D, 0x2E: return true
        default: return false
        }
    }

    /// A field's value with surrounding spaces trimmed; nil when absent or blank, because HTML forms and
    /// form libraries send empty fields for "not given".
    subscript(_ name: String) -> String? {
        guard let v = fields[name] else { return nil }
        let t = v.trimmingCharacters(in: .whitespacesAndNewlines)
        return t.isEmpty ? nil : t
    }

    /// The untrimmed value (descriptions keep their own line breaks and indentation).
    func raw(_ name: String) -> String? { fields[name] }
}
