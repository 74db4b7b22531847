import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Hummingbird
import HummingbirdTesting
import Logging
import OtklikCore
import OtklikStore
@testable import OtklikHTTP
import OtklikServices

/// An Open311 endpoint on a fresh temporary SpatiaLite store holding the repository's districts and
/// settlements, with one operator key. Removed with its files when the test ends.
final class Open311TestApp: @unchecked Sendable {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let operatorKey = "o311-operator-key"

    let dir: URL
    let store: SpatiaLiteStore
    let taxonomy: Taxonomy
    let services: AppServices
    let routing: AgencyRouting

    init() async throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("otklik-o311-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        taxonomy = try Taxonomy.decode(Data(contentsOf: Self.root.appendingPathComponent("data/categories.json")))
        store = try SpatiaLiteStore(path: dir.appendingPathComponent("t.sqlite").path, taxonomy: taxonomy, logger: Logger(label: "test"))
        for (file, level) in [("districts.geojson", AreaLevel.district), ("settlements.geojson", .settlement)] {
            let areas = try Area.fromGeoJSON(Data(contentsOf: Self.root.appendingPathComponent("data/" + file)), level: level)
            _ = try await store.replaceAreas(areas, level: level)
        }
        var keys = APIKeys()
        keys.add(plainKey: Self.operatorKey, role: .operator_, name: "fixmystreet")
        var logger = Logger(label: "open311-test")
        logger.logLevel = .warning
        // A partner's bulk round trip posts as fast as it can; the rate limit has tests of its own.
        var config = AppConfiguration(baseURL: "http://otklik.test")
        config.keyBurst = 1_000
        services = AppServices(config: config,
                               core: ApplicationServices(store: store, taxonomy: taxonomy, analysis: NoAnalysis(),
                                                         rollupTTL: 0, countTTL: 0),
                               keys: keys, logger: logger)
        routing = Open311Routes.loadRouting(path: Self.root.appendingPathComponent("data/agency-overrides.json").path,
                                            taxonomy: taxonomy, logger: logger)
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ProblemMiddleware(maxBodyBytes: services.config.maxBodyBytes))
        Open311Routes(services: services, routing: routing, settings: Open311Settings()).register(on: router)
        return router
    }

    func test(_ body: @Sendable @escaping (any TestClientProtocol) async throws -> Void) async throws {
        let app = Application(router: router())
        try await app.test(.router) { client in try await body(client) }
    }

    var count: Int {
        get async throws { try await store.count(IncidentQuery()) }
    }
}

/// One answer, decoded as text.
struct Open311Reply: Sendable {
    var status: UInt
    var contentType: String
    var text: String

    init(_ r: TestResponse) {
        status = UInt(r.status.code)
        contentType = r.headers[.contentType] ?? ""
        text = String(buffer: r.body)
    }

    /// The JSON body as Foundation values (a peer parser, not ours).
    var json: Any { (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? NSNull() }
    var array: [[String: Any]] { json as? [[String: Any]] ?? [] }
    var xml: O311XML? { O311XML.parse(text) }
}

extension TestClientProtocol {
    func get(_ uri: String) async throws -> Open311Reply {
        try await execute(uri: uri, method: .get) { Open311Reply($0) }
    }

    func postForm(_ uri: String, _ fields: [(String, String)]) async throws -> Open311Reply {
        try await postRaw(uri, Open311Encode.form(fields))
    }

    func postRaw(_ uri: String, _ body: String, contentType: String = "application/x-www-form-urlencoded") async throws -> Open311Reply {
        try await postBytes(uri, Array(body.utf8), contentType: contentType)
    }

    func postBytes(_ uri: String, _ body: [UInt8], contentType: String = "application/x-www-form-urlencoded") async throws -> Open311Reply {
        try await execute(uri: uri, method: .post, headers: [.contentType: contentType], body: ByteBuffer(bytes: body)) { Open311Reply($0) }
    }
}

enum Open311Encode {
    /// Form encoding as HTML and FixMyStreet's LWP do it: RFC 3986 unreserved bytes as they are, the rest %XX.
    static func form(_ fields: [(String, String)]) -> String {
        fields.map { percentEncode($0.0) + "=" + percentEncode($0.1) }.joined(separator: "&")
    }
}

/// A parsed XML element (Foundation's XMLParser, not our writer, reads it back).
final class O311XML: @unchecked Sendable {
    let name: String
    var text = ""
    var children: [O311XML] = []

    init(name: String) { self.name = name }

    func child(_ n: String) -> O311XML? { children.first { $0.name == n } }
    subscript(_ n: String) -> String? { child(n)?.text }
    var childNames: [String] { children.map(\.name) }

    static func parse(_ text: String) -> O311XML? {
        let delegate = Builder()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = delegate
        guard parser.parse(), delegate.error == nil else { return nil }
        return delegate.root
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var root: O311XML?
        var stack: [O311XML] = []
        var error: (any Error)?

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            let e = O311XML(name: elementName)
            if let top = stack.last { top.children.append(e) } else { root = e }
            stack.append(e)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            _ = stack.popLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) { error = parseError }
    }
}

/// Points whose districts were found by ray casting over data/districts.geojson in Python
/// (see Open311RequestTests), not by our locator.
enum Open311Points {
    static let smolenskCentre = (lat: 54.7826, lon: 32.0504)   // Город Смоленск
    static let rudnya = (lat: 54.94, lon: 31.10)                // Руднянский район
    static let roslavl = (lat: 54.00, lon: 33.30)               // Рославльский район
}

extension Open311TestApp {
    /// A complete, valid FixMyStreet-style form for a pothole.
    static func form(code: String = "road.pothole", lat: Double = Open311Points.roslavl.lat, lon: Double = Open311Points.roslavl.lon,
                     description: String = "Глубокая яма у остановки", extra: [(String, String)] = []) -> [(String, String)] {
        [("api_key", operatorKey), ("service_code", code), ("lat", String(lat)), ("long", String(lon)),
         ("description", description), ("email", "ivanov@example.ru"), ("first_name", "Иван"), ("last_name", "Иванов"),
         ("phone", "+7 900 000-00-00")] + extra
    }
}

/// W3C datetime with a zone designator (Z or ±hh:mm).
func isW3CDateTime(_ s: String) -> Bool {
    s.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"#, options: .regularExpression) != nil
}
