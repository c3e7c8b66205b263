import Foundation
public import PulkFrame
public import PulkLearn

/// Histogram gradient boosting (LightGBM's algorithm and parameter names).
public struct GradientBoostingEstimator: Estimator {
    public static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model { try BoostedTreesModel.restore(h, s, file: file) }
    public static let name = "gbdt"
    public static let summary = "Histogram gradient-boosted trees (LightGBM's algorithm and parameter names): leaf-wise growth, native categories and missing values, early stopping."
    public static let task = Task.classification
    public static let tasks: [Task] = [.classification, .regression]
    public static let parameterSpecs = gbdtSpecs
    /// FLAML's LightGBM space: from 4 trees of 4 leaves up, learning rate and regularisation on log scales.
    public static let searchSpace: [SearchDimension] = [
        .int("num_iterations", 4...4096, log: true, start: 4), .int("num_leaves", 4...1024, log: true, start: 4),
        .int("min_data_in_leaf", 2...128, log: true, start: 20), .double("learning_rate", (1.0 / 1024)...1, log: true, start: 0.1),
        .double("feature_fraction", 0.1...1, start: 1), .double("lambda_l1", (1.0 / 1024)...1024, log: true, start: 1.0 / 1024),
        .double("lambda_l2", (1.0 / 1024)...1024, log: true, start: 1),
    ]
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }

    var objectiveName: String { parameters.string("objective") }

    public func task(for frame: Frame, target: String) -> Task {
        if let o = Objective.aliases[objectiveName] { return o.task }
        return inferredTask(frame, target: target)
    }

    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        try fit(frame, target: target, seed: seed, validation: nil)
    }

    /// Fits with an explicit validation frame (for early stopping and the validation curve); without
    /// one, early stopping holds out `validation_fraction` of the rows.
    public func fit(_ frame: Frame, target: String, seed runSeed: UInt64, validation: Frame?) throws(LearnError) -> any Model {
        let p = parameters
        let seed = resolveSeed(p, runSeed)
        let task = self.task(for: frame, target: target)
        var train = frame, valid = validation
        let q = GBDTParameters(p)
        if valid == nil && q.boosting.earlyStoppingRounds > 0 {
            let t = try TargetValues.extract(frame, target: target, task: task)
            let present = t.presentRows(of: frame)
            let fractionHeld = q.validationFraction
            let s: Split
            do {
                s = task == .classification && Set(t.classes).count > 1
                    ? try Splitter.stratified(labels: t.classes, testFraction: fractionHeld, seed: seed)
                    : try Splitter.random(rows: present.rowCount, testFraction: fractionHeld, seed: seed)
            } catch { throw .invalidSplit("early stopping needs a validation set: \(error)") }
            train = present.take(s.train)
            valid = present.take(s.test)
        }
        let prepared = try PreparedTraining(train, target: target, task: task, classWeight: q.classWeight)
        let k = prepared.classes
        var objective: Objective
        if let o = Objective.aliases[objectiveName] { objective = o } else { objective = task == .regression ? .regression : (k > 2 ? .multiclass : .binary) }
        if objective == .binary && k > 2 {
            throw .badTarget(target, reason: "objective=binary needs two classes, but it has \(k); use objective=multiclass")
        }
        if objective == .multiclass && k == 2 { objective = .binary }
        if objective == .poisson && prepared.target.values.contains(where: { $0 < 0 }) {
            throw .badTarget(target, reason: "objective=poisson needs counts ≥ 0")
        }
        var weights = prepared.weights
        if objective == .binary {
            let positives = prepared.target.classes.filter { $0 == 1 }.count, negatives = prepared.target.classes.count - positives
            for (i, c) in prepared.target.classes.enumerated() where c == 1 {
                weights[i] *= q.scalePosWeight
                if q.isUnbalance && positives > 0 { weights[i] *= Double(negatives) / Double(positives) }
            }
        }
        let threads = q.growth.threads
        var validationData: (columns: [[Double]], y: [Double])?
        if let valid {
            let vt = try TargetValues.extract(valid, target: target, task: task)
            let vf = vt.presentRows(of: valid)
            let vin = try TreeInputs(frame: vf, schema: prepared.schema)
            // Validation classes index into the training classes; rows of unseen classes are left out.
            if task == .classification {
                let index = Dictionary(uniqueKeysWithValues: prepared.target.info.classes!.enumerated().map { ($1, $0) })
                let labels = vt.classes.map { index[vt.info.classes![$0]] }
                let keep = labels.indices.filter { labels[$0] != nil }
                validationData = (vin.columns.map { c in keep.map { c[$0] } }, keep.map { Double(labels[$0]!) })
            } else {
                validationData = (vin.columns, vt.values)
            }
        }
        let settings = ObjectiveSettings(objective: objective, classes: max(k, 1), alpha: q.alpha,
                                         poissonMaxDeltaStep: q.poissonMaxDeltaStep, boostFromAverage: q.boostFromAverage)
        let ensemble: BoostedEnsemble
        if task == .classification && k < 2 {
            // One class: nothing to learn.
            ensemble = BoostedEnsemble(trees: [], initScores: [0], outputs: 1, trainCurve: [], validationCurve: [], curveMetric: "", bestIteration: 0)
        } else {
            let data = BoostingData(binned: prepared.binned(maxBin: q.maxBin, minDataInBin: q.minDataInBin, threads: threads), columns: prepared.inputs.columns,
                                    y: prepared.y, weights: weights, validation: validationData)
            ensemble = try Boosting.fit(data, objective: settings, growth: q.growth, boosting: q.boosting, seed: seed)
        }
        return BoostedTreesModel(parameters: p, schema: prepared.schema, target: prepared.target.info, objective: objective,
                                 trees: ensemble.trees, initScores: ensemble.initScores, outputs: ensemble.outputs,
                                 trainCurve: ensemble.trainCurve, validationCurve: ensemble.validationCurve,
                                 curveMetric: ensemble.curveMetric, best: ensemble.bestIteration)
    }
}

/// A fitted boosted ensemble.
public struct BoostedTreesModel: MatrixScoring, ProvidesFeatureImportance, ProvidesTrainingCurves, ProvidesContributions {
    public var kind: String { GradientBoostingEstimator.name }
    public let parameters: Parameters
    public let schema: FeatureSchema
    public let target: TargetInfo
    let objective: Objective
    public let trees: [Tree]
    let initScores: [Double]
    let outputs: Int
    let trainCurve: [Double]
    let validationCurve: [Double]
    let curveMetric: String
    let best: Int
    let flat: FlatEnsemble

    init(parameters: Parameters, schema: FeatureSchema, target: TargetInfo, objective: Objective, trees: [Tree], initScores: [Double],
         outputs: Int, trainCurve: [Double], validationCurve: [Double], curveMetric: String, best: Int) {
        self.parameters = parameters
        self.schema = schema
        self.target = target
        self.objective = objective
        self.trees = trees
        self.initScores = initScores
        self.outputs = outputs
        self.trainCurve = trainCurve
        self.validationCurve = validationCurve
        self.curveMetric = curveMetric
        self.best = best
        flat = FlatEnsemble(trees: trees, features: schema.features.count, treeOutput: trees.indices.map { $0 % max(outputs, 1) })
    }

    /// Raw scores (log-odds, log-means or values), row-major `rows × outputs`.
    public func rawScores(_ frame: Frame) throws(LearnError) -> [Double] {
        let inputs = try TreeInputs(frame: frame, schema: schema)
        return flat.predict(inputs, slots: outputs, base: initScores, threads: resolveThreads(parameters))
    }

    /// Raw scores of inputs already converted from a frame (the predictor alone, for benchmarks).
    public func rawScores(_ inputs: TreeInputs, threads: Int? = nil) -> [Double] {
        flat.predict(inputs, slots: outputs, base: initScores, threads: threads ?? resolveThreads(parameters))
    }

    /// Raw scores of one row given as one value per schema feature (category codes for text
    /// features); writes `outputs` values into `out` and allocates nothing.
    public func rawScore(row x: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        for c in 0..<outputs { out[c] = initScores[c] }
        flat.predict(row: x, into: out)
    }

    public func predict(_ frame: Frame) throws(LearnError) -> Predictions {
        predictions(try rawScores(frame), rows: frame.rowCount)
    }

    public var scoresMatrix: Bool { schema.readsNumbersAsTheyAre }

    public func predict(columnMajor x: [Double], rows: Int) -> Predictions {
        predictions(flat.predict(columnMajor: x, rows: rows, slots: outputs, base: initScores, threads: resolveThreads(parameters)), rows: rows)
    }

    /// Raw scores (row-major, `outputs` per row) turned into the objective's predictions.
    func predictions(_ raw: [Double], rows n: Int) -> Predictions {
        switch objective {
        case .binary:
            if target.classes?.count == 1 { return .classification(classes: target.classes!, predicted: [Int](repeating: 0, count: n),
                                                                   probabilities: ClassProbabilities(values: [Double](repeating: 1, count: n), width: 1, rows: n)) }
            var values = [Double](repeating: 0, count: 2 * n)
            for (i, s) in raw.enumerated() {
                let p = 1 / (1 + exp(-s))
                values[2 * i] = 1 - p
                values[2 * i + 1] = p
            }
            return .classification(classes: target.classes!, probabilities: ClassProbabilities(values: values, width: 2, rows: n))
        case .multiclass:
            let k = outputs
            var values = [Double](repeating: 0, count: k * n)
            for i in 0..<n {
                let m = raw[(i * k)..<((i + 1) * k)].max()!
                var s = 0.0
                for c in 0..<k { let e = exp(raw[i * k + c] - m); values[i * k + c] = e; s += e }
                for c in 0..<k { values[i * k + c] /= s }
            }
            return .classification(classes: target.classes!, probabilities: ClassProbabilities(values: values, width: k, rows: n))
        case .poisson: return .regression(raw.map { exp($0) })
        default: return .regression(raw)
        }
    }

    public var featureImportance: [FeatureImportance] { importance(trees, schema) }

    public var trainingCurves: [TrainingCurve] {
        var out = [TrainingCurve(name: "train_\(objective.lossName)", values: trainCurve)]
        if !validationCurve.isEmpty { out.append(TrainingCurve(name: "valid_\(curveMetric)", values: validationCurve)) }
        return out
    }

    public var bestIteration: Int? { parameters.int("early_stopping_round") > 0 && !validationCurve.isEmpty ? best : nil }

    public func contributions(_ frame: Frame) throws(LearnError) -> Contributions {
        let k = outputs
        return try PulkTrees.contributions(trees, schema: schema, outputNames: k == 1 ? [target.name] : target.classes!, frame: frame, outputs: k, base: initScores, scale: 1,
                                           threads: resolveThreads(parameters)) { $0 % k }
    }

    public var state: ModelState {
        var s = ModelState(doubles: ["init_score": initScores, "train_curve": trainCurve, "valid_curve": validationCurve],
                           ints: ["outputs": [Int64(outputs)], "best_iteration": [Int64(best)]])
        TreeCodec.encode(trees, into: &s)
        return s
    }

    /// The objective and the curve's metric name travel in the parameters and are re-derived here.
    static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model {
        let outputs = Int(try s.int("outputs", file: file).first ?? 1)
        let trees = try TreeCodec.decode(s, outputs: 1, features: h.schema.features.count, file: file)
        let initScores = try s.double("init_score", file: file)
        guard outputs >= 1, initScores.count == outputs else { throw .corruptModelFile(file, reason: "the initial scores do not match the outputs") }
        let k = h.target.classes?.count ?? 0
        let name = h.parameters.string("objective")
        let objective = Objective.aliases[name] ?? (h.task == .regression ? .regression : (k > 2 ? .multiclass : .binary))
        // The objective decides how raw scores become predictions: one score per class for
        // multiclass, one otherwise, and classes exactly for the classification objectives.
        guard objective.task == h.task, outputs == (objective == .multiclass && k > 2 ? k : 1) else {
            throw .corruptModelFile(file, reason: "\(outputs) outputs do not fit the \(objective.rawValue) objective with \(k) classes")
        }
        let metric = metricAliases[h.parameters.string("metric")] ?? h.parameters.string("metric")
        return BoostedTreesModel(parameters: h.parameters, schema: h.schema, target: h.target,
                                 objective: objective == .multiclass && k == 2 ? .binary : objective, trees: trees, initScores: initScores,
                                 outputs: outputs, trainCurve: try s.double("train_curve", file: file),
                                 validationCurve: try s.double("valid_curve", file: file),
                                 curveMetric: metric == "auto" ? objective.lossName : metric,
                                 best: Int(try s.int("best_iteration", file: file).first ?? 0))
    }
}
