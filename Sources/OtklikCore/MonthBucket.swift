public import struct Foundation.Date

/// Calendar months in UTC, for monthly series (sparklines, trends): where a month starts, and how many months
/// lie between two instants.
public enum MonthBucket {
    /// Midnight UTC on the first day of `d`'s month.
    public static func start(of d: Date) -> Date {
        let (y, m, _) = Timestamp.civilFromDays(day(d))
        return Date(timeIntervalSince1970: Double(Timestamp.daysFromCivil(year: y, month: m, day: 1)) * 86_400)
    }

    /// Months from `start`'s month to `d`'s month: 0 in the same month, negative before it.
    public static func index(of d: Date, from start: Date) -> Int {
        let (y0, m0, _) = Timestamp.civilFromDays(day(start))
        let (y, m, _) = Timestamp.civilFromDays(day(d))
        return (y - y0) * 12 + (m - m0)
    }

    private static func day(_ d: Date) -> Int { Int((d.timeIntervalSince1970 / 86_400).rounded(.down)) }
}
