import Foundation
import Testing
@testable import PulkTrees
import PulkFrame
import PulkLearn

/// Boosting, forests, prediction layout and TreeSHAP on small crafted data.
@Suite("Tree models")
struct TreeModelTests {
    /// Two numbers (one with missing values), a category and a target of the task.
    static func data(rows: Int = 600, seed: UInt64 = 1, task: Task, classes: Int = 2, noise: Double = 0.3) -> Frame {
        var rng = SeededGenerator(seed: seed)
        var a: [Double] = [], b: [Double] = [], c: [Int32] = [], valid: [Bool] = [], y: [Double] = []
        for _ in 0..<rows {
            let x1 = Double.random(in: -2...2, using: &rng), x2 = Double.random(in: -2...2, using: &rng)
            let cat = Int32.random(in: 0..<5, using: &rng)
            let missing = Double.random(in: 0...1, using: &rng) < 0.15
            let signal = sin(2 * x1) + (missing ? 1 : x2 * x2 / 2) + (cat == 3 ? 1.5 : 0) + Double.random(in: -noise...noise, using: &rng)
            a.append(x1); b.append(missing ? .nan : x2); valid.append(!missing); c.append(cat)
            y.append(task == .regression ? signal : Double(min(classes - 1, max(0, Int((signal + 1) * Double(classes) / 4)))))
        }
        let target: Column = task == .regression ? Column(name: "y", storage: .float64(y))
            : Column(name: "y", storage: .string(codes: y.map { Int32($0) }, dictionary: (0..<classes).map { "k\($0)" }))
        return try! Frame(columns: [
            Column(name: "a", storage: .float64(a)),
            Column(name: "b", storage: .float64(b), validity: Bitmap(valid)),
            Column(name: "c", storage: .string(codes: c, dictionary: ["v", "w", "x", "y", "z"])),
            target,
        ])
    }

    static func gbdt(_ params: [String: String] = [:]) throws -> GradientBoostingEstimator {
        try GradientBoostingEstimator(["min_data_in_leaf": "5", "num_iterations": "40", "min_data_per_group": "5"].merging(params) { _, b in b })
    }

    @Test func boostingLearnsAndItsTrainingLossFalls() throws {
        let f = Self.data(task: .regression)
        let m = try Self.gbdt().fit(f, target: "y", seed: 1) as! BoostedTreesModel
        let curve = m.trainingCurves[0]
        #expect(curve.name == "train_l2" && curve.values.count == 40)
        #expect(zip(curve.values, curve.values.dropFirst()).allSatisfy { $1 <= $0 + 1e-12 })
        let r2 = try Evaluation.metrics(m.predict(f), frame: f, target: "y").first { $0.name == "r2" }!.value
        #expect(r2 > 0.9)
        // The categorical feature is used natively.
        #expect(m.featureImportance.first { $0.feature == "c" }!.gain > 0)
    }

    @Test(arguments: [2, 4])
    func classificationGivesCalibratedProbabilities(classes: Int) throws {
        let f = Self.data(task: .classification, classes: classes)
        let m = try Self.gbdt().fit(f, target: "y", seed: 1)
        guard case .classification(let names, _, let p) = try m.predict(f) else { Issue.record("classes expected"); return }
        #expect(names.count == classes)
        #expect(p.allSatisfy { abs($0.reduce(0, +) - 1) < 1e-9 })
        let acc = try Evaluation.metrics(m.predict(f), frame: f, target: "y").first { $0.name == "accuracy" }!.value
        #expect(acc > 0.8)
        #expect((m as! BoostedTreesModel).trainingCurves[0].name == (classes == 2 ? "train_binary_logloss" : "train_multi_logloss"))
    }

    @Test func earlyStoppingKeepsTheBestIteration() throws {
        let f = Self.data(rows: 800, task: .regression, noise: 2)
        let e = try Self.gbdt(["num_iterations": "300", "learning_rate": "0.3", "early_stopping_round": "10", "metric": "l2"])
        let m = try e.fit(f, target: "y", seed: 2) as! BoostedTreesModel
        let valid = m.trainingCurves.first { $0.name == "valid_mse" }!
        let best = m.bestIteration!
        #expect(valid.values.count < 300)
        #expect(valid.values.count == best + 10)
        #expect(valid.values[best - 1] == valid.values.min())
        #expect(m.trees.count == best)
        // An explicit validation frame works too, and any learning-core metric may drive it.
        let v = Self.data(rows: 300, seed: 9, task: .regression, noise: 2)
        let m2 = try e.fit(f, target: "y", seed: 2, validation: v) as! BoostedTreesModel
        #expect(m2.trainingCurves.count == 2)
        let auc = try Self.gbdt(["early_stopping_round": "5", "metric": "auc"])
            .fit(Self.data(task: .classification), target: "y", seed: 1) as! BoostedTreesModel
        #expect(auc.trainingCurves[1].name == "valid_roc_auc")
    }

    @Test func objectivesFitWhatTheyPromise() throws {
        let f = Self.data(task: .regression, noise: 1)
        let y = f.columns[3].doubles()!
        func predictions(_ params: [String: String]) throws -> [Double] {
            guard case .regression(let p) = try Self.gbdt(params).fit(f, target: "y", seed: 1).predict(f) else { return [] }
            return p
        }
        // Quantile 0.9: about 90% of the targets lie below the predictions.
        let q = try predictions(["objective": "quantile", "alpha": "0.9"])
        let below = Double(zip(y, q).filter { $0 <= $1 }.count) / Double(y.count)
        #expect(abs(below - 0.9) < 0.05, "\(below)")
        // L1 starts from the median and fits the conditional median: about half below.
        let l1 = try predictions(["objective": "l1"])
        #expect(abs(Double(zip(y, l1).filter { $0 <= $1 }.count) / Double(y.count) - 0.5) < 0.08)
        // Huber and L2 both fit the signal.
        #expect(try RegressionMetrics.r2(y, predictions(["objective": "huber", "alpha": "1"])) > 0.6)
        // Poisson on counts: positive predictions whose mean is the mean count.
        let counts = y.map { (exp($0 / 2)).rounded() }
        var g = f
        g = try Frame(columns: Array(g.columns.prefix(3)) + [Column(name: "y", storage: .float64(counts))])
        guard case .regression(let p) = try Self.gbdt(["objective": "poisson"]).fit(g, target: "y", seed: 1).predict(g) else { return }
        #expect(p.allSatisfy { $0 > 0 })
        let meanPrediction: Double = p.reduce(0, +) / Double(p.count)
        let meanCount: Double = counts.reduce(0, +) / Double(counts.count)
        #expect(abs(meanPrediction - meanCount) < 0.05)
        // Negative counts are refused with a reason.
        #expect(throws: LearnError.self) { try Self.gbdt(["objective": "poisson"]).fit(f, target: "y", seed: 1) }
    }

    /// Large counts from a start of 0 (boost_from_average=false) overshoot past what Float holds, as
    /// they do in LightGBM: the fit must end without a trap (it used to stop the process converting
    /// an infinite row count), however poor the model.
    @Test func poissonDivergenceDoesNotTrap() throws {
        let n = 400
        let x = (0..<n).map { Double($0 % 37) }
        let counts = x.map { 2_000 + 400 * $0 }
        let frame = try Frame(columns: [Column(name: "x", storage: .float64(x)), Column(name: "y", storage: .float64(counts))])
        let model = try Self.gbdt(["objective": "poisson", "boost_from_average": "false", "num_iterations": "20"]).fit(frame, target: "y", seed: 1)
        guard case .regression(let p) = try model.predict(frame) else { Issue.record("not a regression"); return }
        #expect(p.count == n)
    }

    @Test func lightGBMNamesAndAliasesCarryOver() throws {
        let e = try GradientBoostingEstimator(["n_estimators": "7", "reg_lambda": "2", "colsample_bytree": "0.5", "subsample": "0.8",
                                               "subsample_freq": "1", "min_child_samples": "3", "eta": "0.2", "max_leaves": "7",
                                               "verbose": "-1", "random_state": "5"])
        #expect(e.parameters.int("num_iterations") == 7 && e.parameters.double("lambda_l2") == 2)
        #expect(e.parameters.double("feature_fraction") == 0.5 && e.parameters.double("bagging_fraction") == 0.8)
        #expect(e.parameters.int("num_leaves") == 7 && e.parameters.double("learning_rate") == 0.2)
        let f = Self.data(task: .regression)
        let m = try e.fit(f, target: "y", seed: 1) as! BoostedTreesModel
        #expect(m.trees.count == 7 && m.trees.allSatisfy { $0.leafCount <= 7 })
        // The seed parameter wins over the run's seed; bagging is deterministic under it.
        #expect(try e.fit(f, target: "y", seed: 99).predict(f) == m.predict(f))
        #expect(throws: LearnError.unknownParameter(model: "gbdt", name: "boosting_typo", known: gbdtSpecs.map(\.name))) {
            try GradientBoostingEstimator(["boosting_typo": "1"])
        }
        do {
            _ = try GradientBoostingEstimator(["num_leaves": "1"])
            Issue.record("num_leaves=1 must be refused")
        } catch { #expect(error.description.contains("num_leaves=1 is invalid")) }
    }

    @Test func flatPredictorMatchesTreeWalks() throws {
        let f = Self.data(task: .regression)
        let m = try Self.gbdt().fit(f, target: "y", seed: 1) as! BoostedTreesModel
        let inputs = try TreeInputs(frame: f, schema: m.schema)
        let fast = try m.rawScores(f)
        var out = [0.0]
        for i in 0..<f.rowCount {
            var walk = m.initScores[0]
            for t in m.trees { walk += t.leafValue[t.leaf(row: i, columns: inputs.columns)] }
            #expect(abs(fast[i] - walk) < 1e-9)
            let row = inputs.columns.map { $0[i] }
            row.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { m.rawScore(row: x.baseAddress!, into: $0.baseAddress!) } }
            #expect(abs(out[0] - walk) < 1e-9)
        }
        // Unseen categories and all-missing rows still predict (they follow the missing-value paths).
        let odd = try Frame(columns: [
            Column(name: "a", storage: .float64([.nan, 0])), Column(name: "b", storage: .float64([.nan, 1])),
            Column(name: "c", storage: .string(codes: [0, 0], dictionary: ["never seen"])),
        ])
        guard case .regression(let p) = try m.predict(odd) else { return }
        #expect(p.allSatisfy { $0.isFinite })
    }

    @Test(arguments: ["regression", "binary", "multiclass"])
    func shapContributionsAddUpToTheRawScore(objective: String) throws {
        let task: Task = objective == "regression" ? .regression : .classification
        let f = Self.data(rows: 300, task: task, classes: objective == "multiclass" ? 3 : 2)
        let m = try Self.gbdt(["objective": objective, "num_iterations": "15"]).fit(f, target: "y", seed: 1) as! BoostedTreesModel
        let c = try m.contributions(f)
        let raw = try m.rawScores(f)
        let k = c.outputs.count, p = c.features.count
        #expect(k == (objective == "multiclass" ? 3 : 1) && p == 3)
        for i in 0..<f.rowCount {
            for o in 0..<k {
                let sum = c.values[i][(o * (p + 1))..<((o + 1) * (p + 1))].reduce(0, +)
                #expect(abs(sum - raw[i * k + o]) < 1e-9)
            }
        }
    }

    @Test func shapOfOneSplitIsTheDifferenceFromTheMean() throws {
        // One split on a: rows left get value L, right R; covers 30/70. φ_a = leaf − E, φ_others = 0.
        var t = Tree(outputs: 1)
        t.splitFeature = [0]; t.threshold = [0.5]; t.defaultLeft = [false]; t.leftCategories = [[]]
        t.left = [~0]; t.right = [~1]; t.gain = [1]; t.internalCover = [100]
        t.leafValue = [2, 12]; t.leafCover = [30, 70]
        let expected = TreeSHAP.expectedValue(t)[0]
        #expect(abs(expected - 9) < 1e-12)
        var phi = [Double](repeating: 0, count: 2)
        TreeSHAP.contributions(t, row: [0, 5], features: 2, into: &phi)
        #expect(abs(phi[0] - (2 - 9)) < 1e-12 && phi[1] == 0)
    }

    @Test func forestsAverageTreesAndReportOutOfBag() throws {
        let f = Self.data(rows: 500, task: .classification, classes: 3)
        let test = Self.data(rows: 500, seed: 7, task: .classification, classes: 3)
        let rf = try RandomForestEstimator(["num_iterations": "30"]).fit(f, target: "y", seed: 3) as! ForestModel
        let oob = rf.outOfBag!
        #expect(oob.name == "accuracy")
        let acc = try Evaluation.metrics(rf.predict(test), frame: test, target: "y").first { $0.name == "accuracy" }!.value
        #expect(abs(oob.value - acc) < 0.08, "oob \(oob.value) vs test \(acc)")
        guard case .classification(_, _, let p) = try rf.predict(test) else { return }
        #expect(p.allSatisfy { abs($0.reduce(0, +) - 1) < 1e-9 && $0.allSatisfy { $0 >= 0 } })
        // Extra trees: no bootstrap by default, so no out-of-bag score, and other trees.
        let et = try ExtraTreesEstimator(["num_iterations": "30"]).fit(f, target: "y", seed: 3) as! ForestModel
        #expect(et.outOfBag == nil)
        #expect(try et.predict(test) != rf.predict(test))
        // Regression forests report R² out of bag, and contributions add up to the prediction.
        let r = Self.data(rows: 300, task: .regression)
        let rfr = try RandomForestEstimator(["num_iterations": "10"]).fit(r, target: "y", seed: 3) as! ForestModel
        #expect(rfr.outOfBag?.name == "r2" && rfr.outOfBag!.value > 0.5)
        let c = try rfr.contributions(r)
        guard case .regression(let pr) = try rfr.predict(r) else { return }
        for i in 0..<r.rowCount { #expect(abs(c.values[i].reduce(0, +) - pr[i]) < 1e-9) }
    }

    @Test func decisionTreePrintsRules() throws {
        let f = try Frame(columns: [
            Column(name: "size", storage: .float64([1, 2, 3, 10, 11, 12, 1, 2])),
            Column(name: "colour", storage: .string(codes: [0, 0, 0, 0, 0, 0, 1, 1], dictionary: ["red", "blue"])),
            Column(name: "label", storage: .string(codes: [0, 0, 0, 1, 1, 1, 1, 1], dictionary: ["small", "big"])),
        ])
        let m = try DecisionTreeEstimator([:]).fit(f, target: "label", seed: 0) as! ForestModel
        #expect(try m.predict(f).labels == ["small", "small", "small", "big", "big", "big", "big", "big"])
        #expect(m.rules() == """
            if size <= 6.5 or missing:
                if colour in {red}:
                    predict small  (p=1, 3 rows)
                else:
                    predict big  (p=1, 2 rows)
            else:
                predict big  (p=1, 3 rows)
            """)
    }
}
