public import Foundation

/// One entry of the taxonomy (`data/categories.json`).
public struct Category: Sendable, Hashable, Codable {
    public var code: String
    public var nameRu: String
    public var nameEn: String
    /// The agency responsible by default (a district may override it, see `AgencyRouting`).
    public var agency: String
    /// DBSCAN neighbourhood radius for this kind of problem, in metres.
    public var radiusMeters: Double
    /// Days from report to the deadline; open past it means overdue.
    public var deadlineDays: Int
    /// 1 (cosmetic) … 5 (danger to life); weighs the hotspot priority.
    public var severity: Int
    public var keywords: [String]
    /// Extra fields a reporter can fill in (Open311 service attributes).
    public var attributes: [CategoryAttribute]

    enum CodingKeys: String, CodingKey {
        case code, agency, severity, keywords, attributes
        case nameRu = "name_ru", nameEn = "name_en"
        case radiusMeters = "radius_m", deadlineDays = "deadline_days"
    }

    public init(code: String, nameRu: String, nameEn: String, agency: String, radiusMeters: Double,
                deadlineDays: Int, severity: Int = 3, keywords: [String] = [], attributes: [CategoryAttribute] = []) {
        self.code = code
        self.nameRu = nameRu
        self.nameEn = nameEn
        self.agency = agency
        self.radiusMeters = radiusMeters
        self.deadlineDays = deadlineDays
        self.severity = severity
        self.keywords = keywords
        self.attributes = attributes
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decode(String.self, forKey: .code)
        nameRu = try c.decode(String.self, forKey: .nameRu)
        nameEn = try c.decode(String.self, forKey: .nameEn)
        agency = try c.decode(String.self, forKey: .agency)
        radiusMeters = try c.decode(Double.self, forKey: .radiusMeters)
        deadlineDays = try c.decode(Int.self, forKey: .deadlineDays)
        severity = try c.decodeIfPresent(Int.self, forKey: .severity) ?? 3
        keywords = try c.decodeIfPresent([String].self, forKey: .keywords) ?? []
        attributes = try c.decodeIfPresent([CategoryAttribute].self, forKey: .attributes) ?? []
    }
}

public struct CategoryAttribute: Sendable, Hashable, Codable {
    public struct Value: Sendable, Hashable, Codable {
        public var key: String
        public var name: String
    }
    public var code: String
    public var description: String
    public var datatype: String
    public var required: Bool
    public var values: [Value]

    public init(code: String, description: String, datatype: String, required: Bool, values: [Value]) {
        self.code = code
        self.description = description
        self.datatype = datatype
        self.required = required
        self.values = values
    }
}

/// The set of categories, looked up by code.
public struct Taxonomy: Sendable {
    public let categories: [Category]
    private let byCode: [String: Int]

    public init(categories: [Category]) throws(ValidationError) {
        var index: [String: Int] = [:]
        for (i, c) in categories.enumerated() {
            guard index[c.code] == nil else {
                throw .invalid(field: "categories", value: c.code, reason: "duplicate category code")
            }
            guard c.radiusMeters > 0, c.radiusMeters.isFinite else {
                throw .outOfRange(field: "\(c.code).radius_m", value: c.radiusMeters, range: "(0, inf)")
            }
            guard c.deadlineDays > 0 else {
                throw .outOfRange(field: "\(c.code).deadline_days", value: Double(c.deadlineDays), range: "[1, inf)")
            }
            index[c.code] = i
        }
        self.categories = categories
        self.byCode = index
    }

    /// Decodes `{"categories": [...]}` as written in data/categories.json.
    public static func decode(_ data: Data) throws -> Taxonomy {
        struct File: Decodable { var categories: [Category] }
        let file = try JSONDecoder().decode(File.self, from: data)
        return try Taxonomy(categories: file.categories)
    }

    public subscript(code: String) -> Category? {
        byCode[code].map { categories[$0] }
    }

    public func category(_ code: String, field: String = "category") throws(ValidationError) -> Category {
        guard let c = self[code] else { throw .unknownCategory(code) }
        return c
    }

    public var codes: [String] { categories.map(\.code) }
}
