import Foundation
import OtklikCore
import OtklikStore
@testable import OtklikHTTP
import OtklikServices
import Testing

/// Feature pages are written from stored text; every feature must be byte for byte what the `Incident` path
/// writes, including escapes, NULLs, Cyrillic and numbers.
@Suite struct FeatureTextTests {
    static func awkward() -> [Incident] {
        var list = (0..<40).map(Harness.incident)
        var odd = Harness.incident(41)
        odd.description = "Кавычки \"так\", обратная \\ черта,\nперевод строки\tи таб"
        odd.address = ""
        list.append(odd)
        var far = Harness.incident(42)
        far.location = GeoPoint(lon: 37.0, lat: 60.0)   // outside every district: NULL district and settlement
        far.approximateLocation = true
        list.append(far)
        var round = Harness.incident(43)
        round.location = GeoPoint(lon: 32, lat: 55)     // integral coordinates print without a fraction
        list.append(round)
        return list
    }

    @Test func textFeaturesAreTheIncidentFeatures() async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        try await Harness.seed(store, count: 0)
        _ = try await store.insert(Self.awkward(), actor: "test")
        let query = IncidentQuery(limit: 100)
        let incidents = try await store.incidents(query)
        let page = try await store.incidentText(query)
        #expect(page.count == Self.awkward().count)
        #expect(page.rows.map(\.id) == incidents.map { $0.id! })
        #expect(page.string(42, .district) == nil && page.string(0, .district) == Harness.rudnya)
        let names = CategoryNames(Harness.taxonomy)
        for (i, inc) in incidents.enumerated() {
            var fromText = JSONWriter()
            fromText.incident(page, row: i, names: names)
            var fromIncident = JSONWriter()
            fromIncident.incident(inc, taxonomy: Harness.taxonomy)
            #expect(String(decoding: fromText.bytes, as: UTF8.self) == String(decoding: fromIncident.bytes, as: UTF8.self))
        }
        // The portable path (other stores) builds the same page from incidents.
        var portable = IncidentTextPage()
        for inc in incidents { portable.append(inc) }
        for i in incidents.indices {
            for f in IncidentTextPage.Field.allCases { #expect(portable.string(i, f) == page.string(i, f), "row \(i) \(f)") }
        }
        #expect(portable.rows == page.rows)
    }

    @Test func stringEscapesMatchJSONSerialization() throws {
        for text in ["plain", "Сосновка", "a\"b", "c\\d", "tab\there", "line\nbreak", "\u{01}\u{1F}", ""] {
            var w = JSONWriter()
            w.string(text)
            let back = try JSONSerialization.jsonObject(with: Data(w.bytes), options: .fragmentsAllowed) as? String
            #expect(back == text)
        }
    }

    /// The eight-bytes-at-a-time test agrees with the byte-by-byte one at every length and position, with
    /// Cyrillic (bytes of 0x80 and above) around the byte that must be escaped.
    @Test func escapeTestAgreesWithTheByteByByteOne() {
        let fillers: [[UInt8]] = [Array("abcdefghijklmnopq".utf8), Array("Сосновка, ул. Мира".utf8), [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0xFF, 0x80, 0xC2]]
        let specials: [UInt8] = [0x00, 0x01, 0x0A, 0x1F, 0x22, 0x5C]
        var checked = 0
        for filler in fillers {
            for length in 0...filler.count {
                let clean = Array(filler.prefix(length))
                clean.withUnsafeBufferPointer { #expect(!JSONWriter.needsEscape($0), "\(clean)") }
                for position in 0..<length {
                    for s in specials {
                        var dirty = clean
                        dirty[position] = s
                        dirty.withUnsafeBufferPointer { #expect(JSONWriter.needsEscape($0), "\(dirty)") }
                        checked += 1
                    }
                }
            }
        }
        #expect(checked > 500)
        // Every byte value on its own, at each lane of a word.
        for b in 0...255 {
            for lane in 0..<8 {
                var word = [UInt8](repeating: 0x41, count: 11)
                word[lane] = UInt8(b)
                let expected = b < 0x20 || b == 0x22 || b == 0x5C
                word.withUnsafeBufferPointer { #expect(JSONWriter.needsEscape($0) == expected, "byte \(b) in lane \(lane)") }
            }
        }
    }

    /// Integers and numbers written in place read back as the same values, at the edges too.
    @Test func numbersWrittenInPlaceReadBack() throws {
        for v in [0, 7, -7, 10, 99, 100, -1_000_000, 90_001, Int.max, Int.min] {
            var w = JSONWriter()
            w.int(v)
            #expect(String(decoding: w.bytes, as: UTF8.self) == String(v))
        }
        let doubles: [Double] = [0, -0.0, 32, -32, 54.809995448171314, 31.96856160529964, -179.99999999999997,
                                 1e15, 1e-300, -1.2345678901234567e-308, .greatestFiniteMagnitude, 0.1, 999_999_999_999_999]
        for v in doubles {
            var w = JSONWriter()
            w.number(v)
            let text = String(decoding: w.bytes, as: UTF8.self)
            #expect(w.bytes.count <= JSONCursor.numberBound, "\(text)")
            #expect(Double(text) == v, "\(text)")
            // Integral values below 1e15 print without a fraction or exponent.
            #expect(v.magnitude < 1e15 && v == v.rounded() ? !text.contains(".") && !text.contains("e") : true, "\(text)")
        }
        for v in [Double.nan, .infinity, -.infinity] {
            var w = JSONWriter()
            w.number(v)
            #expect(String(decoding: w.bytes, as: UTF8.self) == "null")
        }
    }

    /// A row whose every byte must be escaped stays within the room reserved for it, and reads back.
    @Test func aFeatureOfControlCharactersFitsItsBound() async throws {
        let store = try await Harness.makeStore()
        defer { Harness.removeStore(store) }
        try await Harness.seed(store, count: 0)
        var worst = Harness.incident(1)
        worst.description = String(repeating: "\u{01}", count: 300)
        worst.address = String(repeating: "\"", count: 200)
        _ = try await store.insert([worst], actor: "test")
        let page = try await store.incidentText(IncidentQuery(limit: 1))
        let names = CategoryNames(Harness.taxonomy)
        var w = JSONWriter()
        w.incident(page, row: 0, names: names)
        #expect(w.bytes.count <= JSONCursor.incidentBound(page, row: 0, names: names))
        let feature = try #require(JSONSerialization.jsonObject(with: Data(w.bytes)) as? [String: Any])
        let properties = try #require(feature["properties"] as? [String: Any])
        #expect(properties["description"] as? String == worst.description)
        #expect(properties["address"] as? String == worst.address)
    }
}
