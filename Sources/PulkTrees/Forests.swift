import Foundation
public import PulkFrame
public import PulkLearn

/// Which forest flavour.
enum ForestKind: String, Sendable {
    case randomForest = "random-forest", extraTrees = "extra-trees", decisionTree = "decision-tree"
}

/// Random forest: bootstrap samples, √p features per split, fully grown trees, averaged.
public struct RandomForestEstimator: Estimator {
    public static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model { try ForestModel.restore(h, s, file: file) }
    public static let name = ForestKind.randomForest.rawValue
    public static let summary = "Random forest (classification or regression): bootstrap samples, a random subset of features per split, out-of-bag score."
    public static let task = Task.classification
    public static let tasks: [Task] = [.classification, .regression]
    public static let parameterSpecs = forestSpecs(bootstrap: true)
    /// From 4 trees of 4 leaves up; the share of features per split on a log scale, from all of them.
    public static let searchSpace: [SearchDimension] = [
        .int("num_iterations", 4...1024, log: true, start: 4), .int("num_leaves", 4...32768, log: true, start: 4),
        .double("feature_fraction_bynode", 0.1...1, log: true, start: 1),
    ]
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }
    public func task(for frame: Frame, target: String) -> Task { taskFromParameter(parameters, frame, target) }
    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        try fitForest(.randomForest, parameters, frame, target: target, task: task(for: frame, target: target), seed: seed)
    }
}

/// Extremely randomised trees: random thresholds, all rows by default.
public struct ExtraTreesEstimator: Estimator {
    public static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model { try ForestModel.restore(h, s, file: file) }
    public static let name = ForestKind.extraTrees.rawValue
    public static let summary = "Extremely randomised trees (classification or regression): one random threshold per feature and split, averaged."
    public static let task = Task.classification
    public static let tasks: [Task] = [.classification, .regression]
    public static let parameterSpecs = forestSpecs(bootstrap: false)
    /// From 4 trees of 4 leaves up; the share of features per split on a log scale, from all of them.
    public static let searchSpace: [SearchDimension] = [
        .int("num_iterations", 4...1024, log: true, start: 4), .int("num_leaves", 4...32768, log: true, start: 4),
        .double("feature_fraction_bynode", 0.1...1, log: true, start: 1),
    ]
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }
    public func task(for frame: Frame, target: String) -> Task { taskFromParameter(parameters, frame, target) }
    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        try fitForest(.extraTrees, parameters, frame, target: target, task: task(for: frame, target: target), seed: seed)
    }
}

/// One CART tree (Gini / variance reduction over binned features) that prints as if/else rules.
public struct DecisionTreeEstimator: Estimator {
    public static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model { try ForestModel.restore(h, s, file: file) }
    public static let name = ForestKind.decisionTree.rawValue
    public static let summary = "A single decision tree (CART: Gini or variance reduction) that prints as readable if/else rules."
    public static let task = Task.classification
    public static let tasks: [Task] = [.classification, .regression]
    public static let parameterSpecs = decisionTreeSpecs
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }
    public func task(for frame: Frame, target: String) -> Task { taskFromParameter(parameters, frame, target) }
    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        try fitForest(.decisionTree, parameters, frame, target: target, task: task(for: frame, target: target), seed: seed)
    }
}

func fitForest(_ kind: ForestKind, _ p: Parameters, _ frame: Frame, target: String, task: Task, seed runSeed: UInt64) throws(LearnError) -> any Model {
    let settings = ForestParameters(kind, p)
    let prepared = try PreparedTraining(frame, target: target, task: task, classWeight: settings.classWeight)
    let isTree = kind == .decisionTree
    let threads = isTree ? defaultThreadCount() : resolveThreads(p)
    let seed = isTree ? runSeed : resolveSeed(p, runSeed)
    let n = prepared.inputs.rows, features = prepared.inputs.columns.count
    let k = task == .classification ? max(prepared.classes, 1) : 1
    var growth = GrowthSettings()
    growth.numLeaves = settings.numLeaves > 0 ? max(settings.numLeaves, 2) : 1 << 30
    growth.maxDepth = settings.maxDepth
    growth.minDataInLeaf = settings.minDataInLeaf
    growth.minSumHessianInLeaf = 0
    growth.minGainToSplit = settings.minGainToSplit
    growth.catL2 = 0
    growth.minDataPerGroup = 1
    growth.extraTrees = kind == .extraTrees
    growth.threads = threads
    let byNode = settings.featureFractionByNode
    growth.featureFractionByNode = byNode > 0 ? byNode
        : (task == .classification ? max(1, Double(features).squareRoot().rounded(.down)) / Double(max(features, 1)) : 1)
    let trees = settings.trees
    let bootstrap = settings.bootstrap
    let draws = isTree ? n : max(1, Int(Double(n) * settings.baggingFraction))
    let binned = prepared.binned(maxBin: settings.maxBin, threads: threads)
    let grower = Grower(data: binned, settings: growth, outputs: k)
    let y = prepared.y, w = prepared.weights
    var rng = SeededGenerator(seed: seed)
    var fitted: [Tree] = []
    var oobSum = [Double](repeating: 0, count: bootstrap ? n * k : 0), oobCount = [Int](repeating: 0, count: bootstrap ? n : 0)
    var g = [Float](repeating: 0, count: n * k), h = [Float](repeating: 0, count: n)
    for _ in 0..<trees {
        var multiplicity = [Int](repeating: bootstrap ? 0 : 1, count: n)
        if bootstrap {
            for _ in 0..<draws { multiplicity[Int.random(in: 0..<n, using: &rng)] += 1 }
        } else if draws < n {
            multiplicity = [Int](repeating: 0, count: n)
            var order = Array(0..<n)
            for i in 0..<draws { order.swapAt(i, Int.random(in: i..<n, using: &rng)); multiplicity[order[i]] = 1 }
        }
        var count = 0
        for i in 0..<n where multiplicity[i] > 0 {
            let m = Double(multiplicity[i]) * w[i]
            grower.indices[count] = Int32(i)
            count += 1
            h[i] = Float(m)
            if k == 1 { g[i] = Float(-y[i] * m) } else {
                for c in 0..<k { g[i * k + c] = c == Int(y[i]) ? Float(-m) : 0 }
            }
        }
        let tree = g.withUnsafeBufferPointer { gp in
            h.withUnsafeBufferPointer { hp in
                grower.grow(rowCount: count, grad: gp.baseAddress!, hess: hp.baseAddress!, featureMask: [Bool](repeating: true, count: features),
                            rng: &rng)
            }
        }
        if bootstrap {
            for i in 0..<n where multiplicity[i] == 0 {
                let leaf = tree.leaf(row: i, columns: prepared.inputs.columns)
                for c in 0..<k { oobSum[i * k + c] += tree.leafValue[leaf * k + c] }
                oobCount[i] += 1
            }
        }
        fitted.append(tree)
    }
    var oob: MetricValue?
    if bootstrap {
        let rows = (0..<n).filter { oobCount[$0] > 0 }
        if !rows.isEmpty {
            if task == .classification {
                let truth = rows.map { Int(y[$0]) }
                let predicted = rows.map { i in Predictions.mostProbable((0..<k).map { oobSum[i * k + $0] / Double(oobCount[i]) }) }
                oob = MetricValue(name: "accuracy", value: ClassificationMetrics.accuracy(truth, predicted))
            } else if let r2 = try? RegressionMetrics.r2(rows.map { y[$0] }, rows.map { oobSum[$0] / Double(oobCount[$0]) }) {
                oob = MetricValue(name: "r2", value: r2)
            }
        }
    }
    return ForestModel(kind: kind.rawValue, parameters: p, schema: prepared.schema, target: prepared.target.info, outputs: k,
                       trees: fitted, outOfBag: oob)
}

/// A fitted forest (or single tree): predictions are the mean of the trees' leaf values (class
/// shares for classification).
public struct ForestModel: MatrixScoring, ProvidesFeatureImportance, ProvidesContributions, ProvidesOutOfBagScore {
    public let kind: String
    public let parameters: Parameters
    public let schema: FeatureSchema
    public let target: TargetInfo
    let outputs: Int
    public let trees: [Tree]
    public let outOfBag: MetricValue?
    let flat: FlatEnsemble

    init(kind: String, parameters: Parameters, schema: FeatureSchema, target: TargetInfo, outputs: Int, trees: [Tree], outOfBag: MetricValue?) {
        self.kind = kind
        self.parameters = parameters
        self.schema = schema
        self.target = target
        self.outputs = outputs
        self.trees = trees
        self.outOfBag = outOfBag
        flat = FlatEnsemble(trees: trees, features: schema.features.count, treeOutput: [Int](repeating: 0, count: trees.count))
    }

    public func predict(_ frame: Frame) throws(LearnError) -> Predictions {
        let inputs = try TreeInputs(frame: frame, schema: schema)
        return predictions(flat.predict(inputs, slots: outputs, base: [Double](repeating: 0, count: outputs)), rows: inputs.rows)
    }

    public var scoresMatrix: Bool { schema.readsNumbersAsTheyAre }

    public func predict(columnMajor x: [Double], rows: Int) -> Predictions {
        predictions(flat.predict(columnMajor: x, rows: rows, slots: outputs, base: [Double](repeating: 0, count: outputs)), rows: rows)
    }

    /// The trees' summed leaf values (row-major, `outputs` per row) as mean predictions.
    func predictions(_ sum: [Double], rows n: Int) -> Predictions {
        let k = outputs
        let scale = 1 / Double(max(trees.count, 1))
        if target.task == .regression { return .regression(sum.map { $0 * scale }) }
        return .classification(classes: target.classes!, probabilities: ClassProbabilities(values: sum.map { $0 * scale }, width: k, rows: n))
    }

    public var featureImportance: [FeatureImportance] { importance(trees, schema) }

    public func contributions(_ frame: Frame) throws(LearnError) -> Contributions {
        try PulkTrees.contributions(trees, schema: schema, outputNames: target.task == .regression ? [target.name] : target.classes!, frame: frame, outputs: outputs,
                                    base: [Double](repeating: 0, count: outputs), scale: 1 / Double(max(trees.count, 1)),
                                    threads: defaultThreadCount()) { _ in 0 }
    }

    /// The tree (the first one of a forest) as nested if/else rules over the original feature names.
    public func rules(tree index: Int = 0, decimals: Int = 4) -> String {
        let t = trees[index]
        var lines: [String] = []
        func number(_ v: Double) -> String { formatDouble((v * pow(10, Double(decimals))).rounded() / pow(10, Double(decimals))) }
        func leafText(_ l: Int) -> String {
            let k = t.outputs, values = Array(t.leafValue[(l * k)..<((l + 1) * k)])
            let n = Int(t.leafCover[l])
            if target.task == .regression { return "predict \(number(values[0]))  (\(n) rows)" }
            let best = Predictions.mostProbable(values)
            return "predict \(target.classes![best])  (p=\(number(values[best])), \(n) rows)"
        }
        func walk(_ c: Int, _ indent: String) {
            if c < 0 { lines.append(indent + leafText(~c)); return }
            let f = schema.features[t.splitFeature[c]]
            let condition: String
            if let cats = f.categories, !t.leftCategories[c].isEmpty || t.threshold[c].isNaN {
                condition = "\(f.name) in {" + t.leftCategories[c].map { cats[$0] }.joined(separator: ", ") + "}"
            } else {
                condition = "\(f.name) <= \(number(t.threshold[c]))" + (t.defaultLeft[c] ? " or missing" : "")
            }
            lines.append(indent + "if \(condition):")
            walk(t.left[c], indent + "    ")
            lines.append(indent + "else:")
            walk(t.right[c], indent + "    ")
        }
        walk(t.nodeCount == 0 ? ~0 : 0, "")
        return lines.joined(separator: "\n")
    }

    public var state: ModelState {
        var s = ModelState(doubles: ["oob_score": outOfBag.map { [$0.value] } ?? []], ints: ["outputs": [Int64(outputs)]])
        TreeCodec.encode(trees, into: &s)
        return s
    }

    static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model {
        let outputs = Int(try s.int("outputs", file: file).first ?? 1)
        guard outputs >= 1, outputs == (h.task == .regression ? 1 : max(h.target.classes?.count ?? 1, 1)) else {
            throw .corruptModelFile(file, reason: "the tree outputs do not match the target")
        }
        let trees = try TreeCodec.decode(s, outputs: outputs, features: h.schema.features.count, file: file)
        let oob = try s.double("oob_score", file: file).first.map { MetricValue(name: h.task == .regression ? "r2" : "accuracy", value: $0) }
        return ForestModel(kind: h.kind, parameters: h.parameters, schema: h.schema, target: h.target, outputs: outputs, trees: trees, outOfBag: oob)
    }
}

/// The tree estimators and their model decoders, for the catalog.
