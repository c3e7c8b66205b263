import Testing
@testable import PulkTrees
import PulkLearn

@Suite("Binner")
struct BinnerTests {
    @Test func fewDistinctValuesGetOneBinEach() {
        let b = FeatureBins(values: [3, 1, 2, 2, .nan, 1], maxBin: 255)
        #expect(b.upperBounds == [1.5, 2.5, .infinity])
        #expect([1, 2, 3, 1.4, 2.6, 100].map(b.bin) == [0, 1, 2, 0, 2, 2])
        #expect(b.bin(.nan) == 3 && b.missingBin == 3)
    }

    @Test func constantAndEmptyFeatures() {
        #expect(FeatureBins(values: [5, 5, 5], maxBin: 10).upperBounds == [.infinity])
        #expect(FeatureBins(values: [.nan, .nan], maxBin: 10).upperBounds == [.infinity])
    }

    @Test func manyValuesGetEqualFrequencyBins() {
        let values = (0..<10_000).map { Double($0) }
        let b = FeatureBins(values: values, maxBin: 10)
        #expect(b.binCount == 10)
        var counts = [Int](repeating: 0, count: b.binCount)
        for v in values { counts[b.bin(v)] += 1 }
        #expect(counts.allSatisfy { (999...1001).contains($0) }, "\(counts)")
    }

    @Test func equalValuesNeverStraddleBins() {
        // 70% of rows share one value: it fills one bin by itself.
        let values = Array(repeating: 1.0, count: 700) + (0..<300).map { 2 + Double($0) }
        let b = FeatureBins(values: values, maxBin: 8)
        #expect(b.binCount <= 8)
        #expect(Set(values.prefix(700).map(b.bin)).count == 1)
        // Binning preserves order.
        let sorted = values.sorted()
        #expect(zip(sorted, sorted.dropFirst()).allSatisfy { b.bin($0) <= b.bin($1) })
    }

    @Test func binnedMatrixIsColumnMajorBytes() {
        let columns: [[Double]] = [[1, 2, .nan], [10, 10, 20]]
        let m = BinnedMatrix(rows: 3, categorical: [false, false], maxBin: 255) { columns[$0] }
        #expect(m.rows == 3)
        #expect(m.codes == [0, 1, 2, 0, 0, 1])
        // Histogram offsets: each feature has its bins plus the missing one.
        #expect(m.offsets == [0, 3, 6])
        // New rows binned with the fitted bins.
        let more: [[Double]] = [[0, 5], [.nan, 15]]
        let v = BinnedMatrix(rows: 2, bins: m.bins) { more[$0] }
        #expect(v.codes == [0, 1, 2, 0])
    }

    @Test func categoriesByFrequencyWithAnOtherBin() {
        // Codes 0…3: code 2 is most frequent, then 0, then 3; code 1 is rare.
        let codes: [Double] = [2, 2, 2, 0, 0, 3, 1, .nan]
        let b = FeatureBins(categoryCodes: codes, maxBin: 3)
        #expect(b.isCategorical && b.categories == [2, 0])
        #expect(b.binCount == 3 && b.missingBin == 3)
        #expect([2, 0, 3, 1, 7].map(b.bin) == [0, 1, 2, 2, 2]) // rare and unseen share "other"
        #expect(b.bin(.nan) == 3)
        let m = BinnedMatrix(rows: codes.count, categorical: [true], maxBin: 3) { _ in codes }
        #expect(m.codes == [0, 0, 0, 1, 1, 2, 2, 3])
    }

    @Test func fastMapperAgreesWithBinarySearch() {
        var rng = SeededGenerator(seed: 3)
        let values = (0..<5000).map { _ in Double.random(in: -100...100, using: &rng).rounded() / 7 } + [.infinity, -.infinity, -0.0, 0]
        let m = BinnedMatrix(rows: values.count, categorical: [false], maxBin: 64) { _ in values }
        let b = m.bins[0]
        #expect(values.indices.allSatisfy { Int(m.codes[$0]) == b.bin(values[$0]) })
    }

    @Test func sampledBoundsComeFromEvenlySpacedRows() {
        let values = (0..<10_000).map(Double.init)
        let m = BinnedMatrix(rows: values.count, categorical: [false], maxBin: 4, sampleSize: 100) { _ in values }
        #expect(m.bins[0].binCount == 4)
        var counts = [Int](repeating: 0, count: 4)
        for c in m.codes { counts[Int(c)] += 1 }
        #expect(counts.allSatisfy { (2300...2700).contains($0) }, "\(counts)")
    }
}

/// Boosting's bins are LightGBM's (`FindBinWithZeroAsOneBin` + `GreedyFindBin`): zero alone, no
/// bin under `min_data_in_bin` rows, bounds just above the midpoints.
@Suite("Binner, LightGBM's rules")
struct LightGBMBinnerTests {
    @Test func zeroGetsABinOfItsOwnBetweenNegativesAndPositives() {
        let values: [Double] = [-2, -2, -2, -1, -1, -1, 0, 0, 0, 0.25, 0.25, 0.25, 3, 3, 3]
        let b = FeatureBins(lightGBM: values, maxBin: 255, minDataInBin: 3)
        #expect(b.upperBounds == [(-1.5).nextUp, -1e-35, 1e-35, (1.625).nextUp, .infinity])
        // A value unseen between 0 and 0.25 goes with the positives (LightGBM's bound is 1e-35, not 0.125).
        #expect(b.bin(0.1) == b.bin(0.25) && b.bin(0) != b.bin(0.1))
    }

    @Test func aValueSeenFewerThanMinDataInBinTimesSharesItsNeighboursBin() {
        // 1 and 2 are seen twice each: no bound until three rows are in a bin.
        let values: [Double] = [1, 1, 2, 2, 3, 3, 3, 4, 4, 4]
        let b = FeatureBins(lightGBM: values, maxBin: 255, minDataInBin: 3)
        #expect(b.bin(1) == b.bin(2) && b.bin(2) != b.bin(3) && b.bin(3) != b.bin(4))
        let one = FeatureBins(lightGBM: values, maxBin: 255, minDataInBin: 1)
        #expect(Set([1.0, 2, 3, 4].map(one.bin)).count == 4)
    }

    @Test func manyValuesGetEqualFrequencyBinsAndMissingValuesCountAmongMaxBin() {
        let values = (1...10_000).map(Double.init)
        let b = FeatureBins(lightGBM: values, maxBin: 16, minDataInBin: 3)
        #expect(b.binCount == 16)
        var counts = [Int](repeating: 0, count: b.binCount)
        for v in values { counts[b.bin(v)] += 1 }
        // The first bin is zero's (empty here); the positives share the other 15.
        #expect(counts[0] == 0 && counts.dropFirst().allSatisfy { (600...730).contains($0) }, "\(counts)")
        let withMissing = FeatureBins(lightGBM: values + [.nan], maxBin: 16, minDataInBin: 3)
        #expect(withMissing.binCount == 15)
    }

    @Test func rareCategoriesJoinOther() {
        let codes: [Double] = [0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 4]
        let b = FeatureBins(categoryCodes: codes, maxBin: 255, minDataInBin: 3)
        // The two most frequent always keep a bin; after them, only categories seen three times.
        #expect(b.categories == [0, 1])
        #expect(FeatureBins(categoryCodes: codes, maxBin: 255, minDataInBin: 2).categories == [0, 1, 2])
    }
}
