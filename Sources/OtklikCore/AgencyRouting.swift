public import Foundation

/// Which agency answers for a complaint: the category's agency, unless the district has agreed otherwise
/// (a town that runs its own lighting, a district whose waste contract went to another operator).
///
/// The override table lives in `data/agency-overrides.json`; an override names a district and either one
/// category or every category (`"category": "*"` or omitted). The most specific rule wins:
/// district + category, then district + every category, then the category's own agency.
public struct AgencyRouting: Sendable {
    public struct Override: Sendable, Hashable, Codable {
        public var district: String
        /// nil means every category of the district.
        public var category: String?
        public var agency: String

        public init(district: String, category: String?, agency: String) {
            self.district = district
            self.category = category
            self.agency = agency
        }

        public init(from decoder: any Decoder) throws {
            enum Keys: String, CodingKey { case district, category, agency }
            let c = try decoder.container(keyedBy: Keys.self)
            district = try c.decode(String.self, forKey: .district)
            let cat = try c.decodeIfPresent(String.self, forKey: .category)
            category = (cat == nil || cat == "*" || cat == "") ? nil : cat
            agency = try c.decode(String.self, forKey: .agency)
        }

        public func encode(to encoder: any Encoder) throws {
            enum Keys: String, CodingKey { case district, category, agency }
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(district, forKey: .district)
            try c.encode(category ?? "*", forKey: .category)
            try c.encode(agency, forKey: .agency)
        }
    }

    public let overrides: [Override]
    private let defaults: [String: String]
    private let exact: [String: String]
    private let wholeDistrict: [String: String]

    public init(taxonomy: Taxonomy, overrides: [Override]) {
        self.overrides = overrides
        var d: [String: String] = [:]
        for c in taxonomy.categories { d[c.code] = c.agency }
        defaults = d
        var e: [String: String] = [:], w: [String: String] = [:]
        // Later rows win, as in any table read top to bottom; `check` refuses real clashes anyway.
        for o in overrides {
            if let c = o.category { e[Self.key(o.district, c)] = o.agency } else { w[o.district] = o.agency }
        }
        exact = e
        wholeDistrict = w
    }

    private static func key(_ district: String, _ category: String) -> String { district + "\u{1F}" + category }

    /// The responsible agency; "" for a category the taxonomy does not know.
    public func agency(category: String, district: String?) -> String {
        if let district {
            if let a = exact[Self.key(district, category)] { return a }
            if defaults[category] != nil, let a = wholeDistrict[district] { return a }
        }
        return defaults[category] ?? ""
    }

    /// The overrides that can apply to a category (its own, and the whole-district ones).
    public func overrides(for category: String) -> [Override] {
        overrides.filter { $0.category == nil || $0.category == category }
    }

    /// Decodes `{"overrides": [{"district", "category", "agency"}]}`.
    public static func decode(_ data: Data) throws -> [Override] {
        struct File: Decodable { var overrides: [Override] }
        return try JSONDecoder().decode(File.self, from: data).overrides
    }

    /// Refuses rows that can only be mistakes: an unknown category, an empty agency or district, a district
    /// outside `districts` (when given), and the same district and category listed twice.
    public static func check(_ overrides: [Override], taxonomy: Taxonomy, districts: Set<String>? = nil) throws(ValidationError) {
        var seen: Set<String> = []
        for (i, o) in overrides.enumerated() {
            let field = "overrides[\(i)]"
            guard !o.district.trimmingCharacters(in: .whitespaces).isEmpty else { throw .missing(field: field + ".district") }
            guard !o.agency.trimmingCharacters(in: .whitespaces).isEmpty else { throw .missing(field: field + ".agency") }
            if let c = o.category, taxonomy[c] == nil { throw .unknownCategory(c) }
            if let districts, !districts.contains(o.district) {
                throw .invalid(field: field + ".district", value: o.district, reason: "no such district")
            }
            guard seen.insert(key(o.district, o.category ?? "*")).inserted else {
                throw .invalid(field: field, value: o.district + " / " + (o.category ?? "*"), reason: "listed twice")
            }
        }
    }
}
