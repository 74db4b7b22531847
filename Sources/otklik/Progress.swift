import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A progress bar on a terminal, plain lines every few seconds otherwise (logs, CI).
final class ProgressLine: @unchecked Sendable {
    private let isTTY = isatty(2) != 0
    private let started: Date
    /// A log gets its first line after the pace's two seconds, not at the first update: a line at once would
    /// only show the counts of the run's first moment (an import's first row, before anything is written).
    private var lastPlain: Date
    /// The latest plain line the two-second pace held back, for `flush`.
    private var heldBack: String?
    private let lock = NSLock()
    let label: String

    init(label: String) {
        self.label = label
        started = Date()
        lastPlain = started
    }

    func update(fraction: Double?, detail: String) {
        lock.lock()
        defer { lock.unlock() }
        let elapsed = Date().timeIntervalSince(started)
        if isTTY {
            var bar = ""
            if let f = fraction {
                let width = 30
                let filled = Int((min(1, max(0, f)) * Double(width)).rounded())
                bar = "[" + String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled) + "] "
                bar += String(format: "%3.0f%% ", f * 100)
            }
            FileHandle.standardError.write(Data("\r\u{1B}[K\(label) \(bar)\(detail) \(String(format: "%.1fs", elapsed))".utf8))
        } else {
            let pct = fraction.map { String(format: " %.0f%%", $0 * 100) } ?? ""
            let line = "\(label)\(pct) \(detail) (\(String(format: "%.1fs", elapsed)))\n"
            if Date().timeIntervalSince(lastPlain) >= 2 {
                lastPlain = Date()
                heldBack = nil
                FileHandle.standardError.write(Data(line.utf8))
            } else {
                heldBack = line
            }
        }
    }

    /// Prints the latest update if the pace held it back, so that a log's last progress line is the final state
    /// rather than one from seconds before the end.
    func flush() {
        lock.lock()
        defer { lock.unlock() }
        if let line = heldBack { FileHandle.standardError.write(Data(line.utf8)) }
        heldBack = nil
    }

    func finish(_ message: String) {
        lock.lock()
        defer { lock.unlock() }
        if isTTY { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        FileHandle.standardError.write(Data("\(message)\n".utf8))
    }
}

func formatCount(_ n: Int) -> String {
    let s = String(n)
    var out = ""
    for (i, c) in s.reversed().enumerated() {
        if i > 0 && i % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return String(out.reversed())
}
