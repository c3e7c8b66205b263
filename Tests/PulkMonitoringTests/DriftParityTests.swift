import Foundation
import PulkFrame
import PulkTestSupport
import Testing

@testable import PulkMonitoring

/// A seeded source of uniform and normal numbers (splitmix64, Box–Muller).
struct Noise {
    var state: UInt64
    init(_ seed: UInt64) { state = (seed &+ 1) &* 0xD1B5_4A32_D192_ED03 } // not a multiple of the step, so seeds do not share streams
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func normal(_ mean: Double = 0, _ sd: Double = 1) -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return mean + sd * (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
    mutating func normals(_ n: Int, _ mean: Double = 0, _ sd: Double = 1) -> [Double] { (0..<n).map { _ in normal(mean, sd) } }
    mutating func pick(_ labels: [String], weights: [Double], _ n: Int) -> [String] {
        let total = weights.reduce(0, +)
        return (0..<n).map { _ in
            var u = uniform() * total
            for (l, w) in zip(labels, weights) { u -= w; if u < 0 { return l } }
            return labels.last!
        }
    }
}

func numericFrame(_ values: [Double], name: String = "x") -> Frame {
    try! Frame(columns: [Column(name: name, storage: .float64(values))])
}

func intFrame(_ values: [Double], name: String = "x") -> Frame {
    try! Frame(columns: [Column(name: name, storage: .int64(values.map { Int64($0) }))])
}

func textFrame(_ values: [String], name: String = "x") -> Frame {
    var dict: [String] = [], index: [String: Int32] = [:]
    let codes = values.map { v -> Int32 in
        if let c = index[v] { return c }
        index[v] = Int32(dict.count); dict.append(v); return Int32(dict.count - 1)
    }
    return try! Frame(columns: [Column(name: name, storage: .string(codes: codes, dictionary: dict))])
}

/// The value Pulk's analyzer reports for one column under `method` (nil: its default choice).
func pulkValue(_ ref: Frame, _ cur: Frame, _ method: DriftMethod?) throws -> (DriftMethod, Double?) {
    var o = DriftOptions()
    if let method { o.methods = ["x": method] }
    let c = try DriftAnalyzer(options: o).analyze(reference: ref, current: cur, referenceName: "r", currentName: "c").features[0]
    return (c.method, c.value)
}

struct Case: Encodable {
    var kind: String
    var ref: [JSONScalar]
    var cur: [JSONScalar]
}

enum JSONScalar: Encodable {
    case number(Double), text(String)
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let d): try c.encode(d)
        case .text(let s): try c.encode(s)
        }
    }
}

@Suite("Drift statistics against scipy and Evidently")
struct DriftParityTests {
    static var evidently: String? { ProcessInfo.processInfo.environment["PULK_PYTHON_EVIDENTLY"] }

    /// Numeric samples: sizes on both KS branches (equal and unequal sizes, exact and asymptotic),
    /// ties, a shift, few distinct values (Evidently's categories), and more than 1,000 reference rows.
    static func numericCases() -> [(String, [Double], [Double])] {
        // "integers" is sent as an int64 column: numpy makes integer bins at least 1 wide
        var g = Noise(7)
        return [
            ("unequal sizes", g.normals(57), g.normals(83, 0.3)),
            ("equal sizes", g.normals(200), g.normals(200, 0.1, 1.2)),
            ("ties", g.normals(300).map { ($0 * 4).rounded() / 4 }, g.normals(250, 0.2).map { ($0 * 4).rounded() / 4 }),
            ("asymptotic branch", g.normals(400), g.normals(10_500, 0.05)),
            ("strong shift", g.normals(120), g.normals(90, 1.5)),
            ("few values", (0..<300).map { _ in Double(Int(g.uniform() * 4)) }, (0..<200).map { _ in Double(Int(g.uniform() * 4.6)) }),
            ("fifteen values", (0..<500).map { _ in Double(Int(g.uniform() * 15)) }, (0..<400).map { _ in Double(Int(g.uniform() * 15)) + (g.uniform() < 0.2 ? 1 : 0) }),
            ("two values", (0..<300).map { _ in g.uniform() < 0.3 ? 1 : 0 }, (0..<260).map { _ in g.uniform() < 0.4 ? 1 : 0 }),
            ("large reference", g.normals(1500, 10, 2), g.normals(1200, 10.4, 2)),
            ("integers", (0..<1400).map { _ in (g.normal(40, 12)).rounded() }, (0..<900).map { _ in (g.normal(44, 12)).rounded() }),
            ("lognormal", g.normals(2500).map { exp($0 * 0.6) }, g.normals(2000).map { 1.2 * exp($0 * 0.6) }),
        ]
    }

    static func categoricalCases() -> [(String, [String], [String])] {
        var g = Noise(11)
        let labels = ["a", "b", "c", "d", "e"]
        return [
            ("small", g.pick(labels, weights: [5, 3, 2, 1, 1], 400), g.pick(labels, weights: [4, 3, 3, 1, 1], 300)),
            ("unseen category", g.pick(labels, weights: [5, 3, 2, 1, 0], 500), g.pick(labels, weights: [5, 3, 2, 1, 1], 450)),
            ("two values", g.pick(["no", "yes"], weights: [3, 1], 600), g.pick(["no", "yes"], weights: [2, 1], 500)),
            ("large", g.pick(labels, weights: [5, 3, 2, 1, 1], 3000), g.pick(labels, weights: [5, 3, 3, 1, 2], 2500)),
        ]
    }

    @Test func equalsScipyAndEvidently() throws {
        guard Self.evidently != nil else {
            print("SKIPPED drift parity: PULK_PYTHON_EVIDENTLY is not set (scripts/test sets it)")
            return
        }
        let numeric = Self.numericCases(), categorical = Self.categoricalCases()
        let cases = numeric.map { Case(kind: $0.0 == "integers" ? "int" : "num", ref: $0.1.map { .number($0) }, cur: $0.2.map { .number($0) }) }
            + categorical.map { Case(kind: "cat", ref: $0.1.map { .text($0) }, cur: $0.2.map { .text($0) }) }
        let answers = try runOracle("drift_oracle.py", ["cases": cases], python: Self.evidently!) as! [[String: Any]]

        func close(_ a: Double?, _ b: Double?, _ what: String, tolerance: Double = 1e-9) {
            guard let a, let b else { #expect(a == nil && b == nil, "\(what): \(String(describing: a)) vs \(String(describing: b))"); return }
            #expect(abs(a - b) <= tolerance * max(1, abs(b)), "\(what): Pulk \(a), reference \(b)")
        }

        for (k, (name, ref, cur)) in numeric.enumerated() {
            let o = answers[k], ev = o["evidently"] as! [String: Any]
            let (r, c) = name == "integers" ? (intFrame(ref), intFrame(cur)) : (numericFrame(ref), numericFrame(cur))
            let sorted = (Sorting.sorted(ref), Sorting.sorted(cur))
            let ks = sorted.0.withUnsafeBufferPointer { a in sorted.1.withUnsafeBufferPointer { b in DriftStatistics.kolmogorovSmirnov(a, b) } }
            close(ks.statistic, o["ks_statistic"] as? Double, "\(name): KS statistic")
            // scipy's asymptotic branch uses the exact one-sample distribution; Pulk's the Pelz–Good expansion
            close(ks.pValue, o["ks_pvalue"] as? Double, "\(name): KS p-value", tolerance: name == "asymptotic branch" ? 5e-3 : 1e-9)
            let w = sorted.0.withUnsafeBufferPointer { a in sorted.1.withUnsafeBufferPointer { b in DriftStatistics.wasserstein(a, b) } }
            close(w, o["wasserstein"] as? Double, "\(name): Wasserstein")
            let ad = sorted.0.withUnsafeBufferPointer { a in sorted.1.withUnsafeBufferPointer { b in DriftStatistics.andersonDarling(a, b) } }
            close(ad?.statistic, o["anderson_statistic"] as? Double, "\(name): Anderson–Darling statistic")
            close(ad?.pValue, o["anderson_pvalue"] as? Double, "\(name): Anderson–Darling p-value")
            let (chosen, _) = try pulkValue(r, c, nil)
            #expect(chosen.rawValue == o["default"] as? String, "\(name): default method")
            if let chi = o["chisquare_pvalue"] as? Double { close(try pulkValue(r, c, .chisquare).1, chi, "\(name): χ² of the contingency table") }
            for (method, value) in ev {
                guard let m = DriftMethod(rawValue: method) else { continue }
                let tolerance = m == .ks && name == "asymptotic branch" ? 5e-3 : 1e-9
                close(try pulkValue(r, c, m).1, value as? Double, "\(name): Evidently's \(method)", tolerance: tolerance)
            }
        }
        for (k, (name, ref, cur)) in categorical.enumerated() {
            let o = answers[numeric.count + k], ev = o["evidently"] as! [String: Any]
            let r = textFrame(ref), c = textFrame(cur)
            let (chosen, _) = try pulkValue(r, c, nil)
            #expect(chosen.rawValue == o["default"] as? String, "\(name): default method")
            close(try pulkValue(r, c, .chisquare).1, o["chisquare_pvalue"] as? Double, "\(name): χ² of the contingency table")
            for (method, value) in ev {
                guard let m = DriftMethod(rawValue: method) else { continue }
                close(try pulkValue(r, c, m).1, value as? Double, "\(name): Evidently's \(method)")
            }
        }
    }
}
