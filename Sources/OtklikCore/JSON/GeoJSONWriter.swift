
/// GeoJSON writing for our types, byte by byte, so that pages of thousands of features stream without an
/// intermediate object tree.
extension JSONWriter {
    @inlinable public mutating func point(_ p: GeoPoint) {
        raw("[")
        number(p.lon)
        raw(",")
        number(p.lat)
        raw("]")
    }

    @inlinable public mutating func geometry(_ g: Geometry) {
        switch g {
        case .point(let p):
            raw("{\"type\":\"Point\",\"coordinates\":")
            point(p)
            raw("}")
        case .polygon(let rings):
            raw("{\"type\":\"Polygon\",\"coordinates\":")
            polygon(rings)
            raw("}")
        case .multiPolygon(let polys):
            raw("{\"type\":\"MultiPolygon\",\"coordinates\":[")
            for (i, p) in polys.enumerated() {
                if i > 0 { raw(",") }
                polygon(p)
            }
            raw("]}")
        }
    }

    @inlinable mutating func polygon(_ rings: [[GeoPoint]]) {
        raw("[")
        for (i, ring) in rings.enumerated() {
            if i > 0 { raw(",") }
            raw("[")
            for (j, p) in ring.enumerated() {
                if j > 0 { raw(",") }
                point(p)
            }
            raw("]")
        }
        raw("]")
    }

    /// An incident as a public feature. The reporter's contact is written only when `withContact` is set,
    /// which only the authenticated incident API does.
    @inlinable public mutating func incident(_ inc: Incident, taxonomy: Taxonomy, withContact: Bool = false, extra: [(String, JSONValue)] = []) {
        raw("{\"type\":\"Feature\",\"id\":")
        int(Int(inc.id ?? 0))
        raw(",\"geometry\":")
        geometry(.point(inc.location))
        raw(",\"properties\":{\"id\":")
        int(Int(inc.id ?? 0))
        raw(",\"source\":")
        string(inc.source.rawValue)
        raw(",\"external_id\":")
        string(inc.externalID)
        raw(",\"category\":")
        string(inc.category)
        raw(",\"category_name\":")
        optionalString(taxonomy[inc.category]?.nameRu)
        raw(",\"status\":")
        string(inc.status.rawValue)
        raw(",\"reported_at\":")
        string(Timestamp.format(inc.reportedAt))
        raw(",\"resolved_at\":")
        optionalString(inc.resolvedAt.map(Timestamp.format))
        raw(",\"description\":")
        string(inc.description)
        raw(",\"address\":")
        string(inc.address)
        raw(",\"district\":")
        optionalString(inc.district)
        raw(",\"settlement\":")
        optionalString(inc.settlement)
        raw(",\"agency\":")
        string(inc.agency)
        raw(",\"approximate_location\":")
        raw(inc.approximateLocation ? "true" : "false")
        if withContact {
            raw(",\"reporter\":")
            if let r = inc.reporter {
                value(["name": .optional(r.name), "phone": .optional(r.phone), "email": .optional(r.email)])
            } else {
                raw("null")
            }
            raw(",\"attributes\":")
            value(.object(inc.attributes.sorted(by: { $0.key < $1.key }).map { ($0.key, .string($0.value)) }))
        }
        for (k, v) in extra {
            raw(",")
            key(k)
            value(v)
        }
        raw("}}")
    }

    /// Row `i` of a text page as a public feature: the same bytes as `incident(_:taxonomy:)` writes for that
    /// incident, copied from the page instead of built from an `Incident`.
    @inlinable public mutating func incident(_ page: IncidentTextPage, row i: Int, names: CategoryNames) {
        withCursor(bound: JSONCursor.incidentBound(page, row: i, names: names)) { $0.incident(page, row: i, names: names) }
    }
}

extension JSONCursor {
    /// The most `incident(_:row:names:)` writes for row `i`.
    @inlinable public static func incidentBound(_ page: IncidentTextPage, row i: Int, names: CategoryNames) -> Int {
        var text = 0
        for f in IncidentTextPage.Field.allCases { text += page.range(i, f)?.count ?? 0 }
        // Member names and punctuation take under 300 bytes; two ids and two coordinates are numbers.
        return 512 + 4 * numberBound + stringBound(text) + names.longest
    }

    /// One incident feature of a page, the same bytes as `JSONWriter.incident(_:taxonomy:)` writes for it.
    @inlinable public mutating func incident(_ page: IncidentTextPage, row i: Int, names: CategoryNames) {
        let r = page.rows[i]
        page.bytes.withUnsafeBufferPointer { all in
            func text(_ f: IncidentTextPage.Field) {
                guard let range = page.range(i, f) else { raw("null"); return }
                string(UnsafeBufferPointer(rebasing: all[range]))
            }
            raw("{\"type\":\"Feature\",\"id\":")
            int(Int(r.id))
            raw(",\"geometry\":{\"type\":\"Point\",\"coordinates\":[")
            number(r.lon)
            byte(0x2C)
            number(r.lat)
            raw("]},\"properties\":{\"id\":")
            int(Int(r.id))
            raw(",\"source\":")
            text(.source)
            raw(",\"external_id\":")
            text(.externalID)
            raw(",\"category\":")
            text(.category)
            raw(",\"category_name\":")
            if let range = page.range(i, .category), let name = names.name(UnsafeBufferPointer(rebasing: all[range])) {
                name.withUnsafeBufferPointer { bytes($0) }
            } else {
                raw("null")
            }
            raw(",\"status\":")
            text(.status)
            raw(",\"reported_at\":")
            text(.reportedAt)
            raw(",\"resolved_at\":")
            text(.resolvedAt)
            raw(",\"description\":")
            text(.description)
            raw(",\"address\":")
            text(.address)
            raw(",\"district\":")
            text(.district)
            raw(",\"settlement\":")
            text(.settlement)
            raw(",\"agency\":")
            text(.agency)
            raw(",\"approximate_location\":")
            if r.approximate { raw("true") } else { raw("false") }
            raw("}}")
        }
    }
}

/// Category codes with their Russian names already written as JSON strings, looked up by the code's bytes.
public struct CategoryNames: Sendable {
    @usableFromInline let entries: [(code: [UInt8], json: [UInt8])]
    /// The longest name, as written.
    public let longest: Int

    @inlinable public init(_ taxonomy: Taxonomy) {
        entries = taxonomy.codes.compactMap { code in
            guard let name = taxonomy[code]?.nameRu else { return nil }
            var w = JSONWriter()
            w.string(name)
            return (Array(code.utf8), w.bytes)
        }
        longest = entries.map(\.json.count).max() ?? 0
    }

    @inlinable public func name(_ code: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        entries.first { $0.code.elementsEqual(code) }?.json
    }
}
