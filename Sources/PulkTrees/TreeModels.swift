import Foundation
import PulkFrame
public import PulkLearn

/// What every tree fit needs: inputs, target, weights.
struct PreparedTraining {
    var schema: FeatureSchema
    var target: TargetValues
    var inputs: TreeInputs
    var weights: [Double]
    var classes: Int { target.info.classes?.count ?? 0 }

    init(_ frame: Frame, target name: String, task: Task, classWeight: String) throws(LearnError) {
        let t = try TargetValues.extract(frame, target: name, task: task)
        let training = t.presentRows(of: frame)
        schema = FeatureSchema(frame: frame, excluding: name)
        target = t
        inputs = try TreeInputs(frame: training, schema: schema)
        weights = [Double](repeating: 1, count: training.rowCount)
        if task == .classification && classWeight == "balanced" {
            let k = t.info.classes!.count
            var counts = [Double](repeating: 0, count: k)
            for c in t.classes { counts[c] += 1 }
            let n = Double(t.classes.count)
            weights = t.classes.map { n / (Double(k) * counts[$0]) }
        }
    }

    var y: [Double] { target.info.task == .regression ? target.values : target.classes.map(Double.init) }

    func binned(maxBin: Int, minDataInBin: Int? = nil, threads: Int) -> BinnedMatrix {
        let columns = inputs.columns
        return BinnedMatrix(rows: inputs.rows, categorical: inputs.categorical, maxBin: maxBin, minDataInBin: minDataInBin, threads: threads) { columns[$0] }
    }
}

func resolveThreads(_ p: Parameters) -> Int {
    let t = p.int("num_threads")
    return t > 0 ? t : defaultThreadCount()
}

func resolveSeed(_ p: Parameters, _ seed: UInt64) -> UInt64 {
    let s = p.int("seed")
    return s >= 0 ? UInt64(s) : seed
}

func taskFromParameter(_ p: Parameters, _ frame: Frame, _ target: String) -> Task {
    switch p.string("task") {
    case "classification": return .classification
    case "regression": return .regression
    default: return inferredTask(frame, target: target)
    }
}

/// TreeSHAP contributions of every row for an ensemble: tree `t` adds its outputs to the output
/// block starting at `firstOutput(t)`, scaled by `scale` (1 for boosting, 1/trees for forests);
/// `base` holds each output's expected value before the trees' own are added.
func contributions(_ trees: [Tree], schema: FeatureSchema, outputNames: [String], frame: Frame, outputs k: Int, base: [Double], scale: Double,
                   threads: Int, firstOutput: @escaping @Sendable (Int) -> Int) throws(LearnError) -> Contributions {
    let inputs = try TreeInputs(frame: frame, schema: schema)
    let f = schema.features.count
    var expected = base
    for (t, tree) in trees.enumerated() {
        for (c, v) in TreeSHAP.expectedValue(tree).enumerated() { expected[firstOutput(t) + c] += v * scale }
    }
    let expectedValues = expected
    let rows = ResultSlots<[Double]>(count: inputs.rows)
    parallelFor(inputs.rows, threads: threads) { i in
        let x = inputs.columns.map { $0[i] }
        var out = [Double](repeating: 0, count: k * (f + 1))
        for (t, tree) in trees.enumerated() {
            var one = [Double](repeating: 0, count: tree.outputs * f)
            TreeSHAP.contributions(tree, row: x, features: f, into: &one)
            let first = firstOutput(t)
            for c in 0..<tree.outputs { for j in 0..<f { out[(first + c) * (f + 1) + j] += one[c * f + j] * scale } }
        }
        for c in 0..<k { out[c * (f + 1) + f] = expectedValues[c] }
        rows[i] = out
    }
    return Contributions(features: schema.features.map(\.name), outputs: outputNames, values: rows.values.map { $0! })
}

func importance(_ trees: [Tree], _ schema: FeatureSchema) -> [FeatureImportance] {
    var split = [Double](repeating: 0, count: schema.features.count), gain = split
    for t in trees {
        for n in 0..<t.nodeCount {
            split[t.splitFeature[n]] += 1
            gain[t.splitFeature[n]] += t.gain[n]
        }
    }
    return schema.features.enumerated().map { FeatureImportance(feature: $1.name, split: split[$0], gain: gain[$0]) }
}

public enum TreeModels {
    public static let estimators: [any Estimator.Type] = [
        GradientBoostingEstimator.self, RandomForestEstimator.self, ExtraTreesEstimator.self, DecisionTreeEstimator.self,
    ]
    public static let decoders = ModelFile.decoders(for: estimators)
}
