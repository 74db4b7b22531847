/// A reader of a file's records one at a time, each with the line it starts on.
protocol FeatureRecordReader {
    mutating func next() throws -> (line: Int, bytes: [UInt8])?
}

/// Splits a byte stream into lines (LF, optional CR), for NDJSON.
struct LineReader: FeatureRecordReader {
    private var buffer: [UInt8] = []
    private var pos = 0
    private var line = 0
    private let source: ByteSource

    init(source: ByteSource) { self.source = source }

    mutating func next() throws -> (line: Int, bytes: [UInt8])? {
        while true {
            if let nl = buffer[pos...].firstIndex(of: 0x0A) {
                var end = nl
                if end > pos && buffer[end - 1] == 0x0D { end -= 1 }
                let out = Array(buffer[pos..<end])
                pos = nl + 1
                line += 1
                return (line, out)
            }
            guard let chunk = try source.next() else {
                if pos < buffer.count {
                    let out = Array(buffer[pos...])
                    pos = buffer.count
                    line += 1
                    return (line, out)
                }
                return nil
            }
            buffer = Array(buffer[pos...]) + chunk
            pos = 0
        }
    }
}

/// Finds the features of a GeoJSON FeatureCollection one at a time without parsing the whole document:
/// it tracks strings and nesting depth and yields each element of the top-level "features" array as bytes.
/// `validate()` runs the same scan without yielding, so a broken file fails before anything is written.
struct FeatureSplitter: FeatureRecordReader {
    private let source: ByteSource
    private var buffer: [UInt8] = []
    private var pos = 0
    private var line = 1
    private var depth = 0
    private var inString = false
    private var escape = false
    private var inFeatures = false
    private var lastKey: [UInt8] = []
    private var currentString: [UInt8] = []
    private var featureStart: Int?
    private var featureLine = 0
    private var featureBytes: [UInt8] = []
    private var done = false
    private var sawFeatures = false

    init(source: ByteSource) { self.source = source }

    mutating func next() throws -> (line: Int, bytes: [UInt8])? {
        while !done {
            if pos >= buffer.count {
                if let s = featureStart { featureBytes += buffer[s...]; featureStart = 0 }
                guard let chunk = try source.next() else {
                    if depth != 0 || inString { throw StoreError(.importFile, "GeoJSON ends early (unbalanced brackets or an open string)") }
                    if !sawFeatures { throw StoreError(.importFile, "GeoJSON has no top-level \"features\" array: expected a FeatureCollection") }
                    done = true
                    return nil
                }
                buffer = chunk
                pos = 0
                if featureStart != nil { featureStart = 0 }
            }
            let c = buffer[pos]
            pos += 1
            if c == 0x0A { line += 1 }
            if inString {
                if escape { escape = false } else if c == 0x5C { escape = true } else if c == 0x22 { inString = false; lastKey = currentString } else if depth <= 1 { currentString.append(c) }
                continue
            }
            switch c {
            case 0x22:
                inString = true
                currentString.removeAll(keepingCapacity: true)
            case 0x7B, 0x5B: // { [
                if depth == 1 && c == 0x5B && lastKey == Array("features".utf8) { inFeatures = true; sawFeatures = true }
                else if depth == 2 && inFeatures && c == 0x7B {
                    featureStart = pos - 1
                    featureLine = line
                    featureBytes = []
                }
                depth += 1
                if depth == 1 && c != 0x7B { throw StoreError(.importFile, "GeoJSON must be an object (a FeatureCollection)") }
            case 0x7D, 0x5D: // } ]
                depth -= 1
                if depth < 0 { throw StoreError(.importFile, "line \(line): unbalanced closing bracket") }
                if depth == 2 && inFeatures && c == 0x7D, let s = featureStart {
                    featureBytes += buffer[s..<pos]
                    featureStart = nil
                    let out = featureBytes
                    featureBytes = []
                    return (featureLine, out)
                }
                if depth == 1 && inFeatures && c == 0x5D { inFeatures = false }
            default:
                break
            }
        }
        return nil
    }
}
