import Testing
@testable import PulkTrees

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
        let m = BinnedMatrix(columns: [[1, 2, .nan], [10, 10, 20]], maxBin: 255)
        #expect(m.rows == 3)
        #expect(m.codes == [0, 1, 2, 0, 0, 1])
    }
}
