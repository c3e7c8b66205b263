import Foundation

/// The two-sample statistics of drift detection, over present values only. Numeric tests take both
/// samples sorted ascending; categorical ones take per-category counts aligned on one key list.
/// Each follows the reference implementation it is tested against (scipy for the tests, Evidently
/// for the binned distances), so a figure means what a data scientist expects it to mean.
public enum DriftStatistics {
    // MARK: Numeric samples (sorted ascending)

    /// The two-sided Kolmogorov–Smirnov test: D = sup |F_ref − F_cur| and its p-value (scipy's
    /// `ks_2samp`, exact up to 10,000 values per side).
    public static func kolmogorovSmirnov(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>) -> (statistic: Double, pValue: Double) {
        let n1 = a.count, n2 = b.count
        precondition(n1 > 0 && n2 > 0)
        var i = 0, j = 0
        var maxPlus = 0.0, maxMinus = 0.0
        while i < n1 || j < n2 {
            // the next distinct value, with every copy of it in either sample consumed
            let v = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j]
            while i < n1 && a[i] <= v { i += 1 }
            while j < n2 && b[j] <= v { j += 1 }
            let diff = Double(i) / Double(n1) - Double(j) / Double(n2)
            if diff > maxPlus { maxPlus = diff }
            if -diff > maxMinus { maxMinus = -diff }
        }
        let d = min(max(maxMinus, maxPlus), 1)
        let r = Distributions.kolmogorovSmirnovTwoSided(d: d, n1: n1, n2: n2)
        return (r.d, r.p)
    }

    /// The first Wasserstein (earth mover's) distance between the two empirical distributions:
    /// ∫ |F_a − F_b| dx (scipy's `wasserstein_distance`).
    public static func wasserstein(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>) -> Double {
        let n1 = a.count, n2 = b.count
        precondition(n1 > 0 && n2 > 0)
        var i = 0, j = 0
        var total = 0.0
        var previous = min(a[0], b[0])
        while i < n1 || j < n2 {
            let v = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j]
            // F_a and F_b are constant on [previous, v): their values count what lies before v
            total += abs(Double(i) / Double(n1) - Double(j) / Double(n2)) * (v - previous)
            previous = v
            while i < n1 && a[i] <= v { i += 1 }
            while j < n2 && b[j] <= v { j += 1 }
        }
        return total
    }

    /// The k-sample Anderson–Darling test for two samples (Scholz and Stephens' midrank A²akN,
    /// standardized), with the p-value interpolated from their critical values and clipped to
    /// 0.001…0.25 as scipy's `anderson_ksamp` does.
    public static func andersonDarling(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>) -> (statistic: Double, pValue: Double)? {
        let na = a.count, nb = b.count
        let n = na + nb
        guard na > 0, nb > 0, n >= 4 else { return nil }
        let N = Double(n)
        // walk the distinct values of the pooled sample: lj copies, Bj = before + lj/2, and for
        // each sample Mij = (its values ≤ z) − (its copies of z)/2
        var i = 0, j = 0
        var sumA = 0.0, sumB = 0.0
        var distinct = 0
        while i < na || j < nb {
            let z = j >= nb || (i < na && a[i] <= b[j]) ? a[i] : b[j]
            let before = Double(i + j)
            let i0 = i, j0 = j
            while i < na && a[i] <= z { i += 1 }
            while j < nb && b[j] <= z { j += 1 }
            distinct += 1
            let fa = Double(i - i0), fb = Double(j - j0)
            let lj = fa + fb
            let bj = before + lj / 2
            let denominator = bj * (N - bj) - N * lj / 4
            let ma = Double(i) - fa / 2, mb = Double(j) - fb / 2
            let ra = N * ma - bj * Double(na), rb = N * mb - bj * Double(nb)
            sumA += lj / N * ra * ra / denominator
            sumB += lj / N * rb * rb / denominator
        }
        guard distinct >= 2 else { return nil }
        let a2kn = (sumA / Double(na) + sumB / Double(nb)) * (N - 1) / N
        let k = 2.0
        let H = 1 / Double(na) + 1 / Double(nb)
        // h = Σ_{i=1}^{N-1} 1/i; g = Σ_{i=1}^{N-2} Σ_{j=i+1}^{N-1} 1/((N-i) j)
        var hsCumulative = 0.0, g = 0.0
        var t = n - 1
        var index = 2
        while t >= 2 {
            hsCumulative += 1 / Double(t)
            g += hsCumulative / Double(index)
            t -= 1
            index += 1
        }
        let h = hsCumulative + 1
        let ca = (4 * g - 6) * (k - 1) + (10 - 6 * g) * H
        let cb = (2 * g - 4) * k * k + 8 * h * k + (2 * g - 14 * h - 4) * H - 8 * h + 4 * g - 6
        let cc = (6 * h + 2 * g - 2) * k * k + (4 * h - 4 * g + 6) * k + (2 * h - 6) * H + 4 * h
        let cd = (2 * h + 6) * k * k - 4 * h * k
        let sigma2 = (ca * N * N * N + cb * N * N + cc * N + cd) / ((N - 1) * (N - 2) * (N - 3))
        let m = k - 1
        let a2 = (a2kn - m) / sigma2.squareRoot()
        let b0 = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085]
        let b1 = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615]
        let b2 = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154]
        let critical = (0..<7).map { b0[$0] + b1[$0] / m.squareRoot() + b2[$0] / m }
        let significance = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001]
        if a2 < critical.min()! { return (a2, 0.25) }
        if a2 > critical.max()! { return (a2, 0.001) }
        let c = quadraticFit(x: critical, y: significance.map { log($0) })
        return (a2, exp((c.0 * a2 + c.1) * a2 + c.2))
    }

    /// Least-squares y ≈ c0·x² + c1·x + c2 (as numpy's `polyfit(x, y, 2)`): the normal equations
    /// on x centred and scaled, solved by Gaussian elimination with pivoting, mapped back.
    static func quadraticFit(x: [Double], y: [Double]) -> (Double, Double, Double) {
        let mean = x.reduce(0, +) / Double(x.count)
        let scale = max(x.map { abs($0 - mean) }.max()!, .leastNormalMagnitude)
        let u = x.map { ($0 - mean) / scale }
        var m = [[Double]](repeating: [0, 0, 0, 0], count: 3)
        for (ui, yi) in zip(u, y) {
            let row = [ui * ui, ui, 1.0]
            for r in 0..<3 {
                for c in 0..<3 { m[r][c] += row[r] * row[c] }
                m[r][3] += row[r] * yi
            }
        }
        for col in 0..<3 {
            let pivot = (col..<3).max { abs(m[$0][col]) < abs(m[$1][col]) }!
            m.swapAt(col, pivot)
            for r in 0..<3 where r != col {
                let f = m[r][col] / m[col][col]
                for c in col..<4 { m[r][c] -= f * m[col][c] }
            }
        }
        let (p2, p1, p0) = (m[0][3] / m[0][0], m[1][3] / m[1][1], m[2][3] / m[2][2])
        // p2·u² + p1·u + p0 with u = (x − mean)/scale
        let s2 = scale * scale
        return (p2 / s2, p1 / scale - 2 * p2 * mean / s2, p2 * mean * mean / s2 - p1 * mean / scale + p0)
    }

    /// Mean and population standard deviation (ddof 0).
    public static func meanAndStandardDeviation(_ v: UnsafeBufferPointer<Double>) -> (mean: Double, std: Double) {
        guard !v.isEmpty else { return (.nan, .nan) }
        var sum = 0.0
        for x in v { sum += x }
        let mean = sum / Double(v.count)
        var ss = 0.0
        for x in v { ss += (x - mean) * (x - mean) }
        return (mean, (ss / Double(v.count)).squareRoot())
    }

    // MARK: Counts per category (aligned: the same key at the same index)

    /// Pearson's χ² test of homogeneity of the 2 × k table (reference and current counts per
    /// category), with k − 1 degrees of freedom and no continuity correction (scipy's
    /// `chi2_contingency(table, correction=False)`). Evidently's `chisquare` is instead a goodness
    /// of fit that takes the reference shares as exact: it ignores the reference's own sampling
    /// noise and flags about a quarter of identical distributions at 400 against 300 rows.
    public static func chiSquare(reference: [Double], current: [Double]) -> (statistic: Double, pValue: Double) {
        let totalRef = reference.reduce(0, +), totalCur = current.reduce(0, +)
        let total = totalRef + totalCur
        var stat = 0.0
        var categories = 0
        for (r, c) in zip(reference, current) where r + c > 0 {
            categories += 1
            let er = totalRef * (r + c) / total, ec = totalCur * (r + c) / total
            stat += (r - er) * (r - er) / er + (c - ec) * (c - ec) / ec
        }
        if categories < 2 { return (0, 1) }
        return (stat, Distributions.chiSquareSurvival(stat, degreesOfFreedom: Double(categories - 1)))
    }

    /// The two-proportion Z-test (two-sided) for a feature of at most two values: `firstReference`
    /// and `firstCurrent` count the rows holding the first value (in sorted order) out of `nReference`
    /// and `nCurrent` (Evidently's `z` test). Identical constant samples give p = 1.
    public static func zTest(firstReference: Double, nReference: Double, firstCurrent: Double, nCurrent: Double) -> (statistic: Double, pValue: Double) {
        let p1 = (nReference - firstReference) / nReference, p2 = (nCurrent - firstCurrent) / nCurrent
        let pooled = (p1 * nReference + p2 * nCurrent) / (nReference + nCurrent)
        let se = (pooled * (1 - pooled) * (1 / nReference + 1 / nCurrent)).squareRoot()
        if se == 0 { return (0, p1 == p2 ? 1 : 0) }
        let z = (p1 - p2) / se
        return (z, 2 * Distributions.normalSurvival(abs(z)))
    }

    /// The Jensen–Shannon distance (natural log) between two share vectors (scipy's
    /// `distance.jensenshannon`): each is normalized to sum 1 first.
    public static func jensenShannon(_ p: [Double], _ q: [Double]) -> Double {
        let sp = p.reduce(0, +), sq = q.reduce(0, +)
        var left = 0.0, right = 0.0
        for (pi, qi) in zip(p, q) {
            let a = pi / sp, b = qi / sq, m = (a + b) / 2
            if a > 0 { left += a * log(a / m) }
            if b > 0 { right += b * log(b / m) }
        }
        return max(0, (left + right) / 2).squareRoot()
    }

    /// The population stability index Σ (r − c)·ln(r / c) over shares with no zeros.
    public static func populationStability(_ r: [Double], _ c: [Double]) -> Double {
        var s = 0.0
        for (ri, ci) in zip(r, c) { s += (ri - ci) * log(ri / ci) }
        return s
    }

    /// The Kullback–Leibler divergence KL(r ‖ c) of shares with no zeros, each normalized first
    /// (scipy's `entropy(r, c)`).
    public static func kullbackLeibler(_ r: [Double], _ c: [Double]) -> Double {
        let sr = r.reduce(0, +), sc = c.reduce(0, +)
        var s = 0.0
        for (ri, ci) in zip(r, c) where ri > 0 { s += ri / sr * log((ri / sr) / (ci / sc)) }
        return s
    }

    /// The total variation distance ½ Σ |r − c| between two share vectors.
    public static func totalVariation(_ r: [Double], _ c: [Double]) -> Double {
        let sr = r.reduce(0, +), sc = c.reduce(0, +)
        var s = 0.0
        for (ri, ci) in zip(r, c) { s += abs(ri / sr - ci / sc) }
        return s / 2
    }

    /// The Hellinger distance √(1 − Σ √(r·c)) between two share vectors (or densities times bin width).
    public static func hellinger(bhattacharyya: Double) -> Double {
        (1 - min(max(bhattacharyya, 0), 1)).squareRoot()
    }
}
