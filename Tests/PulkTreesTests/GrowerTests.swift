import Foundation
import Testing
@testable import PulkTrees
import PulkFrame
import PulkLearn

/// Crafted data with known answers for each stage: histograms, splits, growth.
@Suite("Histogram, split finder and grower")
struct GrowerTests {
    static func matrix(_ columns: [[Double]], categorical: [Bool]? = nil, maxBin: Int = 255) -> BinnedMatrix {
        BinnedMatrix(rows: columns[0].count, categorical: categorical ?? columns.map { _ in false }, maxBin: maxBin) { columns[$0] }
    }

    /// Grows one L2 tree from scores 0 (gradient −y, hessian 1).
    static func grow(_ columns: [[Double]], y: [Double], categorical: [Bool]? = nil, settings: GrowthSettings) -> (Tree, Grower) {
        let m = matrix(columns, categorical: categorical)
        let grower = Grower(data: m, settings: settings)
        for i in 0..<y.count { grower.indices[i] = Int32(i) }
        let pairs = y.map { SIMD2<Float>(Float(-$0), 1) }
        var rng = SeededGenerator(seed: 1)
        let tree = pairs.withUnsafeBufferPointer {
            grower.grow(rowCount: y.count, pairs: $0.baseAddress!, featureMask: columns.map { _ in true }, rng: &rng)
        }
        return (tree, grower)
    }

    static func settings(leaves: Int = 31, minData: Int = 1) -> GrowthSettings {
        var s = GrowthSettings()
        s.numLeaves = leaves
        s.minDataInLeaf = minData
        s.minSumHessianInLeaf = 0
        s.threads = 2
        return s
    }

    @Test func histogramSumsGradientsPerBin() {
        // Feature 0 has bins 0, 1, missing (2); feature 1 has bins 0, 1, 2.
        let m = Self.matrix([[1, 2, .nan, 1], [5, 6, 7, 7]])
        let g = Grower(data: m, settings: Self.settings())
        let pairs: [SIMD2<Float>] = [[1, 1], [2, 0.5], [4, 2], [8, 1]]
        let h = g.histogram(rows: [0, 1, 2, 3], pairs: pairs)
        // (gradient, hessian) per bin: feature 0 bins 0,1,missing; feature 1 bins 0,1,2,missing.
        #expect(h == [9, 2, 2, 0.5, 4, 2, 1, 1, 2, 0.5, 12, 3, 0, 0])
        // A subset of rows.
        let sub = g.histogram(rows: [1, 3], pairs: pairs)
        #expect(Array(sub[0..<6]) == [8, 1, 2, 0.5, 0, 0])
    }

    @Test func parallelHistogramMatchesANaiveSum() {
        var rng = SeededGenerator(seed: 9)
        let n = 40_000
        let cols = (0..<7).map { j in (0..<n).map { _ in j == 3 && Double.random(in: 0...1, using: &rng) < 0.1 ? .nan : Double(Int.random(in: 0..<50, using: &rng)) } }
        let m = Self.matrix(cols)
        let pairs = (0..<n).map { _ in SIMD2<Float>(Float.random(in: -1...1, using: &rng), Float.random(in: 0...1, using: &rng)) }
        let rows = (0..<Int32(n)).filter { $0 % 3 != 0 }
        let h = Grower(data: m, settings: Self.settings()).histogram(rows: rows, pairs: pairs)
        var naive = [Double](repeating: 0, count: m.totalBins * 2)
        for r in rows {
            for j in 0..<7 {
                let b = m.offsets[j] + Int(m.codes[j * n + Int(r)])
                naive[2 * b] += Double(pairs[Int(r)].x)
                naive[2 * b + 1] += Double(pairs[Int(r)].y)
            }
        }
        #expect(zip(h, naive).allSatisfy { abs($0 - $1) < 1e-9 })
    }

    @Test func stepFunctionSplitsAtItsEdgeWithTheKnownGain() {
        let x = (0..<100).map(Double.init)
        let y = x.map { $0 < 30 ? 0.0 : 10 }
        let (t, _) = Self.grow([x], y: y, settings: Self.settings(leaves: 2))
        #expect(t.nodeCount == 1 && t.threshold == [29.5])
        // gain = G_L²/H_L + G_R²/H_R − G²/H = 0 + 700²/70 − 700²/100
        #expect(abs(t.gain[0] - 2100) < 1e-9)
        #expect(t.leafValue == [0, 10])
        #expect(t.leafCover == [30, 70] && t.internalCover == [100])
    }

    @Test(arguments: [(10.0, false), (0.0, true)])
    func missingValuesGoWhereTheirTargetsBelong(missingTarget: Double, expectLeft: Bool) {
        let x = (0..<100).map { $0 < 10 ? Double.nan : Double($0) }
        let y = (0..<100).map { $0 < 10 ? missingTarget : ($0 < 55 ? 0.0 : 10) }
        let (t, _) = Self.grow([x], y: y, settings: Self.settings(leaves: 2))
        #expect(t.threshold == [54.5])
        #expect(t.defaultLeft == [expectLeft])
        #expect(t.leafValue == [0, 10])
    }

    @Test func manyVsManyCategoricalSplit() {
        // Six categories: 0, 2, 4 have high targets, 1, 3, 5 low (more than max_cat_to_onehot = 4).
        let codes = (0..<600).map { Double($0 % 6) }
        let y = codes.map { Int($0) % 2 == 0 ? 5.0 + $0 / 100 : -5.0 }
        var s = Self.settings(leaves: 2)
        s.catSmooth = 0
        s.catL2 = 0
        s.minDataPerGroup = 1
        let (t, _) = Self.grow([codes], y: y, categorical: [true], settings: s)
        #expect(t.nodeCount == 1)
        #expect(Set(t.leftCategories[0]) == [1, 3, 5] || Set(t.leftCategories[0]) == [0, 2, 4])
        let leftValue = t.leafValue[0], rightValue = t.leafValue[1]
        #expect(Set(t.leftCategories[0]) == [1, 3, 5] ? (leftValue == -5 && rightValue > 5) : (rightValue == -5 && leftValue > 5))
    }

    @Test func fewCategoriesSplitOneAgainstTheRest() {
        let codes = (0..<300).map { Double($0 % 3) }
        let y = codes.map { $0 == 1 ? 10.0 : 0 }
        let (t, _) = Self.grow([codes], y: y, categorical: [true], settings: Self.settings(leaves: 2))
        #expect(t.leftCategories == [[1]])
        #expect(t.leafValue == [10, 0])
    }

    @Test func leafWiseGrowthFindsEveryLevel() {
        let x = (0..<100).map(Double.init)
        let levels: [Double] = [0, 1, 5, 6]
        let y = x.map { levels[Int($0) / 25] }
        let (t, grower) = Self.grow([x], y: y, settings: Self.settings(leaves: 4))
        #expect(t.leafCount == 4)
        #expect(Set(t.leafValue) == Set(levels))
        // The first split is the one with the most gain: between the low and the high pairs.
        #expect(t.threshold[0] == 49.5)
        // Each leaf's row range holds exactly the rows that fall in it.
        let ranges = grower.leafRanges
        for (leaf, r) in ranges.enumerated() {
            for k in r {
                let row = Int(grower.indices[k])
                #expect(t.leaf(row: row, columns: [x]) == leaf)
            }
        }
        #expect(ranges.map(\.count).reduce(0, +) == 100)
        // Three leaves: best-first picks the two most valuable splits.
        let (three, _) = Self.grow([x], y: y, settings: Self.settings(leaves: 3))
        #expect(three.leafCount == 3)
    }

    @Test func depthAndMinimumRowsAreRespected() {
        var rng = SeededGenerator(seed: 4)
        let x = (0..<500).map { _ in Double.random(in: 0...1, using: &rng) }
        let y = x.map { sin(10 * $0) }
        var s = Self.settings(leaves: 1000, minData: 20)
        s.maxDepth = 3
        let (t, _) = Self.grow([x], y: y, settings: s)
        #expect(t.depth <= 3 && t.leafCount <= 8)
        #expect(t.leafCover.allSatisfy { $0 >= 20 })
    }

    @Test func constantFeatureNeverSplits() {
        let (t, _) = Self.grow([[Double](repeating: 1, count: 50)], y: (0..<50).map(Double.init), settings: Self.settings())
        #expect(t.nodeCount == 0 && t.leafCount == 1)
        #expect(abs(t.leafValue[0] - 24.5) < 1e-12)
    }

    @Test func regularisationShrinksLeaves() {
        let x = (0..<100).map(Double.init)
        let y = x.map { $0 < 50 ? -1.0 : 1 }
        var s = Self.settings(leaves: 2)
        s.lambdaL2 = 50
        let (t, _) = Self.grow([x], y: y, settings: s)
        // −G / (H + λ): 50 / (50 + 50)
        #expect(t.leafValue.map { abs($0) } == [0.5, 0.5])
        s.lambdaL2 = 0
        s.minGainToSplit = 1000
        #expect(Self.grow([x], y: y, settings: s).0.nodeCount == 0)
    }
}
