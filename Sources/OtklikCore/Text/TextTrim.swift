extension String {
    /// The text without leading and trailing ASCII spaces and tabs. Foundation's `trimmingCharacters(in:)`
    /// bridges through NSString and costs microseconds per call, which adds up to seconds over an import of a
    /// million rows; most values have nothing to trim, and then this returns at once.
    public func trimmingSpaces() -> String {
        let u = utf8
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
        guard let f = u.first, let l = u.last, isSpace(f) || isSpace(l) else { return self }
        guard let start = u.firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = u.lastIndex(where: { !isSpace($0) })!
        return String(decoding: u[start...end], as: UTF8.self)
    }
}
