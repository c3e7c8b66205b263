/// Guesses the delimiter and whether the first row is a header, from the first rows of a file.
enum CSVSniffer {
    static let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")]

    /// The candidate that splits the sampled lines into the same number (> 0) of pieces most
    /// consistently, preferring more pieces; comma when none appears.
    static func delimiter(in sample: [UInt8], complete: Bool) -> UInt8 {
        var best: (score: Double, delimiter: UInt8) = (0, UInt8(ascii: ","))
        for d in candidates {
            let counts = rows(sample, delimiter: d, limit: 20, complete: complete).map { $0.count - 1 }
            guard let first = counts.first, !counts.isEmpty else { continue }
            var freq: [Int: Int] = [:]
            for c in counts { freq[c, default: 0] += 1 }
            let (mode, times) = freq.max { a, b in a.value == b.value ? a.key < b.key : a.value < b.value }!
            guard mode > 0 else { continue }
            let consistency = Double(times) / Double(counts.count)
            let score = consistency * 1000 + Double(mode) + (first == mode ? 1 : 0)
            if score > best.score { best = (score, d) }
        }
        return best.delimiter
    }

    /// The number of fields of the first row of `sample` (quote-aware, nothing copied).
    static func fieldCount(ofFirstRowIn sample: [UInt8], delimiter: UInt8) -> Int {
        var fields = 1, inQuotes = false
        for b in sample {
            if b == CSVTokenizer.quote { inQuotes.toggle(); continue }
            if inQuotes { continue }
            if b == delimiter { fields += 1 } else if b == CSVTokenizer.lf { break }
        }
        return fields
    }

    /// Splits the first `limit` complete rows of `sample` with the tokenizer's quoting rules.
    static func rows(_ sample: [UInt8], delimiter: UInt8, limit: Int, complete: Bool = true) -> [[[UInt8]]] {
        var out: [[[UInt8]]] = []
        var row: [[UInt8]] = []
        var field: [UInt8] = []
        var i = 0
        let n = sample.count
        var inQuotes = false
        var fieldStarted = false
        while i < n, out.count < limit {
            let b = sample[i]
            if inQuotes {
                if b == CSVTokenizer.quote {
                    if i + 1 < n, sample[i + 1] == CSVTokenizer.quote { field.append(b); i += 2; continue }
                    inQuotes = false
                } else { field.append(b) }
                i += 1
                continue
            }
            if b == CSVTokenizer.quote, !fieldStarted { inQuotes = true; fieldStarted = true; i += 1; continue }
            if b == delimiter {
                row.append(field); field = []; fieldStarted = false
            } else if b == CSVTokenizer.lf {
                if field.last == CSVTokenizer.cr { field.removeLast() }
                row.append(field)
                if !(row.count == 1 && row[0].isEmpty) { out.append(row) }
                row = []; field = []; fieldStarted = false
            } else {
                field.append(b); fieldStarted = true
            }
            i += 1
        }
        if complete, i >= n, !inQuotes, out.count < limit, !(row.isEmpty && field.isEmpty) {
            if field.last == CSVTokenizer.cr { field.removeLast() }
            row.append(field)
            out.append(row)
        }
        return out
    }

    /// A first row is a header unless one of its fields reads as a number, date or boolean.
    static func looksLikeHeader(_ firstRow: [[UInt8]]) -> Bool {
        for f in firstRow where !f.isEmpty {
            let isData = f.withUnsafeBufferPointer { b -> Bool in
                let p = b.baseAddress!
                return ValueParser.double(p, b.count) != nil || ValueParser.date(p, b.count) != nil
                    || ValueParser.datetime(p, b.count) != nil || ValueParser.bool(p, b.count) != nil
            }
            if isData { return false }
        }
        return true
    }
}

extension CSVOptions {
    /// The delimiter the reader would sniff from `sample` (the start of a file).
    public static func sniffedDelimiter(_ sample: [UInt8]) -> UInt8 { CSVSniffer.delimiter(in: sample, complete: false) }
}
