import Foundation
import PulkFrame
import PulkLearn
import PulkModels
@testable import PulkAutoML
import Testing

/// A clock that moves only when the search reads it: each reading is `tick` seconds after the last,
/// so a search's timing decisions (and so its leaderboard) repeat exactly.
final class SteppingClock: SearchClock, @unchecked Sendable {
    private let lock = NSLock()
    private var t = 0.0
    let tick: Double
    init(tick: Double = 0.01) { self.tick = tick }
    func now() -> Double {
        lock.lock()
        defer { lock.unlock() }
        t += tick
        return t
    }
}

/// An estimator that fails to fit when `fail` is at least 0.5: a broken configuration must not stop a search.
struct FlakyEstimator: Estimator {
    static let name = "flaky"
    static let summary = "Fails when fail ≥ 0.5."
    static let task = Task.classification
    static let parameterSpecs = [ParameterSpec("fail", .double(lower: 0, upper: 1), default: .double(0), doc: "")]
    static let searchSpace: [SearchDimension] = [.double("fail", 0...1, start: 0.9)]
    let parameters: Parameters
    init(parameters: Parameters) { self.parameters = parameters }
    func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        if parameters.double("fail") >= 0.5 { throw .badTarget(target, reason: "flaky fails at fail=\(parameters.double("fail"))") }
        return try MostFrequentClassifier([:]).fit(frame, target: target, seed: seed)
    }
    static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model { throw .corruptModelFile(file, reason: "test") }
}

@Suite("AutoML search")
struct AutoMLSearchTests {
    static func search(_ settings: AutoMLSettings, catalog: [any Estimator.Type] = Catalog.estimators, clock: any SearchClock = SteppingClock()) -> AutoMLSearch {
        var s = AutoMLSearch(settings: settings, catalog: catalog)
        s.clock = clock
        return s
    }

    /// Two noisy numeric features; a yes/no class from their sum, or a number from them.
    static func frame(rows: Int = 200, regression: Bool) -> Frame {
        var rng = SeededGenerator(seed: 11)
        let a = (0..<rows).map { _ in Double.random(in: -2...2, using: &rng) }, b = (0..<rows).map { _ in Double.random(in: -2...2, using: &rng) }
        let noise = (0..<rows).map { _ in Double.random(in: -1...1, using: &rng) }
        let target: Column = regression
            ? Column(name: "y", storage: .float64((0..<rows).map { 2 * a[$0] - b[$0] + noise[$0] }))
            : Column(name: "y", storage: .string(codes: (0..<rows).map { a[$0] + 0.5 * b[$0] + noise[$0] > 0 ? 1 : 0 }, dictionary: ["no", "yes"]))
        return try! Frame(columns: [Column(name: "a", storage: .float64(a)), Column(name: "b", storage: .float64(b)), target])
    }

    static let binary = frame(regression: false)
    static let regression = frame(regression: true)

    @Test func searchDimensionsMapTheUnitIntervalBothWays() {
        let trees = SearchDimension.int("n", 4...4096, log: true, start: 4)
        #expect(trees.value(at: 0) == "4" && trees.value(at: 1) == "4096" && trees.value(at: 0.5) == "128")
        #expect(abs(trees.position(of: "128") - 0.5) < 1e-12 && trees.position(of: trees.start) == 0)
        let rate = SearchDimension.double("lr", 0.001...1, log: true, start: 0.1)
        #expect(abs(Double(rate.value(at: rate.position(of: "0.1")))! - 0.1) < 1e-12)
        #expect(rate.value(at: -3) == "0.001" && rate.value(at: 7) == "1.0", "outside the cube clamps")
        let vote = SearchDimension.choice("weights", ["uniform", "distance"], start: "uniform")
        #expect(vote.value(at: vote.position(of: "distance")) == "distance" && vote.value(at: 1) == "distance")
    }

    @Test func everyDeclaredSpaceIsValidForItsEstimator() throws {
        for e in Catalog.estimators where !e.searchSpace.isEmpty {
            // The start and both ends of each dimension are values the estimator accepts.
            for u in [0.0, 1.0] {
                let given = Dictionary(uniqueKeysWithValues: e.searchSpace.map { ($0.name, $0.value(at: u)) })
                _ = try e.init(given)
            }
            _ = try e.init(Dictionary(uniqueKeysWithValues: e.searchSpace.map { ($0.name, $0.start) }))
            #expect(Set(e.searchSpace.map(\.name)).isSubset(of: Set(e.parameterSpecs.map(\.name))), "\(e.name) searches a parameter it does not have")
        }
    }

    /// The local search walks downhill on a smooth function from its cheap start.
    @Test func localSearchFindsTheMinimumOfABowl() {
        var search = LocalSearch([.double("a", 0...1, start: 0), .double("b", 0...1, start: 0)])
        var rng = SeededGenerator(seed: 3)
        func f(_ x: [Double]) -> Double { (x[0] - 0.7) * (x[0] - 0.7) + (x[1] - 0.3) * (x[1] - 0.3) }
        search.started(loss: f(search.point))
        for _ in 0..<300 {
            let x = search.propose(&rng)
            search.report(x, loss: f(x))
        }
        #expect(search.loss < 1e-3, "\(search.point) loss \(search.loss)")
    }

    @Test func theSameSeedGivesTheSameLeaderboard() throws {
        let settings = AutoMLSettings(maxTrials: 12, models: ["gbdt", "logistic", "naive-bayes"], seed: 7)
        let a = try Self.search(settings).run(Self.binary, target: "y")
        let b = try Self.search(settings).run(Self.binary, target: "y")
        #expect(a.trials.map(\.parameters) == b.trials.map(\.parameters) && a.trials.map(\.score) == b.trials.map(\.score))
        #expect(a.trials.count == 12 && a.stopReason == .maxTrials)
        // Every estimator starts at its cheapest settings; the first trials try each once.
        #expect(a.trials.prefix(3).map(\.model) == ["gbdt", "logistic", "naive-bayes"])
        #expect(a.trials[0].parameters["num_iterations"] == "4" && a.trials[0].parameters["num_leaves"] == "4")
        // The winner was refit and predicts; the leaderboard is best first by ROC AUC (higher is better).
        #expect(a.metric == "roc_auc" && a.higherIsBetter && a.task.kind == .binary)
        let board = a.leaderboard.map(\.score)
        #expect(zip(board, board.dropFirst()).allSatisfy { $0 >= $1 } && a.bestTrial.score == board[0])
        #expect(a.trials.allSatisfy { $0.foldScores.count == 10 }, "10-fold cross-validation below 1,000 rows")
        _ = try a.model.predict(Self.binary)
        // The best-so-far column never gets worse.
        #expect(zip(a.trials, a.trials.dropFirst()).allSatisfy { $1.bestSoFar >= $0.bestSoFar })
    }

    @Test func exitScoreAndPatienceStopEarly() throws {
        let exit = try Self.search(AutoMLSettings(maxTrials: 50, exitScore: 0.5, models: ["logistic"])).run(Self.binary, target: "y")
        #expect(exit.stopReason == .exitScore && exit.trials.count == 1, "the first trial already has ROC AUC ≥ 0.5")
        let patient = try Self.search(AutoMLSettings(maxTrials: 200, patience: 3, models: ["naive-bayes"])).run(Self.binary, target: "y")
        #expect(patient.stopReason == .patience || patient.stopReason == .searchSpaceExhausted)
        let sinceBest = patient.trials.count - patient.best - 1
        #expect(patient.stopReason != .patience || sinceBest == 3, "\(sinceBest) trials after the best")
    }

    @Test func aFailingTrialDoesNotStopTheSearch() throws {
        let r = try Self.search(AutoMLSettings(maxTrials: 8, models: ["flaky", "naive-bayes"]), catalog: Catalog.estimators + [FlakyEstimator.self])
            .run(Self.binary, target: "y")
        let failed = r.trials.filter { $0.status == .failed }
        #expect(!failed.isEmpty && failed[0].error?.contains("flaky fails") == true && failed[0].score.isNaN)
        #expect(r.bestTrial.status == .finished && r.leaderboard.last?.status == .failed, "failed trials rank last")
    }

    @Test func regressionMinimisesAnErrorMetricAndHoldsOutWhenAsked() throws {
        let r = try Self.search(AutoMLSettings(metric: "rmse", maxTrials: 6, models: ["ridge", "gbdt"], validation: .holdout(fraction: 0.25)))
            .run(Self.regression, target: "y")
        #expect(r.task.kind == .regression && !r.higherIsBetter && r.validation == "holdout of 25%")
        #expect(r.trials.allSatisfy { $0.foldScores.count == 1 && $0.spread == 0 })
        #expect(r.bestTrial.score == r.trials.filter { $0.status == .finished }.map(\.score).min())
    }

    @Test func theTimeBudgetIsKept() throws {
        // Real time: a 2-second search on a small table returns within 5% (plus the scheduler's slack).
        let started = Date()
        let r = try Self.search(AutoMLSettings(timeBudget: 2, models: ["gbdt", "random-forest", "logistic"]), clock: MonotonicClock()).run(Self.binary, target: "y")
        let wall = Date().timeIntervalSince(started)
        #expect(r.stopReason == .timeBudget && wall <= 2 * 1.05 + 0.1, "\(wall) s for a 2 s budget")
        #expect(r.trials.count >= 3)
    }

    @Test func parallelTrialsKeepTheCountAndTheBudget() throws {
        let r = try Self.search(AutoMLSettings(maxTrials: 10, models: ["gbdt", "logistic", "naive-bayes"], parallel: 2)).run(Self.binary, target: "y")
        #expect(r.trials.count == 10 && r.stopReason == .maxTrials && r.trials.map(\.number) == Array(1...10))
        #expect(Set(r.trials.map(\.model)) == ["gbdt", "logistic", "naive-bayes"])
        let started = Date()
        let timed = try Self.search(AutoMLSettings(timeBudget: 2, models: ["gbdt", "random-forest", "logistic"], parallel: 2), clock: MonotonicClock())
            .run(Self.binary, target: "y")
        let wall = Date().timeIntervalSince(started)
        #expect(timed.stopReason == .timeBudget && wall <= 2 * 1.05 + 0.1, "\(wall) s for a 2 s budget")
    }

    /// With a holdout, trials start on a sample of the training rows that doubles as an
    /// estimator's search converges; the winner is refit on every row.
    @Test func largeDataIsSearchedOnGrowingSamples() throws {
        var settings = AutoMLSettings(maxTrials: 80, models: ["ridge", "naive-bayes"], validation: .holdout(fraction: 0.1), ensemble: .none)
        settings.firstSample = 40
        let r = try Self.search(settings).run(Self.frame(rows: 400, regression: true), target: "y")
        let rows = r.trials.map(\.rows)
        #expect(rows.first == 40 && rows.allSatisfy { [40, 80, 160, 320, 360].contains($0) }, "\(rows)")
        #expect(rows.contains { $0 > 40 }, "a converged search moves to more rows: \(rows)")
        // Rows never shrink for an estimator.
        for model in ["ridge"] {
            let mine = r.trials.filter { $0.model == model }.map(\.rows)
            #expect(zip(mine, mine.dropFirst()).allSatisfy { $0 <= $1 }, "\(mine)")
        }
    }

    @Test func aThreadBudgetLimitsTheDefaultThreadCountOnItsThreadOnly() {
        let all = defaultThreadCount()
        withThreadBudget(1) {
            #expect(defaultThreadCount() == 1)
            withThreadBudget(1000) { #expect(defaultThreadCount() == all, "never more than the cores") }
            #expect(defaultThreadCount() == 1)
        }
        #expect(defaultThreadCount() == all)
    }

    @Test(arguments: [
        (AutoMLSettings(models: ["nothing"]), "nothing"),
        (AutoMLSettings(models: ["kmeans"]), "estimators for binary tasks with a search space"),
        (AutoMLSettings(models: ["ridge"]), "estimators for binary tasks"),
        (AutoMLSettings(metric: "rmse", maxTrials: 3, models: ["logistic"]), "a metric of binary tasks"),
        (AutoMLSettings(timeBudget: 0), "a positive number of seconds"),
        (AutoMLSettings(maxTrials: 3, validation: .crossValidation(folds: 1)), "cross-validation needs 2"),
    ])
    func misuseIsAClearError(settings: AutoMLSettings, says: String) {
        #expect {
            try Self.search(settings).run(Self.binary, target: "y")
        } throws: { error in
            "\(error)".contains(says)
        }
    }

    @Test("Validation by size, as Azure ML's: 10 folds below 1,000 rows, 5 below 20,000, a holdout above", arguments: [
        (2, 2), (9, 9), (150, 10), (999, 10), (1_000, 5), (19_999, 5), (20_000, nil), (1_000_000, nil),
    ] as [(Int, Int?)])
    func foldsBySize(rows: Int, folds: Int?) throws {
        let plan = try ValidationPlan(rows: rows, labels: nil, validation: .auto, seed: 1)
        #expect(plan.splits.count == (folds ?? 1))
        #expect(AutoMLSettings.autoFolds(rows: rows).map { min($0, rows) } == folds)
    }
}
