import Foundation

/// Writes frames as RFC 4180 CSV that `CSVReader` reads back to an equal frame (given the same
/// column types): missing values are empty unquoted fields, and any text that would otherwise read
/// as missing, or that holds the delimiter, a quote, a newline or edge spaces, is quoted.
public struct CSVWriter: Sendable {
    public var delimiter: UInt8
    public var missingTokens: Set<String>

    public init(delimiter: UInt8 = UInt8(ascii: ","), missingTokens: [String] = CSVOptions.defaultMissingTokens) {
        self.delimiter = delimiter
        self.missingTokens = Set(missingTokens)
    }

    /// The CSV text of `frame`, with a header row.
    public func bytes(_ frame: Frame) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(frame.rowCount * frame.columnCount * 8 + 64)
        for (j, c) in frame.columns.enumerated() {
            if j > 0 { out.append(delimiter) }
            appendText(c.name, to: &out)
        }
        out.append(10)
        for r in 0..<frame.rowCount {
            for (j, c) in frame.columns.enumerated() {
                if j > 0 { out.append(delimiter) }
                guard c.isValid(r) else { continue }
                switch c.storage {
                case .string(let codes, let dict): appendText(dict[Int(codes[r])], to: &out)
                default: out.append(contentsOf: c.value(at: r).description.utf8)
                }
            }
            out.append(10)
        }
        return out
    }

    /// Writes `frame` to `path` atomically (a temporary file renamed into place).
    public func write(_ frame: Frame, to path: String) throws(FrameError) {
        let data = Data(bytes(frame))
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .io(path, reason: error.localizedDescription)
        }
    }

    private func appendText(_ s: String, to out: inout [UInt8]) {
        let utf8 = Array(s.utf8)
        let needsQuotes = missingTokens.contains(s) || utf8.isEmpty || utf8.first == 32 || utf8.last == 32
            || utf8.contains { $0 == delimiter || $0 == 34 || $0 == 10 || $0 == 13 }
        guard needsQuotes else { out.append(contentsOf: utf8); return }
        out.append(34)
        for b in utf8 {
            if b == 34 { out.append(34) }
            out.append(b)
        }
        out.append(34)
    }
}
