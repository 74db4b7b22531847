import Foundation
import Hummingbird
import OtklikCore
import OtklikServices

/// POST requests: one service request from a form body, checked in full before anything is written.
///
/// Order of the checks follows the spec's errors: a broken body (400), then the api_key (403), the
/// jurisdiction (404), the service_code (400 missing, 404 unknown), the location (400), the attributes and
/// the rest (400). Only then is the incident stored, with duplicate and repeat-after-fix hints.
struct Open311Intake: Sendable {
    let services: AppServices
    let routing: AgencyRouting
    let settings: Open311Settings

    static let fields: Set<String> = [
        "api_key", "jurisdiction_id", "service_code", "lat", "long", "address_string", "address_id", "email",
        "device_id", "account_id", "first_name", "last_name", "phone", "description", "media_url",
    ]

    func post(_ request: Request, format: Open311Format) async throws -> Response {
        let form = try await Self.readForm(request, limit: settings.maxBodyBytes)
        guard let key = form["api_key"] else { throw Open311Error.forbidden("API key was not provided or is invalid: the form has no api_key") }
        let principal = try await Self.authenticate(key, services: services)
        try Open311Routes(services: services, routing: routing, settings: settings).checkJurisdiction(form["jurisdiction_id"])
        if let unknown = form.fields.keys.sorted().first(where: { !Self.fields.contains($0) }) {
            throw Open311Error.badRequest("unknown field '\(QueryParameters.shorten(unknown))'; accepted: \(Self.fields.sorted().joined(separator: ", ")), attribute[code]")
        }
        let now = Date()
        var (incident, category) = try await build(form, now: now)
        if !incident.approximateLocation {
            try await hint(&incident, category: category, now: now)
        }
        let outcome = try await services.store.insert([incident], actor: "open311:\(principal.name)")
        guard let id = outcome.first?.id else { throw Open311Error(.internalServerError, "the request was not stored") }
        let stored = try await services.store.incident(id: id) ?? incident
        let agency = routing.agency(category: category.code, district: stored.district)
        var notice = "Обращение \(id) принято. Ответственный: \(agency). Ожидаемый срок: \(Timestamp.formatDay(stored.deadline(in: services.taxonomy) ?? now))."
        let extra = Open311Records.notice(for: stored)
        if !extra.isEmpty { notice += " " + extra }
        // The client's own account_id comes back; the key's name never does (it says whose key this is).
        let doc = Open311Document(root: "service_requests", body: .list(item: "request", [
            .object([
                ("service_request_id", .string(String(id))),
                ("service_notice", .string(notice)),
                ("account_id", .optional(form["account_id"])),
            ]),
        ]))
        return Respond.bytes(doc.encoded(format), status: .ok, contentType: format.contentType)
    }

    /// The api_key's principal, in the spec's terms: an unknown key is a 403, a key past its rate a 429 with
    /// `Retry-After`. Every scope may file requests.
    static func authenticate(_ key: String, services: AppServices) async throws(Open311Error) -> APIPrincipal {
        do throws(Problem) {
            return try await services.authenticate(key: key)
        } catch {
            guard error.status == .tooManyRequests else {
                throw Open311Error.forbidden("API key was not provided or is invalid: this api_key is not known")
            }
            throw Open311Error(.tooManyRequests, error.detail, headers: error.headers)
        }
    }

    static func readForm(_ request: Request, limit: Int) async throws -> Open311Form {
        if let type = request.headers[.contentType] {
            let media = type.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            guard media == "application/x-www-form-urlencoded" else {
                throw Open311Error.badRequest("the body must be application/x-www-form-urlencoded, not \(QueryParameters.shorten(type))")
            }
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw Open311Error(.contentTooLarge, "the request body exceeds \(limit) bytes")
        }
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: limit) } catch {
            throw Open311Error(.contentTooLarge, "the request body exceeds \(limit) bytes")
        }
        let query = request.uri.query ?? ""
        guard query.isEmpty else {
            // Parameters split between the URL and the body would make "which one wins" a guess.
            throw Open311Error.badRequest("POST parameters belong in the form body, not in the URL")
        }
        return try Open311Form(body: Array(buffer.readableBytesView))
    }

    // MARK: building the incident

    private func build(_ form: Open311Form, now: Date) async throws -> (Incident, OtklikCore.Category) {
        guard let code = form["service_code"] else { throw Open311Error.badRequest("service_code was not provided") }
        guard let category = services.taxonomy[code] else {
            throw Open311Error.notFound("service_code provided was not found: '\(QueryParameters.shorten(code))'")
        }
        let address = form["address_string"]
        if let a = address, a.count > settings.maxAddressLength {
            throw Open311Error.badRequest("address_string: \(a.count) characters exceed the limit of \(settings.maxAddressLength)")
        }
        // Location: lat+long, else a settlement named in address_string.
        var lon: Double?, lat: Double?
        var place: Open311Gazetteer.Place?
        switch (form["lat"], form["long"]) {
        case (let la?, let lo?):
            lat = try Self.coordinate(la, field: "lat", range: -90...90)
            lon = try Self.coordinate(lo, field: "long", range: -180...180)
            // The incident API's refusal (422, "возможно, перепутаны широта и долгота?"), as an Open311 error.
            if let region = try await services.store.places.regionCheck(),
               let outside = region.refusal(of: GeoPoint(lon: lon!, lat: lat!), path: "lat/long") {
                throw Open311Error(.unprocessableContent, outside.description)
            }
        case (nil, nil):
            guard let address else {
                if form["address_id"] != nil {
                    throw Open311Error.badRequest("address_id is not supported here; send lat and long, or an address_string naming a settlement")
                }
                throw Open311Error.badRequest("lat/long or address_string was not provided")
            }
            let gazetteer = Open311Gazetteer(settlements: try await services.store.areas(level: .settlement))
            switch gazetteer.match(address) {
            case .found(let p):
                place = p
                lat = p.point.lat
                lon = p.point.lon
            case .none:
                throw Open311Error.badRequest("address_string '\(QueryParameters.shorten(address))' names no known settlement; send lat and long")
            case .ambiguous(let list):
                let where_ = list.prefix(5).map { "\($0.name) (\($0.district ?? "?"))" }.joined(separator: ", ")
                throw Open311Error.badRequest("address_string '\(QueryParameters.shorten(address))' fits \(list.count) settlements: \(where_); name the district or send lat and long")
            }
        default:
            throw Open311Error.badRequest("lat and long must be given together")
        }

        var attributes = try Self.attributes(form, category: category, settings: settings)
        if let media = form["media_url"] { attributes[Open311Keys.mediaURL] = try Self.mediaURL(media) }
        if let a = form["account_id"] { attributes[Open311Keys.accountID] = try Self.short(a, field: "account_id", limit: 200) }
        if let d = form["device_id"] { attributes[Open311Keys.deviceID] = try Self.short(d, field: "device_id", limit: 200) }

        let name = [form["first_name"], form["last_name"]].compactMap { $0 }.joined(separator: " ")
        let contact = ReporterContact(
            name: name.isEmpty ? nil : try Self.short(name, field: "first_name/last_name", limit: 200),
            phone: try form["phone"].map { p throws(Open311Error) in try Self.short(p, field: "phone", limit: 40) },
            email: try form["email"].map { e throws(Open311Error) in try Self.email(e) })

        let input = IncidentInput(source: IncidentSource.open311.rawValue, category: code, lon: lon, lat: lat,
                                  reportedAt: Timestamp.format(now), description: form.raw("description"),
                                  address: address, reporter: contact, attributes: attributes)
        var incident = try input.validate(taxonomy: services.taxonomy,
                                          rules: .init(defaultSource: .open311, generateMissingExternalID: true,
                                                       maxDescriptionLength: 4000, now: now))
        // The store derives the agency (and the district overrides) from where the incident lies.
        incident.agency = ""
        if let place {
            incident.approximateLocation = true
            incident.settlement = place.name
            incident.district = place.district
        }
        return (incident, category)
    }

    static func coordinate(_ text: String, field: String, range: ClosedRange<Double>) throws(Open311Error) -> Double {
        guard let v = Double(text), v.isFinite else {
            throw .badRequest("\(field): '\(QueryParameters.shorten(text))' is not a finite number")
        }
        guard range.contains(v) else { throw .badRequest("\(field): \(v) is outside [\(range.lowerBound), \(range.upperBound)]") }
        return v
    }

    static func short(_ text: String, field: String, limit: Int) throws(Open311Error) -> String {
        guard text.count <= limit else { throw .badRequest("\(field): \(text.count) characters exceed the limit of \(limit)") }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .badRequest("\(field): contains control characters")
        }
        return text
    }

    static func email(_ text: String) throws(Open311Error) -> String {
        let e = try short(text, field: "email", limit: 254)
        let parts = e.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !e.contains(" ") else {
            throw .badRequest("email: '\(QueryParameters.shorten(e))' is not an e-mail address")
        }
        return e
    }

    static func mediaURL(_ text: String) throws(Open311Error) -> String {
        let u = try short(text, field: "media_url", limit: 2048)
        guard let url = URL(string: u), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host?.isEmpty == false else {
            throw .badRequest("media_url: '\(QueryParameters.shorten(u))' is not an http(s) URL")
        }
        return u
    }

    /// The category's attributes are checked against its definition (required ones present, list values
    /// among the keys). Other codes are kept as they are: FixMyStreet sends its own (title, report_url…).
    static func attributes(_ form: Open311Form, category: OtklikCore.Category, settings: Open311Settings) throws(Open311Error) -> [String: String] {
        guard form.attributes.count <= settings.maxAttributes else {
            throw .badRequest("\(form.attributes.count) attributes exceed the limit of \(settings.maxAttributes)")
        }
        var out: [String: String] = [:]
        for (code, raw) in form.attributes {
            let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !Open311Keys.reserved.contains(code) else {
                throw .badRequest("attribute[\(code)] is reserved; send media_url as its own field")
            }
            guard value.count <= settings.maxAttributeLength else {
                throw .badRequest("attribute[\(code)]: \(value.count) characters exceed the limit of \(settings.maxAttributeLength)")
            }
            guard !value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" && $0 != "\r" }) else {
                throw .badRequest("attribute[\(code)]: contains control characters")
            }
            if value.isEmpty { continue }
            if let def = category.attributes.first(where: { $0.code == code }) {
                let keys = def.values.map(\.key)
                switch def.datatype {
                case "singlevaluelist":
                    guard keys.contains(value) else {
                        throw .badRequest("attribute[\(code)]: '\(QueryParameters.shorten(value))' is not one of \(keys.joined(separator: ", "))")
                    }
                case "multivaluelist":
                    for v in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !keys.contains(v) {
                        throw .badRequest("attribute[\(code)]: '\(QueryParameters.shorten(v))' is not one of \(keys.joined(separator: ", "))")
                    }
                case "number":
                    guard let d = Double(value), d.isFinite else { throw .badRequest("attribute[\(code)]: '\(QueryParameters.shorten(value))' is not a number") }
                default: break
                }
            }
            out[code] = value
        }
        for def in category.attributes where def.required && out[def.code] == nil {
            throw .badRequest("required attribute \(def.code) (\(def.description)) was not provided")
        }
        return out
    }

    // MARK: hints

    /// Marks a likely duplicate (an open complaint of the same category within the category radius, reported
    /// in the last 30 days) and a repeat after a fix (one resolved within the last 90 days). The request is
    /// stored either way: repeats are signal for the hotspot engine, not noise to drop.
    private func hint(_ incident: inout Incident, category: OtklikCore.Category, now: Date) async throws {
        let near = try await services.store.nearby(incident.location, radius: category.radiusMeters,
                                                   query: IncidentQuery(categories: [category.code]))
        let dupSince = now.addingTimeInterval(-settings.duplicateWindowDays * 86_400)
        let fixSince = now.addingTimeInterval(-settings.repeatWindowDays * 86_400)
        if let (dup, _) = near.first(where: { $0.0.status.isOpen && $0.0.reportedAt >= dupSince }), let id = dup.id {
            incident.attributes[Open311Keys.duplicateOf] = String(id)
        }
        if let (fixed, _) = near.first(where: { $0.0.status == .resolved && ($0.0.resolvedAt ?? .distantPast) >= fixSince }),
           let id = fixed.id {
            incident.attributes[Open311Keys.repeatAfterFix] = "true"
            incident.attributes[Open311Keys.repeatOf] = String(id)
        }
    }
}
