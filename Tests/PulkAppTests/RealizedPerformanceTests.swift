import Foundation
import PulkEndpoints
import Testing

@testable import PulkApp

@Suite("Realized performance from feedback")
struct RealizedPerformanceTests {
    static func entry(_ id: String, _ output: String, status: Int = 200) -> ServingLogEntry {
        ServingLogEntry(endpoint: "e", deployment: "blue", model: "m", version: "1", time: 1, requestId: id, status: status, latencyMicros: 1,
                        shadow: false, rows: 1, input: "{}", output: output)
    }

    @Test func classifierWithProbabilities() {
        let entries = [
            Self.entry("r0", #"{"predictions": ["yes"], "classes": ["no", "yes"], "probabilities": [[0.2, 0.8]]}"#),
            Self.entry("r1", #"{"predictions": ["no"], "classes": ["no", "yes"], "probabilities": [[0.7, 0.3]]}"#),
            Self.entry("r2", #"{"predictions": ["yes"], "classes": ["no", "yes"], "probabilities": [[0.4, 0.6]]}"#),
            Self.entry("r3", #"{"predictions": ["no"], "classes": ["no", "yes"], "probabilities": [[0.9, 0.1]]}"#),
            Self.entry("r4", #"{"error_code": "BAD_REQUEST"}"#, status: 400),
        ]
        let feedback = [("r0", "yes"), ("r1", "no"), ("r2", "no"), ("r3", "yes"), ("r4", "no"), ("unknown", "yes")]
            .map { Feedback(requestId: $0.0, truth: $0.1, time: 1) }
        let f = RealizedPerformance.compute(entries: entries, feedback: feedback)
        #expect(f["rows_with_truth"] == 4 && f["coverage"] == 1)
        #expect(f["accuracy"] == 0.5 && f["roc_auc"] == 0.5)
        #expect(abs(f["log_loss"]! - -(log(0.8) + log(0.7) + log(0.4) + log(0.1)) / 4) < 1e-12)
        #expect(f["precision_macro"] != nil && f["recall_macro"] != nil && f["f1_macro"] != nil)
    }

    @Test func answersWithoutProbabilitiesAndNumbers() {
        // MLflow's /invocations answer: labels only, so no ROC AUC or log loss.
        let labels = RealizedPerformance.compute(entries: [Self.entry("a", #"{"predictions": ["x"]}"#), Self.entry("b", #"{"predictions": ["y", "x"]}"#)],
                                                 feedback: [Feedback(requestId: "a", truth: "x", time: 1), Feedback(requestId: "b", row: 1, truth: "y", time: 1)])
        #expect(labels["accuracy"] == 0.5 && labels["roc_auc"] == nil && labels["log_loss"] == nil)
        #expect(abs(labels["coverage"]! - 2.0 / 3) < 1e-12)
        let numbers = RealizedPerformance.compute(entries: [Self.entry("a", #"{"predictions": [1.5, 3]}"#)],
                                                  feedback: [Feedback(requestId: "a", truth: "2.5", time: 1), Feedback(requestId: "a", row: 1, truth: "3", time: 1)])
        #expect(numbers["mae"] == 0.5 && numbers["rmse"] == (0.5).squareRoot() && numbers["accuracy"] == nil)
        #expect(RealizedPerformance.compute(entries: [Self.entry("a", #"{"predictions": [1]}"#)], feedback: []).isEmpty)
    }
}
