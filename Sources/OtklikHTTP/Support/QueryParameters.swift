import struct Foundation.CharacterSet
import Hummingbird
import OtklikCore
import OtklikServices

/// The query string, decoded strictly: bad percent-escapes and invalid UTF-8 are refused (400) rather than
/// passed on as mojibake, unknown names are refused, and a repeated name is refused because "which one wins"
/// is a silent guess.
struct QueryParameters: Sendable {
    private(set) var values: [String: String] = [:]
    private(set) var order: [String] = []

    init(rawQuery: String?) throws(Problem) {
        guard let raw = rawQuery, !raw.isEmpty else { return }
        for pair in raw.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let eq = pair.firstIndex(of: UInt8(ascii: "="))
            let keyBytes = eq.map { pair[pair.startIndex..<$0] } ?? pair[...]
            let valueBytes = eq.map { pair[pair.index(after: $0)...] } ?? pair[pair.endIndex...]
            let key = try Self.decode(keyBytes, what: "parameter name")
            let value = try Self.decode(valueBytes, what: "value of '\(key)'")
            guard values[key] == nil else { throw .badParameter("\(key): given more than once") }
            values[key] = value
            order.append(key)
        }
    }

    init(request: Request) throws(Problem) {
        try self.init(rawQuery: request.uri.query)
    }

    private static func decode(_ bytes: Substring.UTF8View.SubSequence, what: String) throws(Problem) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let c = bytes[i]
            if c == UInt8(ascii: "%") {
                let h = bytes.index(after: i)
                guard h < bytes.endIndex, bytes.index(after: h) < bytes.endIndex,
                      let hi = hexValue(bytes[h]), let lo = hexValue(bytes[bytes.index(after: h)]) else {
                    throw .badParameter("\(what): malformed percent-escape")
                }
                out.append(hi << 4 | lo)
                i = bytes.index(h, offsetBy: 2)
            } else {
                out.append(c == UInt8(ascii: "+") ? 0x20 : c)
                i = bytes.index(after: i)
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else {
            throw .badParameter("\(what): not valid UTF-8 after percent-decoding")
        }
        guard !s.unicodeScalars.contains(where: { $0.value == 0 }) else {
            throw .badParameter("\(what): contains a NUL character")
        }
        return s
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    subscript(_ name: String) -> String? { values[name] }

    /// Refuses any parameter not in `allowed`, naming the ones that are.
    func onlyAllow(_ allowed: [String]) throws(Problem) {
        for k in order where !allowed.contains(k) {
            throw .badParameter("unknown parameter '\(k)'; allowed: \(allowed.isEmpty ? "none" : allowed.joined(separator: ", "))")
        }
    }

    func int(_ name: String, default def: Int, range: ClosedRange<Int>, clampAbove: Bool = false) throws(Problem) -> Int {
        guard let text = values[name] else { return def }
        guard let v = Int(text) else {
            // Digits only but too long for Int is still a number the client meant; clamp when allowed.
            if clampAbove, !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) { return range.upperBound }
            throw .badParameter("\(name): '\(Self.shorten(text))' is not an integer")
        }
        if v > range.upperBound, clampAbove { return range.upperBound }
        guard range.contains(v) else {
            throw .badParameter("\(name): \(v) is outside [\(range.lowerBound), \(range.upperBound)]")
        }
        return v
    }

    func double(_ name: String, required: Bool = false, default def: Double? = nil,
                range: ClosedRange<Double>) throws(Problem) -> Double? {
        guard let text = values[name] else {
            if required { throw .badParameter("\(name): required parameter is missing") }
            return def
        }
        guard let v = Double(text), v.isFinite else {
            throw .badParameter("\(name): '\(Self.shorten(text))' is not a finite number")
        }
        guard range.contains(v) else {
            throw .badParameter("\(name): \(v) is outside [\(range.lowerBound), \(range.upperBound)]")
        }
        return v
    }

    func bbox(_ name: String = "bbox") throws(Problem) -> BBox? {
        guard let text = values[name] else { return nil }
        do { return try BBox.parse(text, field: name) } catch { throw .badParameter(error.description) }
    }

    func datetime(_ name: String = "datetime") throws(Problem) -> TimeWindow? {
        guard let text = values[name] else { return nil }
        do { return try TimeWindow.parseOGC(text, field: name) } catch { throw .badParameter(error.description) }
    }

    /// A single instant (`since`/`until` in reports), date alone meaning UTC midnight.
    func instant(_ name: String) throws(Problem) -> Date? {
        guard let text = values[name] else { return nil }
        do { return try Timestamp.parse(text, field: name, assumeUTC: true) } catch { throw .badParameter(error.description) }
    }

    func oneOf(_ name: String, _ allowed: [String], default def: String) throws(Problem) -> String {
        guard let text = values[name] else { return def }
        guard allowed.contains(text) else {
            throw .badParameter("\(name): '\(Self.shorten(text))' is not one of \(allowed.joined(separator: ", "))")
        }
        return text
    }

    static func shorten(_ s: String) -> String { s.count > 60 ? String(s.prefix(60)) + "…" : s }
}

import struct Foundation.Date

extension QueryParameters {
    /// "?a=1&b=2" of the pairs that have a value, each value percent-encoded (only RFC 3986's unreserved
    /// characters and ':' stay as they are); "" when none has one. For the links the reports write.
    static func queryString(_ pairs: [(String, String?)]) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:")
        let parts = pairs.compactMap { k, v in
            v.map { "\(k)=\($0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0)" }
        }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }
}
