public import OtklikHotspots

/// How well a hotspot list finds hotspots whose truth is known (planted ones): the measures of
/// `otklik-bench hotspots-quality` and of the floor test.
public struct HotspotQuality: Sendable, Hashable {
    /// A hotspot that should be found: its category, member incident ids and whether it recurs.
    public struct Truth: Sendable, Hashable {
        public var key: String
        public var category: String
        public var memberIDs: Set<Int64>
        public var recurring: Bool

        public init(key: String, category: String, memberIDs: Set<Int64>, recurring: Bool) {
            self.key = key
            self.category = category
            self.memberIDs = memberIDs
            self.recurring = recurring
        }
    }

    /// Per planted hotspot, in truth order: its 1-based rank in the list, nil when the list misses it.
    public var ranks: [Int?]
    /// Per planted hotspot: whether the list's `recurring` equals the truth (false when missed).
    public var recurringRight: [Bool]
    /// Found / planted.
    public var recall: Double
    /// Of the first K hotspots (K = planted), the share that are planted ones.
    public var precisionAtK: Double
    /// Planted hotspots whose `recurring` flag is right / planted.
    public var recurringAccuracy: Double

    /// Measures `list` (the governor's list, best first) against `truth`. A planted hotspot is found by the
    /// first hotspot of its category holding at least half of its members; a listed hotspot is a planted one when
    /// it found one.
    public init(list: [Hotspot], truth: [Truth]) {
        var ranks: [Int?] = [], right: [Bool] = []
        var matched = Set<Int>()
        for t in truth {
            let hit = list.firstIndex { h in
                h.category == t.category && 2 * h.memberIDs.filter(t.memberIDs.contains).count >= t.memberIDs.count
            }
            ranks.append(hit.map { $0 + 1 })
            right.append(hit.map { list[$0].recurring == t.recurring } ?? false)
            if let hit { matched.insert(hit) }
        }
        let k = truth.count
        self.ranks = ranks
        self.recurringRight = right
        recall = k == 0 ? 1 : Double(ranks.compactMap { $0 }.count) / Double(k)
        precisionAtK = k == 0 ? 1 : Double(matched.filter { $0 < k }.count) / Double(k)
        recurringAccuracy = k == 0 ? 1 : Double(right.filter { $0 }.count) / Double(k)
    }
}
