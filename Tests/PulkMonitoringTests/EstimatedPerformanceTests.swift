import Foundation
import Testing

@testable import PulkMonitoring

@Suite("Estimated performance (CBPE)")
struct EstimatedPerformanceTests {
    /// Labels drawn from the model's own (calibrated) probabilities: the estimate meets the realized
    /// figures; an overconfident model's estimate overshoots them, as it must.
    @Test(arguments: [2, 3, 5])
    func calibratedModelsAreEstimatedClosely(classes k: Int) {
        var g = Noise(UInt64(40 + k))
        let n = 20_000
        var probabilities: [Double] = [], predicted: [Int] = [], truth: [Int] = [], overconfident: [Double] = []
        for _ in 0..<n {
            var p = (0..<k).map { _ in pow(g.uniform(), 3) + 0.01 }
            let s = p.reduce(0, +)
            p = p.map { $0 / s }
            probabilities += p
            let top = p.indices.max { p[$0] < p[$1] }!
            predicted.append(top)
            var u = g.uniform(), t = k - 1
            for c in 0..<k { u -= p[c]; if u < 0 { t = c; break } }
            truth.append(t)
            overconfident += (0..<k).map { $0 == top ? 0.99 : 0.01 / Double(k - 1) }
        }
        let estimate = EstimatedPerformance.classification(predicted: predicted, probabilities: probabilities, classes: k)
        let accuracy = Double(zip(truth, predicted).filter { $0 == $1 }.count) / Double(n)
        #expect(abs(estimate["accuracy"]! - accuracy) < 0.012, "estimated \(estimate["accuracy"]!), realized \(accuracy)")
        // macro F1 from the realized confusion matrix
        var f1 = 0.0
        for c in 0..<k {
            let tp = Double(zip(truth, predicted).filter { $0 == c && $1 == c }.count)
            let actual = Double(truth.filter { $0 == c }.count), said = Double(predicted.filter { $0 == c }.count)
            f1 += actual + said > 0 ? 2 * tp / (actual + said) : 0
        }
        #expect(abs(estimate["f1_macro"]! - f1 / Double(k)) < 0.03, "estimated \(estimate["f1_macro"]!), realized \(f1 / Double(k))")
        let naive = EstimatedPerformance.classification(predicted: predicted, probabilities: overconfident, classes: k)
        #expect(naive["accuracy"]! > accuracy + 0.05, "an overconfident model looks better than it is")
    }

    @Test func degenerateInputsGiveNothing() {
        #expect(EstimatedPerformance.classification(predicted: [], probabilities: [], classes: 2).isEmpty)
        #expect(EstimatedPerformance.classification(predicted: [0], probabilities: [1], classes: 1).isEmpty)
        #expect(EstimatedPerformance.classification(predicted: [0, 1], probabilities: [0.5, 0.5], classes: 2).isEmpty, "sizes disagree")
    }
}
