import PulkFrame

/// A column's profile plus the arrays later stages (correlations, associations) reuse.
struct ColumnWork: Sendable {
    var profile: ColumnProfile
    /// Full-length values for numeric columns (ints and floats), NaN where missing.
    var values: [Double]?
    /// Full-length average ranks among present values, NaN where missing (numeric columns).
    var ranks: [Double]?
    /// Sorted present values (numeric, date and datetime columns).
    var sorted: [Double]?
    /// Full-length category codes, -1 where missing (string and bool columns).
    var codes: [Int32]?
    var categoryCount: Int = 0
    /// Category labels for `codes`.
    var labels: [String]?
}

/// Profiles one column.
struct ColumnProfiler {
    let options: ProfileOptions
    let rowCount: Int

    func profile(_ column: Column) -> ColumnWork {
        let missing = column.missingCount
        let count = column.count - missing
        var p = ColumnProfile(name: column.name, type: column.type, count: count, missing: missing,
                              missingPercent: percent(missing, column.count), distinct: 0, distinctPercent: 0,
                              topValues: [], numeric: nil, histogram: nil, outliers: nil, flags: [])
        var work = ColumnWork(profile: p)
        switch column.storage {
        case .string(let codes, let dict):
            work = categorical(column, codes: codes.array, labels: dict, into: p)
        case .bool(let values):
            work = categorical(column, codes: values.map { $0 ? 1 : 0 }, labels: ["false", "true"], into: p)
        case .float64, .int64, .date, .datetime:
            let all = column.doubles()!
            work = numeric(column, all: all, into: &p)
        }
        work.profile.flags = flags(work.profile, column: column)
        return work
    }

    private func percent(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) * 100 }

    private func numeric(_ column: Column, all: [Double], into p: inout ColumnProfile) -> ColumnWork {
        let present = column.validity == nil ? all : all.filter { !$0.isNaN }
        let order = present.withUnsafeBufferPointer { Sorting.argsort($0) }
        let sorted = order.map { present[Int($0)] }
        var work = ColumnWork(profile: p)
        let isTime = column.type == .date || column.type == .datetime
        func text(_ v: Double) -> String {
            switch column.type {
            case .date: return CivilDate.format(days: Int32(v))
            case .datetime: return CivilDate.format(micros: Int64((v * 1e6).rounded()))
            case .int64: return String(Int64(v))
            default: return formatDouble(v)
            }
        }
        // Distinct values and top counts from runs of the sorted values.
        var runs: [(value: Double, count: Int)] = []
        var i = 0
        while i < sorted.count {
            var j = i + 1
            while j < sorted.count, sorted[j] == sorted[i] { j += 1 }
            runs.append((sorted[i], j - i))
            i = j
        }
        p.distinct = runs.count
        p.distinctPercent = percent(runs.count, p.count)
        // Pick the most frequent runs by number first; format only those.
        let top = Self.topIndices(runs.map(\.count), options.topValues)
        p.topValues = top.map { ValueCount(value: text(runs[$0].value), count: runs[$0].count) }
        if !sorted.isEmpty {
            sorted.withUnsafeBufferPointer { s in
                let m = present.withUnsafeBufferPointer { Statistics.moments($0) }
                var q: [String: Double] = [:]
                for (k, v) in [("p1", 0.01), ("p5", 0.05), ("p25", 0.25), ("p50", 0.5), ("p75", 0.75), ("p95", 0.95), ("p99", 0.99)] {
                    q[k] = Statistics.quantile(sorted: s, v)
                }
                let finite = s.first!.isFinite && s.last!.isFinite
                p.numeric = NumericSummary(min: s.first!, max: s.last!, mean: m.mean, std: finite ? m.std : nil,
                                           skewness: finite ? m.skewness : nil, quantiles: q,
                                           zeros: isTime ? 0 : present.reduce(0) { $0 + ($1 == 0 ? 1 : 0) },
                                           minText: isTime ? text(s.first!) : nil, maxText: isTime ? text(s.last!) : nil)
                if finite {
                    let h = Statistics.histogram(sorted: s, bins: options.histogramBins)
                    p.histogram = Histogram(edges: h.edges, counts: h.counts)
                }
                if !isTime, let q1 = q["p25"], let q3 = q["p75"] {
                    let iqr = q3 - q1
                    let lo = q1 - 1.5 * iqr, hi = q3 + 1.5 * iqr
                    p.outliers = Outliers(count: present.reduce(0) { $0 + ($1 < lo || $1 > hi ? 1 : 0) },
                                          lowerFence: lo, upperFence: hi)
                }
            }
        }
        work.profile = p
        work.sorted = sorted
        if column.type.isNumeric {
            work.values = all
            let ranks = present.withUnsafeBufferPointer { Sorting.averageRanks($0, order: order) }
            if present.count == all.count {
                work.ranks = ranks
            } else {
                var full = [Double](repeating: .nan, count: all.count)
                var k = 0
                for r in 0..<all.count where !all[r].isNaN { full[r] = ranks[k]; k += 1 }
                work.ranks = full
            }
        }
        return work
    }

    private func categorical(_ column: Column, codes: [Int32], labels: [String], into p: ColumnProfile) -> ColumnWork {
        var p = p
        var counts = [Int](repeating: 0, count: labels.count)
        var full = [Int32](repeating: -1, count: codes.count)
        for i in 0..<codes.count where column.isValid(i) {
            counts[Int(codes[i])] += 1
            full[i] = codes[i]
        }
        p.distinct = counts.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
        p.distinctPercent = percent(p.distinct, p.count)
        p.topValues = topK(zip(labels, counts).filter { $0.1 > 0 }.map { ($0.0, $0.1) })
        var work = ColumnWork(profile: p)
        work.codes = full
        work.labels = labels
        work.categoryCount = labels.count
        work.profile = p
        return work
    }

    /// Indices of the `k` largest counts, largest first, ties by index: one pass keeping the best `k`.
    static func topIndices(_ counts: [Int], _ k: Int) -> [Int] {
        var best: [Int] = []
        best.reserveCapacity(k + 1)
        for i in counts.indices {
            if best.count == k, let last = best.last, counts[last] >= counts[i] { continue }
            var pos = best.count
            while pos > 0, counts[best[pos - 1]] < counts[i] { pos -= 1 }
            best.insert(i, at: pos)
            if best.count > k { best.removeLast() }
        }
        return best
    }

    private func topK(_ pairs: [(String, Int)]) -> [ValueCount] {
        pairs.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(options.topValues)
            .map { ValueCount(value: $0.0, count: $0.1) }
    }

    /// Flags a column's shape problems (thresholds in docs/profiling.md).
    private func flags(_ p: ColumnProfile, column: Column) -> [String] {
        var f: [String] = []
        if p.distinct <= 1 { f.append("constant") }
        else if let top = p.topValues.first, Double(top.count) >= 0.95 * Double(p.count) { f.append("near-constant") }
        if column.type == .string, p.distinct > 50, p.distinctPercent > 50, p.distinct < p.count { f.append("high-cardinality") }
        if (column.type == .string || column.type == .int64), p.missing == 0, p.count >= 20, p.distinct == p.count {
            f.append("id-like")
        }
        if case .string(let codes, let dict) = column.storage, p.count > 0 {
            var counts = [Int](repeating: 0, count: dict.count)
            for i in 0..<codes.count where column.isValid(i) { counts[Int(codes[i])] += 1 }
            var dateLike = 0, numeric = 0
            for (k, s) in dict.enumerated() where counts[k] > 0 {
                if Self.looksLikeDate(s) { dateLike += counts[k] }
                if ValueParser.parse(s.trimmingCharacters(), ValueParser.double) != nil { numeric += counts[k] }
            }
            if Double(dateLike) >= 0.9 * Double(p.count) { f.append("date-like-strings") }
            if numeric > 0, Double(numeric) >= 0.1 * Double(p.count), numeric < p.count { f.append("mixed-types") }
        }
        return f
    }

    /// Dates in forms the reader does not type as dates: `YYYY-MM`, `YYYY/MM`, `DD.MM.YYYY`, or a date
    /// or datetime among other text.
    static func looksLikeDate(_ s: String) -> Bool {
        if ValueParser.parse(s, ValueParser.date) != nil || ValueParser.parse(s, ValueParser.datetime) != nil { return true }
        let b = Array(s.utf8)
        func digits(_ r: Range<Int>) -> Bool { r.allSatisfy { b[$0] >= 48 && b[$0] <= 57 } }
        if b.count == 7, digits(0..<4), b[4] == 45 || b[4] == 47, digits(5..<7) {
            let m = Int(s.suffix(2))!
            return m >= 1 && m <= 12
        }
        if b.count == 10, digits(0..<2), b[2] == 46, digits(3..<5), b[5] == 46, digits(6..<10) { return true }
        return false
    }
}

extension String {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
