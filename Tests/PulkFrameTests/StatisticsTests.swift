import Testing
@testable import PulkFrame

@Suite("Statistics primitives")
struct StatisticsTests {
    @Test func radixArgsortIsStableAndCorrect() {
        var rng = SystemRandomNumberGenerator()
        let v = (0..<5000).map { _ in [Double.random(in: -1e9...1e9, using: &rng), 0, -0.0, 1, -1, .infinity, -.infinity].randomElement(using: &rng)! }
        let order = v.withUnsafeBufferPointer { Sorting.argsort($0) }
        let sorted = order.map { v[Int($0)] }
        #expect(sorted == v.sorted())
        for i in 1..<order.count where sorted[i] == sorted[i - 1] && sorted[i].sign == sorted[i - 1].sign {
            #expect(order[i] > order[i - 1])
        }
    }

    @Test func columnPrimitives() {
        let c = Column(name: "x", storage: .float64([4, .nan, 1, 3, 2]), validity: Bitmap([true, false, true, true, true]))
        #expect(c.presentDoubles() == [4, 1, 3, 2])
        #expect(c.sortedPresentValues() == [1, 2, 3, 4])
        #expect(c.quantiles([0, 0.5, 1]) == [1, 2.5, 4])
        let m = c.moments()!
        #expect(m.count == 4 && m.mean == 2.5)
        #expect(m.std == (5.0 / 3).squareRoot())
        #expect(m.skewness == 0)
        let s = Column(name: "s", storage: .string(codes: [1, 0, 1, 1], dictionary: ["a", "b"]), validity: Bitmap([true, true, true, false]))
        #expect(s.valueCounts().map(\.count) == [2, 1])
        #expect(s.valueCounts().first?.value == .string("b"))
        #expect(s.quantiles([0.5]) == nil)
    }

    @Test(arguments: [(0.0, 1.0), (0.25, 1.75), (0.5, 2.5), (0.99, 3.97), (1.0, 4.0)])
    func quantileInterpolation(q: Double, expected: Double) {
        [1.0, 2, 3, 4].withUnsafeBufferPointer { #expect(abs(Statistics.quantile(sorted: $0, q) - expected) < 1e-12) }
    }

    @Test func histogramMatchesNumpyEdges() {
        let h = [0.0, 1, 2, 3, 4, 10].withUnsafeBufferPointer { Statistics.histogram(sorted: $0, bins: 5) }
        #expect(h.edges == [0, 2, 4, 6, 8, 10])
        #expect(h.counts == [2, 2, 1, 0, 1]) // the last bin includes its right edge
    }
}
