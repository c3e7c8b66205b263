import Foundation
import Testing
@testable import PulkFrame
@testable import PulkLearn

/// Collects what a training run logs.
final class RecordingLogger: RunLogger, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var parameters: [String: String] = [:]
    private(set) var metrics: [(String, Double, Int)] = []
    func logParameter(_ name: String, _ value: String) { lock.lock(); parameters[name] = value; lock.unlock() }
    func logMetric(_ name: String, _ value: Double, step: Int) { lock.lock(); metrics.append((name, value, step)); lock.unlock() }
}

@Suite("Trainer")
struct TrainerTests {
    static let frame: Frame = {
        var rng = SeededGenerator(seed: 8)
        let n = 120
        let x = (0..<n).map { _ in Double.random(in: -2...2, using: &rng) }
        return try! Frame(columns: [
            Column(name: "x", storage: .float64(x)),
            Column(name: "g", storage: .int64((0..<n).map { Int64($0 % 12) })),
            Column(name: "t", storage: .date((0..<n).map { Int32($0) })),
            Column(name: "y", storage: .float64(x.map { 4 * $0 + Double.random(in: -0.1...0.1, using: &rng) })),
        ])
    }()

    @Test func logsParametersAndMetrics() throws {
        let logger = RecordingLogger()
        let trainer = Trainer(estimator: try RidgeEstimator(["alpha": "0.5"]), folds: 3, logger: logger)
        let (_, report) = try trainer.run(Self.frame, target: "y")
        #expect(logger.parameters["alpha"] == "0.5" && logger.parameters["seed"] == "42")
        #expect(logger.metrics.contains { $0.0 == "test_rmse" && $0.1 == report.metrics.first { $0.name == "rmse" }!.value })
        #expect(logger.metrics.filter { $0.0 == "cv_rmse" }.map(\.2) == [0, 1, 2])
        #expect(logger.metrics.contains { $0.0 == "baseline_mean_rmse" } && logger.metrics.contains { $0.0 == "baseline_median_rmse" })
    }

    @Test func chosenMetricDrivesCrossValidation() throws {
        let (_, report) = try Trainer(estimator: try RidgeEstimator([:]), folds: 3, metric: "mae").run(Self.frame, target: "y")
        #expect(report.crossValidation?.metric == "mae")
        #expect(throws: LearnError.self) { try Trainer(estimator: try RidgeEstimator([:]), metric: "auc").run(Self.frame, target: "y") }
    }

    @Test func crossValidationFollowsTheSplitStrategy() throws {
        let grouped = try Trainer(estimator: try RidgeEstimator([:]), split: .group(column: "g"), folds: 4).run(Self.frame, target: "y")
        #expect(grouped.report.crossValidation?.folds.count == 4)
        let temporal = try Trainer(estimator: try RidgeEstimator([:]), split: .temporal(column: "t"), folds: 3).run(Self.frame, target: "y")
        #expect(temporal.report.crossValidation?.folds.count == 3)
        #expect(temporal.report.testRows == 24)
    }
}
