public import PulkLearn

/// A fitted tree ensemble as exporters see it (ONNX): the trees, which output each adds to, what is
/// added before and multiplied after, and the link from raw scores to predictions.
public struct TreeEnsembleDescription: Sendable {
    public var trees: [Tree]
    /// For each tree, the output its leaves add to; a tree whose leaves hold `outputs` values adds to all (forests).
    public var treeOutput: [Int]
    public var outputs: Int
    /// Added to the raw scores (a booster's initial scores).
    public var base: [Double]
    /// Multiplies the summed scores (1 / trees for a forest's mean).
    public var scale: Double
    public var link: ScoreLink
    /// Class labels in output order, for classifiers.
    public var classes: [String]?
}

/// Models whose predictions are a tree ensemble's.
public protocol DescribesTreeEnsemble: Model {
    var ensemble: TreeEnsembleDescription { get }
}

extension BoostedTreesModel: DescribesTreeEnsemble {
    public var ensemble: TreeEnsembleDescription {
        let link: ScoreLink
        switch objective {
        case .binary: link = .logistic
        case .multiclass: link = .softmax
        case .poisson: link = .exp
        default: link = .identity
        }
        return TreeEnsembleDescription(trees: trees, treeOutput: trees.indices.map { $0 % max(outputs, 1) }, outputs: outputs, base: initScores,
                                       scale: 1, link: link, classes: target.classes)
    }
}

extension ForestModel: DescribesTreeEnsemble {
    public var ensemble: TreeEnsembleDescription {
        TreeEnsembleDescription(trees: trees, treeOutput: [Int](repeating: 0, count: trees.count), outputs: outputs,
                                base: [Double](repeating: 0, count: outputs), scale: 1 / Double(max(trees.count, 1)), link: .identity,
                                classes: target.task == .regression ? nil : target.classes)
    }
}
