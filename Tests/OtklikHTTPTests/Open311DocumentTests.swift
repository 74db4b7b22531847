import Foundation
import Testing
@testable import OtklikHTTP
import OtklikServices

/// The writer that serves both formats: lists become arrays in JSON and repeated elements in XML,
/// and no text can make the XML ill-formed.
@Suite struct Open311DocumentTests {
    @Test func listIsTopLevelArrayInJSONAndRepeatedElementsInXML() throws {
        let doc = Open311Document(root: "services", body: .list(item: "service", [
            .object([("service_code", .string("001")), ("metadata", .bool(false)), ("x", .null)]),
            .object([("service_code", .string("002")), ("metadata", .bool(true)), ("x", .number(1.5))]),
        ]))
        let json = String(decoding: doc.encoded(.json), as: UTF8.self)
        #expect(json == #"[{"service_code":"001","metadata":false,"x":null},{"service_code":"002","metadata":true,"x":1.5}]"#)
        let xml = String(decoding: doc.encoded(.xml), as: UTF8.self)
        #expect(xml == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<services><service><service_code>001</service_code><metadata>false</metadata><x></x></service><service><service_code>002</service_code><metadata>true</metadata><x>1.5</x></service></services>")
    }

    @Test func controlCharactersAndMarkupSurviveAsWellFormedXML() throws {
        let nasty = "a&b<c>d\"e'f\u{1}g\u{FFFE}h\r\ni\tСосновка"
        let doc = Open311Document(root: "errors", body: .list(item: "error", [.object([("description", .string(nasty))])]))
        let parsed = try #require(O311XML.parse(String(decoding: doc.encoded(.xml), as: UTF8.self)))
        // Forbidden code points become U+FFFD; everything else, CR included, comes back as it was.
        #expect(parsed.children.first?["description"] == "a&b<c>d\"e'f\u{FFFD}g\u{FFFD}h\r\ni\tСосновка")
        let json = try JSONSerialization.jsonObject(with: Data(doc.encoded(.json))) as? [[String: String]]
        #expect(json?.first?["description"] == nasty)
    }

    @Test func formatSplitKeepsDotsInsideServiceCodes() {
        #expect(Open311Format.split("waste.container_site.xml")?.name == "waste.container_site")
        #expect(Open311Format.split("waste.container_site.xml")?.format == .xml)
        #expect(Open311Format.split("requests.json")?.format == .json)
        #expect(Open311Format.split("requests") == nil)
        #expect(Open311Format.split("requests.csv") == nil)
    }

    @Test func errorDocumentIsTheSpecList() {
        let e = Open311Error(.forbidden, "api_key was not provided")
        let json = String(decoding: e.document.encoded(.json), as: UTF8.self)
        #expect(json == #"[{"code":403,"description":"api_key was not provided"}]"#)
        let xml = String(decoding: e.document.encoded(.xml), as: UTF8.self)
        #expect(xml.hasSuffix("<errors><error><code>403</code><description>api_key was not provided</description></error></errors>"))
    }
}
