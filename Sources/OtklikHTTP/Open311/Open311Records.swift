import Foundation
import OtklikCore
import OtklikServices

/// The GeoReport v2 shapes of our domain values. Element names and their order are the spec's.
enum Open311Records {
    // MARK: services

    static func service(_ c: Category, routing: AgencyRouting) -> Open311Node {
        .object([
            ("service_code", .string(c.code)),
            ("service_name", .string(c.nameRu)),
            ("description", .string(serviceDescription(c))),
            ("metadata", .bool(!c.attributes.isEmpty)),
            ("type", .string("realtime")),
            ("keywords", .string(c.keywords.joined(separator: ", "))),
            ("group", .string(c.agency)),
            // Not in the spec: where a district answers instead of the category's agency. Clients that do
            // not know the element skip it (FixMyStreet reads the elements it knows by name).
            ("agency_overrides", overrides(routing.overrides(for: c.code))),
        ])
    }

    static func serviceDescription(_ c: Category) -> String {
        "\(c.nameRu) (\(c.nameEn)). Ответственный: \(c.agency). Срок рассмотрения: \(c.deadlineDays) дн."
    }

    static func overrides(_ list: [AgencyRouting.Override]) -> Open311Node {
        .list(item: "agency_override", list.map { o in
            .object([("district", .string(o.district)), ("agency", .string(o.agency))])
        })
    }

    static func definition(_ c: Category, routing: AgencyRouting) -> Open311Node {
        .object([
            ("service_code", .string(c.code)),
            ("attributes", .list(item: "attribute", c.attributes.enumerated().map { i, a in
                .object([
                    ("variable", .bool(true)),
                    ("code", .string(a.code)),
                    ("datatype", .string(a.datatype)),
                    ("required", .bool(a.required)),
                    ("datatype_description", .string(datatypeDescription(a))),
                    ("order", .number(Double(i + 1))),
                    ("description", .string(a.description)),
                    ("values", .list(item: "value", a.values.map { v in
                        .object([("key", .string(v.key)), ("name", .string(v.name))])
                    })),
                ])
            })),
            ("agency_overrides", overrides(routing.overrides(for: c.code))),
        ])
    }

    static func datatypeDescription(_ a: CategoryAttribute) -> String {
        switch a.datatype {
        case "singlevaluelist": return "Одно значение из списка"
        case "multivaluelist": return "Несколько значений из списка через запятую"
        default: return ""
        }
    }

    // MARK: requests

    /// What GET requests shows for one incident. `events` are its status events in time order.
    static func request(_ inc: Incident, events: [StatusEvent], taxonomy: Taxonomy, routing: AgencyRouting) -> Open311Node {
        let cat = taxonomy[inc.category]
        let lastEvent = events.last
        let updated = max(lastEvent?.at ?? inc.reportedAt, inc.reportedAt)
        return .object([
            ("service_request_id", .string(String(inc.id ?? 0))),
            ("status", .string(inc.status.isOpen ? "open" : "closed")),
            ("status_notes", .string(lastEvent?.note ?? "")),
            ("service_name", .string(cat?.nameRu ?? inc.category)),
            ("service_code", .string(inc.category)),
            ("description", .string(inc.description)),
            ("agency_responsible", .string(routing.agency(category: inc.category, district: inc.district))),
            ("service_notice", .string(notice(for: inc))),
            ("requested_datetime", .string(Timestamp.format(inc.reportedAt))),
            ("updated_datetime", .string(Timestamp.format(updated))),
            ("expected_datetime", .optional(inc.deadline(in: taxonomy).map(Timestamp.format))),
            ("address", .string(inc.address)),
            ("address_id", .null),
            ("zipcode", .null),
            ("lat", .number(inc.location.lat)),
            ("long", .number(inc.location.lon)),
            ("media_url", .optional(inc.attributes[Open311Keys.mediaURL])),
        ])
    }

    /// The notices recorded at intake, repeated on every read so that an operator sees them later too.
    static func notice(for inc: Incident) -> String {
        var parts: [String] = []
        if inc.approximateLocation {
            parts.append("Место указано приблизительно: по адресу определён населённый пункт \(inc.settlement ?? inc.address).")
        }
        if let d = inc.attributes[Open311Keys.duplicateOf] {
            parts.append("Возможный повтор обращения \(d): рядом уже есть открытое обращение той же категории.")
        }
        if inc.attributes[Open311Keys.repeatAfterFix] == "true" {
            let of = inc.attributes[Open311Keys.repeatOf].map { " (обращение \($0))" } ?? ""
            parts.append("Повтор после устранения: здесь недавно решали ту же проблему\(of).")
        }
        return parts.joined(separator: " ")
    }
}

/// Incident attribute keys that the Open311 intake writes itself; a client may not send them as attributes.
enum Open311Keys {
    static let mediaURL = "media_url"
    static let duplicateOf = "duplicate_of"
    static let repeatAfterFix = "repeat_after_fix"
    static let repeatOf = "repeat_of"
    static let accountID = "open311_account_id"
    static let deviceID = "open311_device_id"
    static let reserved: Set<String> = [mediaURL, duplicateOf, repeatAfterFix, repeatOf, accountID, deviceID]
}
