import OtklikCore

/// One Open311 answer, written as JSON or XML from the same tree so that the two formats cannot drift.
///
/// GeoReport v2 maps a list to a JSON array and to an XML element whose children all share one name
/// (`<services><service>…`), so a list node carries its item element name. JSON never sees that name.
indirect enum Open311Node: Sendable {
    case string(String)
    case number(Double)
    case bool(Bool)
    /// JSON null; an empty element in XML.
    case null
    case object([(String, Open311Node)])
    case list(item: String, [Open311Node])

    static func optional(_ s: String?) -> Open311Node { s.map { .string($0) } ?? .null }
}

enum Open311Format: String, Sendable {
    case json, xml

    var contentType: String {
        switch self {
        case .json: return "application/json; charset=utf-8"
        case .xml: return "text/xml; charset=utf-8"
        }
    }

    /// Splits `services.json` into (`services`, .json); nil when the suffix is neither format.
    static func split(_ resource: String) -> (name: String, format: Open311Format)? {
        guard let dot = resource.lastIndex(of: ".") else { return nil }
        guard let f = Open311Format(rawValue: String(resource[resource.index(after: dot)...])) else { return nil }
        return (String(resource[..<dot]), f)
    }

    /// The format a path asks for, XML when it does not say (the spec's required format).
    static func guess(path: String) -> Open311Format { path.hasSuffix(".json") ? .json : .xml }
}

struct Open311Document: Sendable {
    /// The XML root element (`services`, `service_requests`, `errors`, `discovery`, `service_definition`).
    var root: String
    var body: Open311Node

    func encoded(_ format: Open311Format) -> [UInt8] {
        switch format {
        case .json:
            var w = JSONWriter(capacity: 1024)
            Self.json(body, into: &w)
            return w.bytes
        case .xml:
            var out: [UInt8] = []
            out.reserveCapacity(1024)
            out.append(contentsOf: Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".utf8))
            Self.xml(element: root, body, into: &out)
            return out
        }
    }

    private static func json(_ node: Open311Node, into w: inout JSONWriter) {
        switch node {
        case .string(let s): w.string(s)
        case .number(let d): w.number(d)
        case .bool(let b): w.raw(b ? "true" : "false")
        case .null: w.raw("null")
        case .object(let members):
            w.raw("{")
            for (i, (k, v)) in members.enumerated() {
                if i > 0 { w.raw(",") }
                w.key(k)
                json(v, into: &w)
            }
            w.raw("}")
        case .list(_, let items):
            w.raw("[")
            for (i, v) in items.enumerated() {
                if i > 0 { w.raw(",") }
                json(v, into: &w)
            }
            w.raw("]")
        }
    }

    private static func xml(element name: String, _ node: Open311Node, into out: inout [UInt8]) {
        out.append(0x3C)
        out.append(contentsOf: name.utf8)
        out.append(0x3E)
        switch node {
        case .string(let s): escape(s, into: &out)
        case .number(let d): out.append(contentsOf: number(d).utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .null: break
        case .object(let members):
            for (k, v) in members { xml(element: k, v, into: &out) }
        case .list(let item, let items):
            for v in items { xml(element: item, v, into: &out) }
        }
        out.append(contentsOf: [0x3C, 0x2F])
        out.append(contentsOf: name.utf8)
        out.append(0x3E)
    }

    /// The same digits JSON prints, so that a client comparing the two formats sees one value.
    static func number(_ d: Double) -> String {
        var w = JSONWriter(capacity: 24)
        w.number(d)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// Markup escaped as everywhere else (`MarkupText`): no stored text can make the document ill-formed, and
    /// carriage returns come back as they were sent.
    static func escape(_ s: String, into out: inout [UInt8]) {
        out.append(contentsOf: MarkupText.escape(s).utf8)
    }
}
