/// A district or settlement as people name it in a filter.
public struct PlaceName: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case district, settlement

        /// "район", "населённый пункт": how a suggestion names the kind.
        public var nounRu: String { self == .district ? "район" : "населённый пункт" }
        /// The genitive after "нет": "нет района", "нет населённого пункта".
        var genitiveRu: String { self == .district ? "района" : "населённого пункта" }
        var pluralRu: String { self == .district ? "районы" : "населённые пункты" }
    }

    public var name: String
    public var kind: Kind
    /// For a settlement: its district, so that two Сосновки can be told apart in a suggestion.
    public var district: String?

    public init(name: String, kind: Kind, district: String? = nil) {
        self.name = name
        self.kind = kind
        self.district = district
    }

    /// `населённый пункт «Рудня» (Руднянский район)`, `район «Руднянский район»`.
    public var phraseRu: String {
        "\(kind.nounRu) «\(name)»" + (district.map { " (\($0))" } ?? "")
    }
}

/// A name the caller gave that is none of the known places, with the closest known ones.
public struct UnknownPlace: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var query: String
    public var kind: PlaceName.Kind
    public var suggestions: [PlaceName]
    /// A few known names of the kind, offered when nothing is close.
    public var known: [String]

    public init(field: String, query: String, kind: PlaceName.Kind, suggestions: [PlaceName], known: [String]) {
        self.field = field
        self.query = query
        self.kind = kind
        self.suggestions = suggestions
        self.known = known
    }

    public var description: String {
        let shown = query.count > 60 ? String(query.prefix(60)) + "…" : query
        var text = "\(field): нет \(kind.genitiveRu) «\(shown)»."
        if !suggestions.isEmpty {
            text += " Возможно, вы имели в виду \(suggestions.map(\.phraseRu).joined(separator: ", или "))?"
        } else if !known.isEmpty {
            text += " Известные \(kind.pluralRu): \(known.joined(separator: ", "))."
        }
        return text
    }
}

/// Matches place names as people type them: any case, ё or е, and in the case they say them in ("в Рудне",
/// "по Руднянскому району"). Pure: the gazetteer is the caller's.
public enum PlaceNameMatcher {
    /// Lower case, ё → е, punctuation and runs of spaces collapsed to one space.
    public static func normalise(_ text: String) -> String {
        var out = ""
        var space = false
        for ch in text.lowercased() {
            let c: Character = ch == "ё" ? "е" : ch
            if c.isLetter || c.isNumber {
                if space, !out.isEmpty { out.append(" ") }
                space = false
                out.append(c)
            } else {
                space = true
            }
        }
        return out
    }

    /// Russian case endings of nouns and adjectives, longest first. Stripping each gives the forms a word may be
    /// the stem of; two words match when their forms meet ("район"/"районе" meet at "район", "рудня"/"рудне" at
    /// "рудн"), which needs no dictionary and cannot turn "Рудня" into "Руднянский". A bare "й" is no ending
    /// here: stripping it would take the typo "руднянскй" for "руднянский".
    static let endings: [String] = [
        "ыми", "ими", "ого", "его", "ому", "ему", "ой", "ей", "ий", "ый", "ая", "яя", "ое", "ее", "ую", "юю",
        "ом", "ем", "ам", "ям", "ах", "ях", "ов", "ев", "ью", "а", "я", "о", "е", "ы", "и", "у", "ю", "ь",
    ]

    static func forms(_ word: String) -> Set<String> {
        var result: Set<String> = [word]
        for e in endings where word.hasSuffix(e) && word.count - e.count >= 3 {
            result.insert(String(word.dropLast(e.count)))
        }
        return result
    }

    /// Whether `query` names `name` in some grammatical case (both already normalised).
    static func sameInflected(_ query: String, _ name: String) -> Bool {
        let q = query.split(separator: " "), n = name.split(separator: " ")
        guard q.count == n.count else { return false }
        return zip(q, n).allSatisfy { !forms(String($0)).isDisjoint(with: forms(String($1))) }
    }

    /// Levenshtein distance over characters.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }

    public enum Outcome: Sendable, Equatable {
        /// The stored name the query means.
        case found(PlaceName)
        case unknown(suggestions: [PlaceName])
    }

    /// Finds the place of `kind` that `query` names. Same name after normalisation or in another case: found.
    /// Otherwise the closest places of either kind are suggested: the same name inflected (a town asked for as
    /// a district), a near miss within a few typos, or a name that starts with the query's words.
    public static func match(_ query: String, kind: PlaceName.Kind, in places: [PlaceName], maxSuggestions: Int = 3) -> Outcome {
        let q = normalise(query)
        let own = places.filter { $0.kind == kind }
        if let hit = own.first(where: { normalise($0.name) == q }) { return .found(hit) }
        let inflected = own.filter { sameInflected(q, normalise($0.name)) }
        if inflected.count == 1 { return .found(inflected[0]) }

        var scored: [(place: PlaceName, score: Int)] = []
        let tolerance = max(1, min(3, q.count / 4))
        for p in places {
            let n = normalise(p.name)
            if sameInflected(q, n) || n == q {
                scored.append((p, 0))
                continue
            }
            let d = editDistance(q, n)
            if d <= tolerance {
                scored.append((p, d))
                continue
            }
            // "руднянский" for "Руднянский район": the query's words open the name.
            let qw = q.split(separator: " "), nw = n.split(separator: " ")
            if !qw.isEmpty, qw.count < nw.count,
               zip(qw, nw).allSatisfy({ !forms(String($0)).isDisjoint(with: forms(String($1))) }) {
                scored.append((p, tolerance + 1))
            }
        }
        scored.sort { ($0.score, $0.place.kind == kind ? 0 : 1, $0.place.name) < ($1.score, $1.place.kind == kind ? 0 : 1, $1.place.name) }
        var seen: Set<PlaceName> = []
        let suggestions = scored.map(\.place).filter { seen.insert($0).inserted }.prefix(maxSuggestions)
        return .unknown(suggestions: Array(suggestions))
    }
}
