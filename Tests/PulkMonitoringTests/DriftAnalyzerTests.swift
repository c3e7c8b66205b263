import Foundation
import PulkFrame
import Testing

@testable import PulkMonitoring

@Suite("Drift analysis")
struct DriftAnalyzerTests {
    func analyze(_ ref: Frame, _ cur: Frame, _ configure: (inout DriftOptions) -> Void = { _ in }) throws -> DriftReport {
        var o = DriftOptions()
        configure(&o)
        return try DriftAnalyzer(options: o).analyze(reference: ref, current: cur, referenceName: "ref", currentName: "cur",
                                                     now: Date(timeIntervalSince1970: 0))
    }

    func frame(_ columns: [Column]) -> Frame { try! Frame(columns: columns) }

    /// Same distribution in both windows: a test at 0.05 flags about 5% of seeds, never far more.
    @Test(arguments: [DriftMethod.ks, .chisquare, .anderson])
    func nullShiftsAreFlaggedAtTheNominalRate(_ method: DriftMethod) throws {
        var flagged = 0
        let seeds = 300
        for seed in 0..<seeds {
            var g = Noise(UInt64(seed) + 1000)
            let ref: Frame, cur: Frame
            if method == .chisquare {
                ref = textFrame(g.pick(["a", "b", "c", "d"], weights: [4, 3, 2, 1], 400))
                cur = textFrame(g.pick(["a", "b", "c", "d"], weights: [4, 3, 2, 1], 300))
            } else {
                ref = numericFrame(g.normals(300)); cur = numericFrame(g.normals(250))
            }
            if try analyze(ref, cur, { $0.methods = ["x": method]; $0.threshold = 0.05 }).features[0].drifted { flagged += 1 }
        }
        let rate = Double(flagged) / Double(seeds)
        // 5% nominal; the binomial spread over 300 seeds is ±1.3%, and KS with ties is conservative
        #expect(rate <= 0.085, "\(method): flagged \(flagged) of \(seeds) null comparisons")
        #expect(rate >= 0.01, "\(method): flagged \(flagged) of \(seeds): the test never fires")
    }

    @Test func defaultsFlagCraftedShiftsOnlyAndRankThem() throws {
        var g = Noise(3)
        let n = 5000
        let ref = frame([
            Column(name: "stable", storage: .float64(g.normals(n))),
            Column(name: "shifted", storage: .float64(g.normals(n))),
            Column(name: "wider", storage: .float64(g.normals(n))),
            Column(name: "city", storage: .string(codes: g.pick(["0", "1", "2"], weights: [6, 3, 1], n).map { Int32($0)! }, dictionary: ["oslo", "rome", "lima"])),
            Column(name: "plan", storage: .string(codes: g.pick(["0", "1"], weights: [1, 1], n).map { Int32($0)! }, dictionary: ["free", "pro"])),
        ])
        let cur = frame([
            Column(name: "stable", storage: .float64(g.normals(n))),
            Column(name: "shifted", storage: .float64(g.normals(n, 0.6))),
            Column(name: "wider", storage: .float64(g.normals(n, 0, 1.8))),
            Column(name: "city", storage: .string(codes: g.pick(["0", "1", "2"], weights: [2, 3, 5], n).map { Int32($0)! }, dictionary: ["oslo", "rome", "lima"])),
            Column(name: "plan", storage: .string(codes: g.pick(["0", "1"], weights: [1, 1], n).map { Int32($0)! }, dictionary: ["free", "pro"])),
        ])
        let report = try analyze(ref, cur)
        #expect(Set(report.features.filter(\.drifted).map(\.name)) == ["shifted", "wider", "city"])
        #expect(report.features.allSatisfy { $0.method == .wasserstein || $0.method == .jensenshannon })
        #expect(report.datasetDrift) // 3 of 5 ≥ 0.5
        #expect(report.driftedFeatures == 3 && report.testedFeatures == 5)
        #expect(report.features.prefix(3).allSatisfy { $0.drifted })
        // the ranking follows importance: a drifted unimportant feature goes below an important one
        let weighted = try analyze(ref, cur) { $0.importance = ["city": 10, "shifted": 1, "wider": 5, "stable": 8] }
        #expect(weighted.features.first?.name == "city")
        #expect(weighted.features.first(where: { $0.name == "stable" })?.importance == 0.8)
        let half = try analyze(ref, cur) { $0.driftShare = 0.8 }
        #expect(!half.datasetDrift)
    }

    /// A p-value test on a large sample does not flag a negligible shift just because p vanishes.
    @Test func largeSamplesNeedADriftSizeForAPValueVerdict() throws {
        var g = Noise(5)
        let ref = numericFrame(g.normals(60_000)), cur = numericFrame(g.normals(60_000, 0.03))
        let c = try analyze(ref, cur) { $0.method = .ks }.features[0]
        #expect(c.value! < 0.05)
        #expect(!c.drifted)
        #expect(c.note?.contains("drift size") == true)
        let strict = try analyze(ref, cur) { $0.method = .ks; $0.minimumDriftSize = 0 }.features[0]
        #expect(strict.drifted)
    }

    @Test func dataQualityAgainstTheReference() throws {
        let ref = frame([
            Column(name: "n", storage: .float64([1, 2, 3, 4, 5, 6, .nan, 8]), validity: Bitmap([true, true, true, true, true, true, true, false])),
            Column(name: "t", storage: .string(codes: [0, 1, 0, 1, 0, 1, 0, 1], dictionary: ["a", "b"])),
        ])
        let cur = frame([
            Column(name: "n", storage: .float64([0, 2, 9, 10, .infinity, 3, 4, 5])),
            Column(name: "t", storage: .string(codes: [0, 2, 2, 3, 0, 1, 0, 0], dictionary: ["a", "b", "zed", "yak"]),
                   validity: Bitmap([true, true, true, true, true, true, false, true])),
        ])
        let r = try analyze(ref, cur)
        let n = r.features.first { $0.name == "n" }!, t = r.features.first { $0.name == "t" }!
        #expect(n.quality.referenceMissing == 2) // a null and a NaN
        #expect(n.quality.currentMissing == 1)   // +∞ is not a usable value
        #expect(n.quality.outOfRange == 3)       // 0, 9 and 10 lie outside 1 … 6
        #expect(n.quality.referenceMin == 1 && n.quality.referenceMax == 6)
        #expect(t.quality.unseenRows == 3)
        #expect(t.quality.unseenCategories == ["zed", "yak"])
        #expect(t.quality.currentMissing == 1 && abs(t.quality.currentMissingRate - 0.125) < 1e-12)
    }

    @Test func columnsThatCannotBeComparedAreNamedNotDropped() throws {
        let ref = frame([
            Column(name: "x", storage: .float64([1, 2, 3])),
            Column(name: "when", storage: .date([1, 2, 3])),
            Column(name: "empty", storage: .float64([0, 0, 0]), validity: Bitmap([false, false, false])),
            Column(name: "only_ref", storage: .float64([1, 2, 3])),
        ])
        let cur = frame([
            Column(name: "x", storage: .float64([1, 2, 4])),
            Column(name: "when", storage: .date([4, 5, 6])),
            Column(name: "empty", storage: .float64([1, 2, 3])),
            Column(name: "only_cur", storage: .float64([1, 2, 3])),
        ])
        let r = try analyze(ref, cur)
        #expect(r.features.map(\.name) == ["x"])
        let reasons = Dictionary(uniqueKeysWithValues: r.skipped.map { ($0.name, $0.reason) })
        #expect(reasons["when"]?.contains("date") == true)
        #expect(reasons["empty"]?.contains("reference") == true)
        #expect(reasons["only_ref"] == "not in the current data")
        #expect(reasons["only_cur"] == "not in the reference data")
    }

    @Test func badRequestsAreRefusedWithTheirReason() throws {
        let num = numericFrame([1, 2, 3]), text = textFrame(["a", "b", "a"])
        let table: [(Frame, Frame, (inout DriftOptions) -> Void, DriftError)] = [
            (num, num.head(0), { _ in }, .emptyWindow("current")),
            (num.head(0), num, { _ in }, .emptyWindow("reference")),
            (num, num, { $0.columns = ["nope"] }, .unknownColumn("nope", window: "reference")),
            (text, text, { $0.methods = ["x": .ks] }, .methodDoesNotApply(column: "x", method: .ks, kind: .categorical)),
            (num, textFrame(["a"], name: "y"), { _ in }, .noColumns),
            (num, num, { $0.driftShare = 1.5 }, .badShare(1.5)),
        ]
        for (ref, cur, configure, expected) in table {
            #expect(throws: expected) { try analyze(ref, cur, configure) }
        }
        #expect(DriftError.methodDoesNotApply(column: "x", method: .ks, kind: .categorical).description.contains("chisquare"))
    }

    /// Every pair of tiny sizes, with ties: p-values stay in 0…1 and nothing traps.
    @Test func tinySamplesOfEverySize() throws {
        var g = Noise(17)
        for n1 in 1...12 {
            for n2 in 1...12 {
                let a = (0..<n1).map { _ in (g.normal() * 2).rounded() }, b = (0..<n2).map { _ in (g.normal(0.5) * 2).rounded() }
                let sa = Sorting.sorted(a), sb = Sorting.sorted(b)
                let ks = sa.withUnsafeBufferPointer { x in sb.withUnsafeBufferPointer { y in DriftStatistics.kolmogorovSmirnov(x, y) } }
                #expect((0...1).contains(ks.pValue) && (0...1).contains(ks.statistic), "\(n1)×\(n2): \(ks)")
                let ad = sa.withUnsafeBufferPointer { x in sb.withUnsafeBufferPointer { y in DriftStatistics.andersonDarling(x, y) } }
                if let ad { #expect((0.001...0.25).contains(ad.pValue)) }
                for m in [DriftMethod.ks, .anderson, .wasserstein, .psi, .kl, .hellinger, .jensenshannon, .chisquare, .tv] {
                    _ = try analyze(numericFrame(a), numericFrame(b)) { $0.methods = ["x": m]; $0.columns = ["x", "x"] }
                }
            }
        }
    }

    @Test func identicalConstantColumnsDoNotDrift() throws {
        let r = try analyze(numericFrame([2, 2, 2, 2]), numericFrame([2, 2, 2]))
        #expect(!r.features[0].drifted)
        #expect(r.features[0].value == 1)
        let t = try analyze(textFrame(["a", "a"]), textFrame(["a"]))
        #expect(!t.features[0].drifted)
    }

    @Test func predictionsAndTargetAreReportedApart() throws {
        var g = Noise(9)
        let ref = frame([Column(name: "f", storage: .float64(g.normals(400))), Column(name: "prediction", storage: .float64(g.normals(400))),
                         Column(name: "y", storage: .float64(g.normals(400)))])
        let cur = frame([Column(name: "f", storage: .float64(g.normals(300))), Column(name: "prediction", storage: .float64(g.normals(300, 2))),
                         Column(name: "y", storage: .float64(g.normals(300)))])
        let r = try analyze(ref, cur) { $0.predictionColumns = ["prediction"]; $0.targetColumn = "y" }
        #expect(r.features.map(\.name) == ["f"])
        #expect(r.predictions.map(\.name) == ["prediction"] && r.predictions[0].drifted)
        #expect(r.target?.name == "y")
        #expect(!r.datasetDrift) // predictions do not count towards dataset drift
    }

    @Test func htmlReportIsSelfContained() throws {
        var g = Noise(1)
        let ref = frame([Column(name: "a <b>", storage: .float64(g.normals(300))), Column(name: "t", storage: .string(codes: g.pick(["0", "1"], weights: [1, 1], 300).map { Int32($0)! }, dictionary: ["x", "y"]))])
        let cur = frame([Column(name: "a <b>", storage: .float64(g.normals(300, 1))), Column(name: "t", storage: .string(codes: g.pick(["0", "1"], weights: [1, 1], 300).map { Int32($0)! }, dictionary: ["x", "y"]))])
        let html = try analyze(ref, cur).html()
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>"))
        #expect(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"))
        #expect(html.contains("a &lt;b&gt;") && !html.contains("a <b>"))
        #expect(html.contains("<svg") && html.contains("class=\"cur\""))
        #expect(html.contains("id=\"col-a--b-\""))
        // the JSON form round-trips
        let report = try analyze(ref, cur)
        let data = try JSONEncoder().encode(report)
        let back = try JSONDecoder().decode(DriftReport.self, from: data)
        #expect(back == report)
    }

    @Test func sortingAndBinningFollowNumpy() {
        var g = Noise(2)
        let v = g.normals(5000) + [0, -0.0, .infinity, -.infinity, 1e300, -1e-300]
        #expect(Sorting.sorted(v) == v.sorted())
        // numpy: np.histogram_bin_edges(np.arange(10.0), "sturges") has 5 bins
        let e = Binning.sturgesEdges(low: 0, high: 9, count: 10)
        #expect(e.count == 6 && e.first == 0 && e.last == 9)
        let counts = Array(0..<10).map(Double.init).withUnsafeBufferPointer { Binning.counts(sorted: $0, edges: e) }
        #expect(counts == [2, 2, 2, 2, 2])
        #expect(Binning.sturgesEdges(low: 3, high: 3, count: 4) == [2.5, 3.5])
        #expect(Binning.fillZeros([0, 0.5, 0.5]) == [0.0001, 0.5, 0.5])
        #expect(Binning.fillZeros([0, 0.00005, 0.99995]) == [0.00005 / 1e6, 0.00005, 0.99995])
    }

    @Test func specialFunctionsAtKnownPoints() {
        // χ²(1) survival at 3.841458820694124 is 0.05; χ²(10) at 18.307038053275146 is 0.05
        #expect(abs(Distributions.chiSquareSurvival(3.841458820694124, degreesOfFreedom: 1) - 0.05) < 1e-12)
        #expect(abs(Distributions.chiSquareSurvival(18.307038053275146, degreesOfFreedom: 10) - 0.05) < 1e-12)
        #expect(Distributions.chiSquareSurvival(.infinity, degreesOfFreedom: 3) == 0)
        #expect(abs(Distributions.normalSurvival(1.959963984540054) - 0.025) < 1e-14)
        // the quadratic fit reproduces an exact parabola
        let c = DriftStatistics.quadraticFit(x: [1, 2, 3, 4], y: [1, 4, 9, 16].map { 2 * $0 + 1 })
        #expect(abs(c.0 - 2) < 1e-12 && abs(c.1) < 1e-12 && abs(c.2 - 1) < 1e-12)
    }
}
