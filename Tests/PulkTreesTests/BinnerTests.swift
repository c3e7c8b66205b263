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
