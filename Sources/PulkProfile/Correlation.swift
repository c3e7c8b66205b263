import PulkFrame

/// Association matrices between columns.
enum Correlation {
    /// Pearson (on values) or Spearman (on ranks) matrix over pairwise-complete rows, as pandas'
    /// `DataFrame.corr`. Pairs without missing values take a SIMD dot-product path.
    static func matrix(_ columns: [[Double]], rankWhenMissing: Bool, threads: Int) -> [[Double?]] {
        let p = columns.count
        guard p > 0 else { return [] }
        let n = columns[0].count
        // Means and sums of squares of complete columns, so a pair's correlation is one centred dot product.
        let complete = columns.map { !$0.contains { $0.isNaN } }
        let moments: [(mean: Double, ss: Double)?] = columns.enumerated().map { j, c in
            guard complete[j], n > 1 else { return nil }
            let mean = c.reduce(0, +) / Double(n)
            let ss = c.withUnsafeBufferPointer { Kernels.centredDot($0.baseAddress!, mean, $0.baseAddress!, mean, n) }
            return ss > 0 ? (mean, ss) : nil
        }
        var pairs: [(Int, Int)] = []
        for a in 0..<p { for b in a..<p { pairs.append((a, b)) } }
        let slots = ResultSlots<Double?>(count: pairs.count)
        let pairList = pairs
        parallelFor(pairs.count, threads: threads) { k in
            let (a, b) = pairList[k]
            if let x = moments[a], let y = moments[b] {
                let s = columns[a].withUnsafeBufferPointer { xa in
                    columns[b].withUnsafeBufferPointer { ya in
                        Kernels.centredDot(xa.baseAddress!, x.mean, ya.baseAddress!, y.mean, n)
                    }
                }
                slots[k] = Kernels.clamp(s / (x.ss * y.ss).squareRoot())
            } else if complete[a] && complete[b] {
                slots[k] = nil // a constant column: undefined
            } else if rankWhenMissing {
                slots[k] = spearmanPairwise(columns[a], columns[b])
            } else {
                slots[k] = columns[a].withUnsafeBufferPointer { xa in
                    columns[b].withUnsafeBufferPointer { ya in Kernels.pearsonPairwise(xa.baseAddress!, ya.baseAddress!, n) }
                }
            }
        }
        var m = [[Double?]](repeating: [Double?](repeating: nil, count: p), count: p)
        for (k, (a, b)) in pairs.enumerated() {
            m[a][b] = slots[k] ?? nil
            m[b][a] = slots[k] ?? nil
        }
        for a in 0..<p where m[a][a] != nil { m[a][a] = 1 }
        return m
    }

    /// Spearman over the rows where both are present, ranking those rows afresh (as pandas does).
    /// `x` and `y` hold ranks or values; only their order matters.
    static func spearmanPairwise(_ x: [Double], _ y: [Double]) -> Double? {
        var xs: [Double] = [], ys: [Double] = []
        for i in 0..<x.count where !x[i].isNaN && !y[i].isNaN { xs.append(x[i]); ys.append(y[i]) }
        guard xs.count > 1 else { return nil }
        let rx = xs.withUnsafeBufferPointer { Sorting.averageRanks($0, order: Sorting.argsort($0)) }
        let ry = ys.withUnsafeBufferPointer { Sorting.averageRanks($0, order: Sorting.argsort($0)) }
        return rx.withUnsafeBufferPointer { a in
            ry.withUnsafeBufferPointer { b in Kernels.pearsonPairwise(a.baseAddress!, b.baseAddress!, a.count) }
        }
    }

    /// Cramér's V (no bias or continuity correction) over rows where both codes are present (≥ 0).
    static func cramersV(_ a: [Int32], _ ka: Int, _ b: [Int32], _ kb: Int) -> Double? {
        var table = [Int](repeating: 0, count: ka * kb)
        var n = 0
        for i in 0..<a.count where a[i] >= 0 && b[i] >= 0 {
            table[Int(a[i]) * kb + Int(b[i])] += 1
            n += 1
        }
        guard n > 0 else { return nil }
        var rows = [Int](repeating: 0, count: ka), cols = [Int](repeating: 0, count: kb)
        for r in 0..<ka { for c in 0..<kb { rows[r] += table[r * kb + c]; cols[c] += table[r * kb + c] } }
        let usedRows = rows.filter { $0 > 0 }.count, usedCols = cols.filter { $0 > 0 }.count
        let k = min(usedRows, usedCols)
        guard k > 1 else { return nil }
        var chi2 = 0.0
        for r in 0..<ka where rows[r] > 0 {
            for c in 0..<kb where cols[c] > 0 {
                let e = Double(rows[r]) * Double(cols[c]) / Double(n)
                let d = Double(table[r * kb + c]) - e
                chi2 += d * d / e
            }
        }
        return min(1, (chi2 / Double(n) / Double(k - 1)).squareRoot())
    }

    /// Correlation ratio η of numbers `x` grouped by categories `g` (rows where both are present).
    static func correlationRatio(_ x: [Double], _ g: [Int32], _ k: Int) -> Double? {
        var sums = [Double](repeating: 0, count: k), counts = [Int](repeating: 0, count: k)
        var total = 0.0, n = 0
        for i in 0..<x.count where !x[i].isNaN && g[i] >= 0 {
            sums[Int(g[i])] += x[i]; counts[Int(g[i])] += 1; total += x[i]; n += 1
        }
        guard n > 1 else { return nil }
        let mean = total / Double(n)
        var between = 0.0
        for c in 0..<k where counts[c] > 0 {
            let d = sums[c] / Double(counts[c]) - mean
            between += Double(counts[c]) * d * d
        }
        var totalSS = 0.0
        for i in 0..<x.count where !x[i].isNaN && g[i] >= 0 { let d = x[i] - mean; totalSS += d * d }
        guard totalSS > 0 else { return nil }
        return min(1, (between / totalSS).squareRoot())
    }
}
