import Foundation
import PulkFrame

/// One column's drift, data quality and distribution (the work of one core).
struct ColumnComparison {
    enum Outcome { case tested(ColumnDrift), skipped(SkippedColumn) }

    let options: DriftOptions

    func compare(_ r: Column, _ c: Column, role: ColumnDrift.Role) -> Outcome {
        DriftAnalyzer.kind(r, c) == .numerical ? numeric(r, c, role: role) : categorical(r, c, role: role)
    }

    private func threshold(_ name: String, _ method: DriftMethod) -> Double {
        options.thresholds[name] ?? options.threshold ?? method.defaultThreshold
    }

    private func method(_ name: String, numeric: Bool) -> DriftMethod? {
        guard let m = options.methods[name] ?? options.method, m.applies(numeric: numeric) else { return nil }
        return m
    }

    // MARK: Numeric columns

    /// Present, finite values (Evidently drops NaN and ±∞ before testing), sorted.
    static func finiteSorted(_ c: Column) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(c.count - c.missingCount)
        func add(_ v: Double, _ i: Int) { if v.isFinite && c.isValid(i) { out.append(v) } }
        switch c.storage {
        case .float64(let v):
            v.withUnsafeBufferPointer { b in
                if c.validity == nil { for x in b where x.isFinite { out.append(x) } } else { for i in 0..<b.count { add(b[i], i) } }
            }
        case .int64(let v): v.withUnsafeBufferPointer { b in for i in 0..<b.count where c.isValid(i) { out.append(Double(b[i])) } }
        default: break
        }
        return Sorting.sorted(out)
    }

    /// Distinct values of one sorted sample, stopping once more than `limit` are seen.
    static func distinctCount(_ s: [Double], limit: Int) -> Int {
        var n = 0
        var i = 0
        while i < s.count {
            n += 1
            if n > limit { return n }
            let v = s[i]
            while i < s.count && s[i] == v { i += 1 }
        }
        return n
    }

    /// Each distinct value of either sorted sample with its count in both (the categories of a
    /// numeric column with few values).
    static func valueCounts(_ a: [Double], _ b: [Double]) -> (values: [Double], ref: [Double], cur: [Double]) {
        var values: [Double] = [], ra: [Double] = [], rb: [Double] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            let v = j >= b.count || (i < a.count && a[i] <= b[j]) ? a[i] : b[j]
            let i0 = i, j0 = j
            while i < a.count && a[i] == v { i += 1 }
            while j < b.count && b[j] == v { j += 1 }
            values.append(v); ra.append(Double(i - i0)); rb.append(Double(j - j0))
        }
        return (values, ra, rb)
    }

    private func numeric(_ rc: Column, _ cc: Column, role: ColumnDrift.Role) -> Outcome {
        let ref = Self.finiteSorted(rc), cur = Self.finiteSorted(cc)
        if ref.isEmpty || cur.isEmpty {
            return .skipped(SkippedColumn(name: rc.name, reason: "no finite value in the \(ref.isEmpty ? "reference" : "current") data"))
        }
        let integer = rc.type == .int64 && cc.type == .int64
        let refDistinct = Self.distinctCount(ref, limit: 20)
        // few values: compared as categories (Evidently's rule: ≤ 20 distinct in the reference)
        let few = refDistinct <= 20 ? Self.valueCounts(ref, cur) : nil
        let allDistinct = few?.values.count ?? 21 // more than 20 in the reference alone
        let chosen = method(rc.name, numeric: true) ?? {
            if ref.count <= 1000 { return allDistinct <= 5 ? (allDistinct > 2 ? .chisquare : .z) : .ks }
            return allDistinct <= 5 ? .jensenshannon : .wasserstein
        }()
        let shares: Distribution
        if let few {
            shares = Distribution(edges: nil, labels: few.values.map(formatDouble),
                                  reference: few.ref.map { $0 / Double(ref.count) }, current: few.cur.map { $0 / Double(cur.count) })
        } else {
            let edges = Binning.sturgesEdges(low: min(ref[0], cur[0]), high: max(ref.last!, cur.last!), count: ref.count + cur.count,
                                             integer: integer)
            let rcounts = ref.withUnsafeBufferPointer { Binning.counts(sorted: $0, edges: edges) }
            let ccounts = cur.withUnsafeBufferPointer { Binning.counts(sorted: $0, edges: edges) }
            shares = Distribution(edges: edges, labels: nil,
                                  reference: rcounts.map { Double($0) / Double(ref.count) }, current: ccounts.map { Double($0) / Double(cur.count) })
        }
        let value: Double = ref.withUnsafeBufferPointer { a in
            cur.withUnsafeBufferPointer { b in
                switch chosen {
                case .ks: return DriftStatistics.kolmogorovSmirnov(a, b).pValue
                case .anderson: return DriftStatistics.andersonDarling(a, b)?.pValue ?? 1
                case .wasserstein:
                    return DriftStatistics.wasserstein(a, b) / max(DriftStatistics.meanAndStandardDeviation(a).std, 0.001)
                case .chisquare, .z, .tv:
                    let counts = few ?? Self.valueCounts(ref, cur)
                    return Self.categoricalValue(chosen, ref: counts.ref, cur: counts.cur)
                case .jensenshannon, .psi, .kl:
                    return Self.binnedValue(chosen, shares)
                case .hellinger:
                    return Self.numericHellinger(ref, cur, integer: integer)
                }
            }
        }
        let quality = DataQuality(
            referenceMissing: rc.count - ref.count, currentMissing: cc.count - cur.count,
            referenceMissingRate: Double(rc.count - ref.count) / Double(max(rc.count, 1)),
            currentMissingRate: Double(cc.count - cur.count) / Double(max(cc.count, 1)),
            outOfRange: Self.outside(cur, low: ref[0], high: ref.last!), referenceMin: ref[0], referenceMax: ref.last!,
            unseenRows: nil, unseenCategories: nil)
        return .tested(finish(rc.name, role: role, kind: .numerical, method: chosen, value: value, referenceCount: ref.count,
                              distribution: shares, quality: quality))
    }

    static func outside(_ sorted: [Double], low: Double, high: Double) -> Int {
        var below = 0
        while below < sorted.count && sorted[below] < low { below += 1 }
        var above = 0
        while above < sorted.count - below && sorted[sorted.count - 1 - above] > high { above += 1 }
        return below + above
    }

    /// Evidently's Hellinger distance on numbers: Sturges bins over the distinct values of both
    /// samples, densities, Σ √(p·q)·width.
    static func numericHellinger(_ ref: [Double], _ cur: [Double], integer: Bool) -> Double {
        let distinct = valueCounts(ref, cur).values
        let edges = Binning.sturgesEdges(low: distinct[0], high: distinct.last!, count: distinct.count, integer: integer)
        let rc = ref.withUnsafeBufferPointer { Binning.counts(sorted: $0, edges: edges) }
        let cc = cur.withUnsafeBufferPointer { Binning.counts(sorted: $0, edges: edges) }
        let rt = Double(rc.reduce(0, +)), ct = Double(cc.reduce(0, +))
        let width = (edges.last! - edges[0]) / Double(edges.count - 1)
        var bc = 0.0
        for k in 0..<rc.count {
            let w = edges[k + 1] - edges[k]
            bc += (Double(rc[k]) / rt / w * Double(cc[k]) / ct / w).squareRoot() * width
        }
        return DriftStatistics.hellinger(bhattacharyya: bc)
    }

    static func binnedValue(_ m: DriftMethod, _ d: Distribution) -> Double {
        switch m {
        case .jensenshannon: return DriftStatistics.jensenShannon(d.reference, d.current)
        case .psi: return DriftStatistics.populationStability(Binning.fillZeros(d.reference), Binning.fillZeros(d.current))
        case .kl: return DriftStatistics.kullbackLeibler(Binning.fillZeros(d.reference), Binning.fillZeros(d.current))
        default: preconditionFailure("not a binned method")
        }
    }

    /// chisquare, z and tv over per-category counts (in sorted category order for z).
    static func categoricalValue(_ m: DriftMethod, ref: [Double], cur: [Double]) -> Double {
        switch m {
        case .chisquare: return DriftStatistics.chiSquare(reference: ref, current: cur).pValue
        case .z:
            let nr = ref.reduce(0, +), nc = cur.reduce(0, +)
            return DriftStatistics.zTest(firstReference: ref[0], nReference: nr, firstCurrent: cur[0], nCurrent: nc).pValue
        case .tv: return DriftStatistics.totalVariation(ref, cur)
        default: preconditionFailure("not a count method")
        }
    }

    // MARK: Categorical columns

    /// Category → count of present values (text, or true/false for booleans).
    static func categoryCounts(_ c: Column) -> [String: Int] {
        var out: [String: Int] = [:]
        switch c.storage {
        case .string(let codes, let dict):
            var byCode = [Int](repeating: 0, count: dict.count)
            codes.withUnsafeBufferPointer { b in
                if c.validity == nil { for x in b { byCode[Int(x)] += 1 } } else { for i in 0..<b.count where c.isValid(i) { byCode[Int(b[i])] += 1 } }
            }
            for (k, n) in byCode.enumerated() where n > 0 { out[dict[k], default: 0] += n }
        default:
            for i in 0..<c.count where c.isValid(i) {
                let v = c.value(at: i)
                if case .double(let d) = v, !d.isFinite { continue }
                out[v.description, default: 0] += 1
            }
        }
        return out
    }

    private func categorical(_ rc: Column, _ cc: Column, role: ColumnDrift.Role) -> Outcome {
        let refCounts = Self.categoryCounts(rc), curCounts = Self.categoryCounts(cc)
        let nr = refCounts.values.reduce(0, +), nc = curCounts.values.reduce(0, +)
        if nr == 0 || nc == 0 {
            return .skipped(SkippedColumn(name: rc.name, reason: "no value in the \(nr == 0 ? "reference" : "current") data"))
        }
        let keys = Set(refCounts.keys).union(curCounts.keys).sorted()
        let ref = keys.map { Double(refCounts[$0] ?? 0) }, cur = keys.map { Double(curCounts[$0] ?? 0) }
        let chosen = method(rc.name, numeric: false) ?? (nr <= 1000 ? (keys.count > 2 ? .chisquare : .z) : .jensenshannon)
        let shares = Distribution(edges: nil, labels: keys, reference: ref.map { $0 / Double(nr) }, current: cur.map { $0 / Double(nc) })
        let value: Double
        switch chosen {
        case .chisquare, .z, .tv: value = Self.categoricalValue(chosen, ref: ref, cur: cur)
        case .jensenshannon, .psi, .kl: value = Self.binnedValue(chosen, shares)
        case .hellinger:
            var bc = 0.0
            for k in keys.indices { bc += (shares.reference[k] * shares.current[k]).squareRoot() }
            value = DriftStatistics.hellinger(bhattacharyya: bc)
        case .ks, .anderson, .wasserstein: preconditionFailure("checked before")
        }
        let unseen = keys.filter { refCounts[$0] == nil }.sorted { curCounts[$0]! > curCounts[$1]! }
        let quality = DataQuality(
            referenceMissing: rc.count - nr, currentMissing: cc.count - nc,
            referenceMissingRate: Double(rc.count - nr) / Double(rc.count), currentMissingRate: Double(cc.count - nc) / Double(cc.count),
            outOfRange: nil, referenceMin: nil, referenceMax: nil,
            unseenRows: unseen.reduce(0) { $0 + curCounts[$1]! }, unseenCategories: Array(unseen.prefix(5)))
        return .tested(finish(rc.name, role: role, kind: .categorical, method: chosen, value: value, referenceCount: nr,
                              distribution: Self.topCategories(shares, limit: 30), quality: quality,
                              size: DriftStatistics.jensenShannon(shares.reference, shares.current)))
    }

    /// The `limit` categories with the largest shares in either window, the rest summed as "(other)".
    static func topCategories(_ d: Distribution, limit: Int) -> Distribution {
        guard let labels = d.labels, labels.count > limit else { return d }
        let order = labels.indices.sorted { max(d.reference[$0], d.current[$0]) > max(d.reference[$1], d.current[$1]) }
        let kept = Array(order.prefix(limit - 1)), rest = order.dropFirst(limit - 1)
        return Distribution(edges: nil, labels: kept.map { labels[$0] } + ["(other)"],
                            reference: kept.map { d.reference[$0] } + [rest.reduce(0) { $0 + d.reference[$1] }],
                            current: kept.map { d.current[$0] } + [rest.reduce(0) { $0 + d.current[$1] }])
    }

    private func finish(_ name: String, role: ColumnDrift.Role, kind: ColumnDrift.Kind, method: DriftMethod, value: Double,
                        referenceCount: Int, distribution: Distribution, quality: DataQuality, size: Double? = nil) -> ColumnDrift {
        let limit = threshold(name, method)
        // over every category, not only those drawn
        let size = size ?? DriftStatistics.jensenShannon(distribution.reference, distribution.current)
        var drifted = method.drifted(value, threshold: limit)
        var note: String? = nil
        if drifted && method.isPValue && referenceCount > 1000 && size < options.minimumDriftSize {
            drifted = false
            note = "p-value below \(formatDouble(limit)) but the drift size \(String(format: "%.3f", size)) is below the minimum \(formatDouble(options.minimumDriftSize)): on large samples tiny differences are significant"
        }
        return ColumnDrift(name: name, role: role, kind: kind, method: method, value: value.isFinite ? value : nil, threshold: limit,
                           drifted: drifted, driftSize: size, importance: nil, score: size, note: note, quality: quality,
                           distribution: distribution)
    }
}
