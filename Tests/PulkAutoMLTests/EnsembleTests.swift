import Foundation
import PulkFrame
import PulkLearn
import PulkModels
@testable import PulkAutoML
import Testing

/// Ensembles of the best trials: a weighted average (greedy selection) or stacking, one model file
/// that round-trips bit-exactly, validated on the same out-of-fold rows as the best single model.
@Suite("AutoML ensembles")
struct EnsembleTests {
    static let binary = AutoMLSearchTests.binary
    static let regression = AutoMLSearchTests.regression

    @Test func averageMatchesClassesByNameAndRoundTrips() throws {
        let a = try LogisticRegressionEstimator([:]).fit(Self.binary, target: "y", seed: 1)
        let b = try GaussianNaiveBayesEstimator([:]).fit(Self.binary, target: "y", seed: 1)
        let ensemble = try EnsembleModel(members: [a, b], weights: [3, 1])
        #expect(ensemble.weights == [0.75, 0.25])
        guard case .classification(let classes, _, let p) = try ensemble.predict(Self.binary),
              case .classification(_, _, let pa) = try a.predict(Self.binary), case .classification(_, _, let pb) = try b.predict(Self.binary) else {
            Issue.record("classification expected"); return
        }
        #expect(classes == ["no", "yes"])
        #expect(zip(p.values, zip(pa.values, pb.values)).allSatisfy { abs($0 - (0.75 * $1.0 + 0.25 * $1.1)) < 1e-12 })
        let decoded = try Catalog.decode(ModelFile.encode(ensemble))
        #expect(try decoded.predict(Self.binary) == ensemble.predict(Self.binary), "bit-exact after the round trip")
        #expect((decoded as? EnsembleModel)?.members.map(\.kind) == ["logistic", "naive-bayes"])
        // Feature importance is the tree members', by weight; none here.
        #expect(ensemble.featureImportance.isEmpty)
    }

    @Test func damagedOrNestedEnsemblesAreRefused() throws {
        let a = try RidgeEstimator([:]).fit(Self.regression, target: "y", seed: 1)
        let inner = try EnsembleModel(members: [a, a], weights: [1, 1])
        #expect(throws: LearnError.self) { try EnsembleModel(members: [a], weights: [1, 2]) }
        #expect(throws: LearnError.self) { try EnsembleModel(members: [a, a], weights: [0, 0]) }
        let classifier = try LogisticRegressionEstimator([:]).fit(Self.binary, target: "y", seed: 1)
        #expect(throws: LearnError.self) { try EnsembleModel(members: [a, classifier], weights: [1, 1]) }
        // An ensemble inside an ensemble is not read back (no recursion from a crafted file).
        let nested = try EnsembleModel(members: [inner, a], weights: [1, 1])
        #expect(throws: LearnError.self) { try Catalog.decode(ModelFile.encode(nested)) }
    }

    @Test(arguments: [AutoMLSettings.Ensemble.voting, .stacking])
    func searchBuildsTheAskedEnsemble(kind: AutoMLSettings.Ensemble) throws {
        var search = AutoMLSearch(settings: AutoMLSettings(maxTrials: 10, models: ["gbdt", "logistic", "knn"], ensemble: kind, seed: 3),
                                  catalog: Catalog.estimators)
        search.clock = SteppingClock()
        let r = try search.run(Self.binary, target: "y")
        let e = try #require(r.ensemble)
        #expect(e.method == kind.rawValue && (e.members.count >= 2) == e.chosen, "\(e)")
        if kind == .voting {
            // Selection starts from the best single model: it never validates worse.
            #expect(e.score >= e.singleScore - 1e-12 && abs(e.members.reduce(0) { $0 + $1.weight } - 1) < 1e-9)
        }
        if e.chosen {
            let model = try #require(r.model as? EnsembleModel)
            #expect(model.members.count == e.members.count && (kind == .stacking) == (model.meta != nil))
            let decoded = try Catalog.decode(ModelFile.encode(model))
            #expect(try decoded.predict(Self.binary) == model.predict(Self.binary))
        }
    }

    @Test func autoKeepsTheEnsembleOnlyWhenItValidatesBetter() throws {
        var search = AutoMLSearch(settings: AutoMLSettings(maxTrials: 12, models: ["gbdt", "ridge", "knn-regressor"], seed: 5), catalog: Catalog.estimators)
        search.clock = SteppingClock()
        let r = try search.run(Self.regression, target: "y")
        let e = try #require(r.ensemble)
        #expect(e.chosen == (e.score > e.singleScore + AutoMLSearch.ensembleMargin * abs(e.singleScore) && e.members.count >= 2), "\(e)")
        #expect((r.model is EnsembleModel) == e.chosen)
        let none = try AutoMLSearch(settings: AutoMLSettings(maxTrials: 4, models: ["ridge"], ensemble: .none), catalog: Catalog.estimators).run(Self.regression, target: "y")
        #expect(none.ensemble == nil && none.model.kind == "ridge")
    }

    @Test("Candidates: the eight best trials and each estimator's best, however far behind")
    func candidatesKeepEachEstimatorsBest() {
        func trial(_ n: Int, _ model: String, _ score: Double) -> Trial {
            Trial(number: n, model: model, parameters: [:], rows: 10, score: score, spread: 0, foldScores: [score], seconds: 0.1, finishedAt: Double(n),
                  status: .finished, bestSoFar: score)
        }
        // Ten gbdt trials better than any other estimator's; ridge's two and knn's one behind.
        var trials = (0..<10).map { trial($0 + 1, "gbdt", 0.9 + Double($0) / 1000) }
        trials += [trial(11, "ridge", 0.7), trial(12, "ridge", 0.75), trial(13, "knn", 0.6)]
        let keep = AutoMLSearch.ensembleKeep(Array(trials.indices), trials: trials, higher: true)
        #expect(keep.count == 10)
        #expect(keep.contains(11) && keep.contains(12), "each estimator's best: ridge's 0.75, knn's")
        #expect(!keep.contains(10) && !keep.contains(0) && !keep.contains(1), "the two worst gbdt trials go")
        // Lower is better: the same, by loss.
        let losses = trials.map { t -> Trial in var t = t; t.score = 1 - t.score; return t }
        #expect(AutoMLSearch.ensembleKeep(Array(losses.indices), trials: losses, higher: false) == keep)
    }
}
