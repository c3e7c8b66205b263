import Foundation

/// The distribution functions the drift tests need for their p-values.
enum Distributions {
    /// P(Z > z) for a standard normal Z.
    static func normalSurvival(_ z: Double) -> Double { 0.5 * erfc(z / 2.0.squareRoot()) }

    /// P(X > x) for X ~ χ²(df): the regularized upper incomplete gamma Q(df/2, x/2).
    static func chiSquareSurvival(_ x: Double, degreesOfFreedom df: Double) -> Double {
        if x.isNaN || df.isNaN { return .nan }
        if x == .infinity { return 0 }
        if x <= 0 { return 1 }
        return upperRegularizedGamma(df / 2, x / 2)
    }

    /// Q(a, x) = Γ(a, x) / Γ(a): a power series for x < a + 1, else Lentz's continued fraction.
    static func upperRegularizedGamma(_ a: Double, _ x: Double) -> Double {
        if x <= 0 { return 1 }
        let logPrefix = a * log(x) - x - lgamma(a)
        if x < a + 1 {
            var term = 1 / a, sum = term, n = a
            for _ in 0..<10_000 {
                n += 1
                term *= x / n
                sum += term
                if abs(term) < abs(sum) * 1e-17 { break }
            }
            return max(0, 1 - sum * exp(logPrefix))
        }
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1...10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return min(1, exp(logPrefix) * h)
    }

    /// The two-sided two-sample Kolmogorov–Smirnov p-value P(D ≥ d) for samples of sizes `n1` and
    /// `n2`. Exact (counting lattice paths, as scipy's `ks_2samp` with `method="auto"`) when neither
    /// sample has more than 10,000 values; otherwise the one-sample distribution of D at
    /// n = n1·n2/(n1+n2) by the Pelz–Good expansion. Returns the statistic as rounded onto the lattice.
    static func kolmogorovSmirnovTwoSided(d: Double, n1: Int, n2: Int) -> (d: Double, p: Double) {
        if max(n1, n2) <= 10_000, let exact = exactTwoSample(d: d, n1: n1, n2: n2) { return exact }
        let (m, n) = (Double(max(n1, n2)), Double(min(n1, n2)))
        let en = (m * n / (m + n)).rounded(.toNearestOrEven)
        return (d, min(1, max(0, kolmogorovSurvival(n: en, x: d))))
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

    private static func exactTwoSample(d: Double, n1: Int, n2: Int) -> (d: Double, p: Double)? {
        let g = gcd(n1, n2)
        let lcm = (n1 / g) * n2
        let h = Int((d * Double(lcm)).rounded(.toNearestOrEven))
        let dd = Double(h) / Double(lcm)
        if h == 0 { return (dd, 1) }
        let p = n1 == n2 ? outsideSquare(n: n1, h: h) : outsideDiagonals(n1, n2, g: g, h: h)
        guard p.isFinite, p >= 0, p <= 1 else { return nil }
        return (dd, p)
    }

    /// For equal sizes: the share of lattice paths that reach |x − y| ≥ h, from the alternating sum
    /// 2·Σ (−1)^(k+1) C(2n, n−kh)/C(2n, n), each ratio a product of h factors, nested (Horner) so
    /// that the terms do not cancel.
    private static func outsideSquare(n: Int, h: Int) -> Double {
        var p = 0.0
        var k = n / h
        while k >= 0 {
            var ratio = 1.0
            for j in 0..<h { ratio = Double(n - k * h - j) * ratio / Double(n + k * h + j + 1) }
            p = ratio * (1 - p)
            k -= 1
        }
        return 2 * p
    }

    /// For unequal sizes: walks the lattice column by column keeping, for the band of cells that
    /// stay strictly inside |x/m − y/n| < h/lcm, the share of paths that have left it (Hodges'
    /// inside method, in the form that carries 1 − p so that small p-values keep their digits).
    private static func outsideDiagonals(_ a: Int, _ b: Int, g: Int, h: Int) -> Double {
        let (m, n) = a >= b ? (a, b) : (b, a)
        let mg = m / g, ng = n / g
        var minj = 0
        var maxj = min(Int((Double(h) / Double(mg)).rounded(.up)), n + 1)
        var width = maxj - minj
        let length = min(2 * maxj + 2, n + 1)
        var column = [Double](repeating: 1, count: max(length, 1))
        for j in minj..<maxj { column[j] = 0 }
        for i in 1...m {
            let lastMin = minj, lastWidth = width
            minj = min(max(Int((Double(ng * i - h) / Double(mg)).rounded(.down)) + 1, 0), n)
            maxj = min(Int((Double(ng * i + h) / Double(mg)).rounded(.up)), n + 1)
            if maxj <= minj { return 1 }
            var value = minj == 0 ? 0.0 : 1.0
            for jj in 0..<(maxj - minj) {
                let j = jj + minj
                value = (column[jj + minj - lastMin] * Double(i) + value * Double(j)) / Double(i + j)
                column[jj] = value
            }
            width = maxj - minj
            if lastWidth > width {
                for k in width..<min(width + lastWidth - width, column.count) { column[k] = 1 }
            }
        }
        return column[maxj - minj - 1]
    }

    /// P(D_n ≥ x) for the one-sample two-sided Kolmogorov statistic, by the Pelz–Good asymptotic
    /// expansion (exact at the ends of the range).
    static func kolmogorovSurvival(n: Double, x: Double) -> Double {
        if x <= 0 { return 1 }
        if x >= 1 { return 0 }
        let t = n * x
        if t >= n - 1 { return 2 * pow(1 - x, n) }
        if t * x >= 370 { return 0 }
        let z = n.squareRoot() * x
        let z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2
        let pi2 = Double.pi * Double.pi, pi4 = pi2 * pi2, pi6 = pi4 * pi2
        let qlog = -pi2 / 8 / z2
        if qlog < -708 { return 1 }
        let q = exp(qlog)
        let k1a = -z2, k1b = pi2 / 4
        let k2a = 6 * z6 + 2 * z4, k2b = (2 * z4 - 5 * z2) * pi2 / 4, k2c = pi4 * (1 - 2 * z2) / 16
        let k3d = pi6 * (5 - 30 * z2) / 64, k3c = pi4 * (-60 * z2 + 212 * z4) / 16
        let k3b = pi2 * (135 * z4 - 96 * z6) / 4, k3a = -30 * z6 - 90 * z4 * z4
        var k = [0.0, 0.0, 0.0, 0.0]
        let maxk = Int((16 * z / Double.pi).rounded(.up))
        if maxk >= 1 {
            for kk in stride(from: maxk, through: 1, by: -1) {
                let m = Double(2 * kk - 1), m2 = m * m, m4 = m2 * m2, m6 = m4 * m2
                let qp = pow(q, Double(8 * kk))
                let c = [1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6]
                for i in 0..<4 { k[i] = k[i] * qp + c[i] }
            }
        }
        let root2pi = (2 * Double.pi).squareRoot()
        let denominators = [z, 6 * z4, 72 * z6 * z, 6480 * z6 * z4]
        for i in 0..<4 { k[i] = k[i] * q * root2pi / denominators[i] }
        let q2 = exp(-pi2 / 2 / z2)
        var k2extra = 0.0, k3extra = 0.0
        if maxk >= 1 {
            for kk in 1...maxk {
                let ks = Double(kk), ks2 = ks * ks
                let qp = pow(q2, ks2)
                k2extra += ks2 * qp
                let s3z = 3.0.squareRoot() * z, kpi = Double.pi * ks
                k3extra += (s3z + kpi) * (s3z - kpi) * ks2 * qp
            }
        }
        k[2] += k2extra * pi2 * root2pi / (-36 * z3)
        k[3] += k3extra * pi2 * root2pi / (216 * z6)
        var cdf = 0.0
        for i in 0..<4 { cdf += k[i] / pow(n, Double(i) / 2) }
        return 1 - cdf
    }
}
