import Foundation
import OtklikCore
import OtklikServices

/// Finds the settlement an address names, for requests that come with an address and no coordinates.
///
/// A name matches when its words appear together in the address (case and ё/е ignored), so
/// "д. Сосновка, Вяземский район" finds Сосновка. Names repeat across the oblast (three Сосновки), so a
/// district named in the address narrows the choice; if more than one place remains the address is
/// ambiguous and the request is refused rather than put in the wrong district.
struct Open311Gazetteer: Sendable {
    struct Place: Sendable {
        var name: String
        var district: String?
        var point: GeoPoint
        var words: [String]
        var districtWords: [String]
    }

    enum Match: Sendable {
        case found(Place)
        case none
        case ambiguous([Place])
    }

    let places: [Place]

    init(settlements: [Area]) {
        places = settlements.compactMap { a in
            guard let p = a.anchor else { return nil }
            let words = Self.words(a.name)
            guard !words.isEmpty else { return nil }
            return Place(name: a.name, district: a.parent, point: p, words: words,
                         districtWords: a.parent.map(Self.words) ?? [])
        }
    }

    static func words(_ s: String) -> [String] {
        let folded = s.lowercased().replacingOccurrences(of: "ё", with: "е")
        return folded.split(whereSeparator: { c in !(c.isLetter || c.isNumber || c == "-") })
            .map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: "-")) }
            .filter { !$0.isEmpty }
    }

    private static func contains(_ hay: [String], _ needle: [String]) -> Bool {
        guard !needle.isEmpty, needle.count <= hay.count else { return false }
        for start in 0...(hay.count - needle.count) where Array(hay[start..<(start + needle.count)]) == needle {
            return true
        }
        return false
    }

    func match(_ address: String) -> Match {
        let tokens = Self.words(address)
        var hits = places.filter { Self.contains(tokens, $0.words) }
        guard !hits.isEmpty else { return .none }
        // "Красный Двор" over "Двор": keep only the longest names that matched.
        let longest = hits.map(\.words.count).max()!
        hits = hits.filter { $0.words.count == longest }
        if hits.count > 1 {
            // A district is named either in full ("Вяземский район") or by its adjective ("Вяземский").
            let inDistrict = hits.filter { p in
                !p.districtWords.isEmpty && (Self.contains(tokens, p.districtWords) || Self.contains(tokens, [p.districtWords[0]]))
            }
            if !inDistrict.isEmpty { hits = inDistrict }
        }
        if hits.count == 1 { return .found(hits[0]) }
        return .ambiguous(hits)
    }
}
