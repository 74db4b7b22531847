public import struct Foundation.Date

/// ISO 8601 timestamps without Foundation's formatters, which are far too slow for bulk imports
/// (a million rows) and accept more than we want to.
public enum Timestamp {
    /// Parses `YYYY-MM-DD[T ]hh:mm[:ss[.fff]](Z|±hh[:mm])`. A date alone means midnight.
    /// Without an offset the text is refused unless `assumeUTC` is set: silent guessing of time zones
    /// is how a complaint moves a day.
    public static func parse(_ text: String, field: String, assumeUTC: Bool = false) throws(ValidationError) -> Date {
        var utf8 = ContiguousArray(text.utf8)
        // Trim spaces
        while utf8.last == 0x20 { utf8.removeLast() }
        if utf8.first == 0x20 { utf8 = ContiguousArray(utf8.drop { $0 == 0x20 }) }
        func fail(_ reason: String) -> ValidationError { .invalidTimestamp(field: field, value: text, reason: reason) }
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= utf8.count else { return nil }
            var v = 0
            for k in 0..<n {
                let c = utf8[i + k]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < utf8.count, utf8[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(0x2D), let month = digits(2), expect(0x2D), let day = digits(2) else {
            throw fail("expected YYYY-MM-DD")
        }
        guard (1...12).contains(month) else { throw fail("month \(month) out of range") }
        guard (1...daysIn(month: month, year: year)).contains(day) else { throw fail("day \(day) out of range") }
        var hour = 0, minute = 0, second = 0
        var fraction = 0.0
        var offsetSeconds: Int?
        if i < utf8.count {
            guard utf8[i] == 0x54 || utf8[i] == 0x20 || utf8[i] == 0x74 else { throw fail("expected 'T' after the date") }
            i += 1
            guard let h = digits(2), expect(0x3A), let m = digits(2) else { throw fail("expected hh:mm") }
            hour = h
            minute = m
            if expect(0x3A) {
                guard let s = digits(2) else { throw fail("expected seconds") }
                second = s
                if i < utf8.count, utf8[i] == 0x2E || utf8[i] == 0x2C {
                    i += 1
                    var scale = 0.1
                    var any = false
                    while i < utf8.count, utf8[i] >= 0x30, utf8[i] <= 0x39 {
                        fraction += Double(utf8[i] - 0x30) * scale
                        scale /= 10
                        i += 1
                        any = true
                    }
                    if !any { throw fail("empty fraction of a second") }
                }
            }
            guard hour < 24, minute < 60, second < 61 else { throw fail("time of day out of range") }
            if i < utf8.count {
                let c = utf8[i]
                if c == 0x5A || c == 0x7A {
                    i += 1
                    offsetSeconds = 0
                } else if c == 0x2B || c == 0x2D {
                    i += 1
                    guard let oh = digits(2) else { throw fail("bad offset") }
                    _ = expect(0x3A)
                    let om = digits(2) ?? 0
                    guard oh <= 18, om < 60 else { throw fail("offset out of range") }
                    offsetSeconds = (c == 0x2D ? -1 : 1) * (oh * 3600 + om * 60)
                } else {
                    throw fail("unexpected text after the time")
                }
            }
            guard i == utf8.count else { throw fail("unexpected text after the offset") }
        } else if !assumeUTC {
            // A bare date is a calendar day; treat it as UTC midnight only when allowed.
            throw fail("no UTC offset; add Z or ±hh:mm, or import with --assume-utc")
        }
        if offsetSeconds == nil {
            guard assumeUTC else { throw fail("no UTC offset; add Z or ±hh:mm, or import with --assume-utc") }
            offsetSeconds = 0
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let secs = Double(days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds!) + fraction
        return Date(timeIntervalSince1970: secs)
    }

    /// `2025-03-01T10:15:00Z`, whole seconds, always UTC. Written byte by byte: string interpolation of padded
    /// numbers cost more than the database insert of the row it belongs to.
    public static func format(_ date: Date) -> String {
        var t = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = Int(floorDiv(t, 86_400))
        t -= Int64(days) * 86_400
        let (y, m, d) = civilFromDays(days)
        let hh = Int(t / 3600), mm = Int(t % 3600 / 60), ss = Int(t % 60)
        guard (0...9999).contains(y) else {
            return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(hh, 2)):\(pad(mm, 2)):\(pad(ss, 2))Z"
        }
        return String(unsafeUninitializedCapacity: 20) { buf in
            func put(_ v: Int, _ at: Int, _ width: Int) {
                var v = v
                for k in stride(from: at + width - 1, through: at, by: -1) {
                    buf[k] = UInt8(0x30 + v % 10)
                    v /= 10
                }
            }
            put(y, 0, 4); buf[4] = 0x2D; put(m, 5, 2); buf[7] = 0x2D; put(d, 8, 2); buf[10] = 0x54
            put(hh, 11, 2); buf[13] = 0x3A; put(mm, 14, 2); buf[16] = 0x3A; put(ss, 17, 2); buf[19] = 0x5A
            return 20
        }
    }

    /// `2025-03-01`, the UTC calendar day.
    public static func formatDay(_ date: Date) -> String {
        String(format(date).prefix(10))
    }

    private static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Howard Hinnant's days_from_civil.
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}

/// A closed-open interval of instants; either end may be open (`..` in OGC API `datetime`).
public struct TimeWindow: Sendable, Hashable {
    public var start: Date?
    public var end: Date?

    public init(start: Date? = nil, end: Date? = nil) {
        self.start = start
        self.end = end
    }

    public static let all = TimeWindow()

    public func contains(_ d: Date) -> Bool {
        if let s = start, d < s { return false }
        if let e = end, d > e { return false }
        return true
    }

    /// OGC API `datetime`: an instant, or `start/end` with `..` or empty for an open end.
    public static func parseOGC(_ text: String, field: String = "datetime") throws(ValidationError) -> TimeWindow {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1:
            guard parts[0] != ".." && !parts[0].isEmpty else {
                throw .invalid(field: field, value: text, reason: "an instant cannot be open")
            }
            let d = try Timestamp.parse(parts[0], field: field, assumeUTC: parts[0].count == 10)
            if parts[0].count == 10 {
                return TimeWindow(start: d, end: d.addingTimeInterval(86_400 - 0.001))
            }
            return TimeWindow(start: d, end: d)
        case 2:
            func end(_ s: String) throws(ValidationError) -> Date? {
                if s == ".." || s.isEmpty { return nil }
                return try Timestamp.parse(s, field: field, assumeUTC: s.count == 10)
            }
            let w = TimeWindow(start: try end(parts[0]), end: try end(parts[1]))
            if let s = w.start, let e = w.end, s > e {
                throw .invalid(field: field, value: text, reason: "the interval starts after it ends")
            }
            if w.start == nil && w.end == nil {
                throw .invalid(field: field, value: text, reason: "both ends open; omit the parameter instead")
            }
            return w
        default:
            throw .invalid(field: field, value: text, reason: "expected an instant or start/end")
        }
    }
}
