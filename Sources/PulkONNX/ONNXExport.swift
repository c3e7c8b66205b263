public import Foundation
public import PulkLearn
import PulkFrame
import PulkTrees
import SwiftProtobuf

/// Why a model cannot be exported, and what can be.
public struct ONNXExportError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Pulk models as ONNX graphs that onnxruntime (and `mlflow.onnx`, which feeds a DataFrame's columns
/// by name) run on the same raw columns: one input per feature, shape [N] (text as
/// `tensor(string)`, the empty string for missing; everything else as `tensor(double)`: booleans as
/// 0/1, dates as days and datetimes as seconds since the epoch, NaN for missing). The outputs are the
/// columns `pulk predict` writes: `prediction` (the class label, `tensor(string)` [N], or the value,
/// `tensor(double)` [N]) and, for classifiers, `probability_CLASS` (`tensor(double)` [N]) per class.
///
/// Tree models (gradient boosting, random forest, extra trees, decision tree) export as
/// `ai.onnx.ml` TreeEnsemble (opset 5): thresholds in double precision, categorical splits as
/// set-membership nodes, missing values routed as Pulk routes them. Text features go through a
/// LabelEncoder to the training categories' indices (unseen text, and the empty string, are missing).
public enum ONNXExport {
    /// The ONNX opsets the graph uses (onnxruntime 1.19 and later run them).
    public static let opset: Int64 = 21
    public static let mlOpset: Int64 = 5

    /// The serialized `ModelProto` of `model`.
    public static func serialize(_ model: any Model, name: String = "pulk") throws -> Data {
        let proto = try self.model(model, name: name)
        do { return try proto.serializedData() } catch { throw ONNXExportError("the ONNX model could not be serialized: \(error)") }
    }

    static func model(_ model: any Model, name: String) throws -> Onnx_ModelProto {
        var graph = GraphBuilder(name: name)
        if let trees = model as? any DescribesTreeEnsemble {
            let features = try graph.featureMatrix(model.schema)
            try graph.treeEnsemble(trees.ensemble, input: features, schema: model.schema)
        } else if let linear = (model as? any DescribesLinearModel)?.linear {
            graph.declareInputs(model.schema)
            let x = try graph.pipeline(linear.pipeline)
            try graph.linear(linear, input: x)
        } else if let bayes = (model as? any DescribesGaussianNaiveBayes)?.gaussianNaiveBayes {
            graph.declareInputs(model.schema)
            let x = try graph.pipeline(bayes.pipeline)
            try graph.gaussianNaiveBayes(bayes, input: x)
        } else {
            throw ONNXExportError("\(model.kind) models cannot be exported to ONNX yet: Pulk exports tree models (gbdt, random-forest, extra-trees, decision-tree) linear ones (linear, ridge, lasso, elasticnet, logistic) and naive-bayes so far")
        }
        var m = Onnx_ModelProto()
        m.irVersion = 10
        m.producerName = "pulk"
        m.producerVersion = "1"
        m.modelVersion = 1
        m.docString = "\(model.kind) exported by Pulk; inputs are the model's features by name"
        var core = Onnx_OperatorSetIdProto()
        core.domain = ""
        core.version = opset
        var ml = Onnx_OperatorSetIdProto()
        ml.domain = "ai.onnx.ml"
        ml.version = mlOpset
        m.opsetImport = [core, ml]
        m.graph = graph.graph
        return m
    }
}

/// Builds a graph node by node, naming intermediate values uniquely.
struct GraphBuilder {
    var graph = Onnx_GraphProto()
    private var counter = 0

    init(name: String) { graph.name = name }

    mutating func fresh(_ stem: String) -> String {
        counter += 1
        return "\(stem)_\(counter)"
    }

    @discardableResult
    mutating func node(_ op: String, _ inputs: [String], domain: String = "", attributes: [Onnx_AttributeProto] = [], output: String? = nil) -> String {
        var n = Onnx_NodeProto()
        n.opType = op
        n.domain = domain
        n.input = inputs
        let out = output ?? fresh(op.lowercased())
        n.output = [out]
        n.name = fresh("node")
        n.attribute = attributes
        graph.node.append(n)
        return out
    }

    mutating func constant(_ values: [Double], dims: [Int64]) -> String {
        var t = Onnx_TensorProto()
        t.name = fresh("const")
        t.dataType = 11 // DOUBLE
        t.dims = dims
        t.doubleData = values
        graph.initializer.append(t)
        return t.name
    }

    mutating func constant(ints: [Int64], dims: [Int64]) -> String {
        var t = Onnx_TensorProto()
        t.name = fresh("const")
        t.dataType = 7 // INT64
        t.dims = dims
        t.int64Data = ints
        graph.initializer.append(t)
        return t.name
    }

    mutating func constant(strings: [String], dims: [Int64]? = nil) -> String {
        var t = Onnx_TensorProto()
        t.name = fresh("labels")
        t.dataType = 8 // STRING
        t.dims = dims ?? [Int64(strings.count)]
        t.stringData = strings.map { Data($0.utf8) }
        graph.initializer.append(t)
        return t.name
    }

    static func valueInfo(_ name: String, type: Int32, dims: [Int64?]) -> Onnx_ValueInfoProto {
        var v = Onnx_ValueInfoProto()
        v.name = name
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = type
        var shape = Onnx_TensorShapeProto()
        shape.dim = dims.map { d in
            var dim = Onnx_TensorShapeProto.Dimension()
            if let d { dim.dimValue = d } else { dim.dimParam = "N" }
            return dim
        }
        tensor.shape = shape
        var t = Onnx_TypeProto()
        t.tensorType = tensor
        v.type = t
        return v
    }

    /// One input per feature, turned into a [N, F] double matrix in schema order.
    mutating func featureMatrix(_ schema: FeatureSchema) throws -> String {
        var columns: [String] = []
        let column = constant(ints: [-1, 1], dims: [2])
        for f in schema.features {
            if let categories = f.categories {
                graph.input.append(Self.valueInfo(f.name, type: 8, dims: [nil]))
                let codes = node("LabelEncoder", [f.name], domain: "ai.onnx.ml", attributes: [
                    .strings("keys_strings", categories),
                    .floats("values_floats", categories.indices.map(Float.init)),
                    .float("default_float", .nan),
                ])
                columns.append(node("Reshape", [node("Cast", [codes], attributes: [.int("to", 11)]), column]))
            } else {
                graph.input.append(Self.valueInfo(f.name, type: 11, dims: [nil]))
                columns.append(node("Reshape", [f.name, column]))
            }
        }
        guard !columns.isEmpty else { throw ONNXExportError("the model has no features") }
        return columns.count == 1 ? columns[0] : node("Concat", columns, attributes: [.int("axis", 1)])
    }

    mutating func treeEnsemble(_ e: TreeEnsembleDescription, input: String, schema: FeatureSchema) throws {
        var roots: [Int64] = [], featureIds: [Int64] = [], modes: [Int32] = [], splits: [Double] = []
        var trueIds: [Int64] = [], trueLeafs: [Int64] = [], falseIds: [Int64] = [], falseLeafs: [Int64] = []
        var missingTrue: [Int64] = [], membership: [Double] = []
        var leafTargets: [Int64] = [], leafWeights: [Double] = []
        for (t, tree) in e.trees.enumerated() {
            // A tree whose leaves hold one value per output adds to each output as its own copy.
            let copies: [(target: Int, component: Int)] = tree.outputs > 1 ? (0..<tree.outputs).map { ($0, $0) } : [(e.treeOutput[t], 0)]
            for copy in copies {
                let nodeBase = featureIds.count, leafBase = leafTargets.count
                roots.append(Int64(nodeBase))
                func child(_ c: Int) -> (Int64, Int64) { c >= 0 ? (Int64(nodeBase + c), 0) : (Int64(leafBase + ~c), 1) }
                if tree.nodeCount == 0 {
                    // A single leaf: a node whose both branches reach it.
                    featureIds.append(0); modes.append(0); splits.append(0); missingTrue.append(0)
                    trueIds.append(Int64(leafBase)); trueLeafs.append(1); falseIds.append(Int64(leafBase)); falseLeafs.append(1)
                }
                for n in 0..<tree.nodeCount {
                    featureIds.append(Int64(tree.splitFeature[n]))
                    if !tree.leftCategories[n].isEmpty || tree.threshold[n].isNaN {
                        modes.append(6) // BRANCH_MEMBER
                        splits.append(0)
                        membership += tree.leftCategories[n].map(Double.init)
                        membership.append(.nan)
                        missingTrue.append(0)
                    } else {
                        modes.append(0) // BRANCH_LEQ
                        splits.append(tree.threshold[n])
                        missingTrue.append(tree.defaultLeft[n] ? 1 : 0)
                    }
                    let (ti, tl) = child(tree.left[n]), (fi, fl) = child(tree.right[n])
                    trueIds.append(ti); trueLeafs.append(tl); falseIds.append(fi); falseLeafs.append(fl)
                }
                for l in 0..<max(tree.leafCount, 1) {
                    leafTargets.append(Int64(copy.target))
                    let index = l * tree.outputs + copy.component
                    leafWeights.append(index < tree.leafValue.count ? tree.leafValue[index] : 0)
                }
            }
        }
        var attributes: [Onnx_AttributeProto] = [
            .int("aggregate_function", 1), // SUM
            .int("n_targets", Int64(e.outputs)),
            .int("post_transform", 0),
            .ints("tree_roots", roots),
            .ints("nodes_featureids", featureIds),
            .tensor("nodes_modes", uint8: modes),
            .tensor("nodes_splits", doubles: splits),
            .ints("nodes_truenodeids", trueIds), .ints("nodes_trueleafs", trueLeafs),
            .ints("nodes_falsenodeids", falseIds), .ints("nodes_falseleafs", falseLeafs),
            .ints("nodes_missing_value_tracks_true", missingTrue),
            .ints("leaf_targetids", leafTargets),
            .tensor("leaf_weights", doubles: leafWeights),
        ]
        if !membership.isEmpty { attributes.append(.tensor("membership_values", doubles: membership)) }
        var score = node("TreeEnsemble", [input], domain: "ai.onnx.ml", attributes: attributes)
        if e.scale != 1 { score = node("Mul", [score, constant([e.scale], dims: [1])]) }
        if e.base.contains(where: { $0 != 0 }) { score = node("Add", [score, constant(e.base, dims: [Int64(e.outputs)])]) }
        try predictions(score: score, link: e.link, classes: e.classes)
    }

    /// The outputs `pulk predict` writes, from raw scores [N, K].
    mutating func predictions(score: String, link: ScoreLink, classes: [String]?) throws {
        guard let classes else {
            let prediction = link == .exp ? node("Exp", [score]) : score
            _ = node("Reshape", [prediction, constant(ints: [-1], dims: [1])], output: "prediction")
            graph.output.append(Self.valueInfo("prediction", type: 11, dims: [nil]))
            return
        }
        let probabilities: String
        switch link {
        case .logistic:
            guard classes.count == 2 else { throw ONNXExportError("a binary classifier needs two classes; this one was trained on \(classes.count)") }
            let p = node("Sigmoid", [score])
            let q = node("Sub", [constant([1], dims: [1]), p])
            probabilities = node("Concat", [q, p], attributes: [.int("axis", 1)])
        case .softmax:
            probabilities = node("Softmax", [score], attributes: [.int("axis", 1)])
        case .identity, .exp:
            probabilities = score
        }
        let index = node("ArgMax", [probabilities], attributes: [.int("axis", 1), .int("keepdims", 0)])
        _ = node("Gather", [constant(strings: classes), index], attributes: [.int("axis", 0)], output: "prediction")
        graph.output.append(Self.valueInfo("prediction", type: 8, dims: [nil]))
        for (k, c) in classes.enumerated() {
            let name = "probability_\(c)"
            _ = node("Gather", [probabilities, constant(ints: [Int64(k)], dims: [])], attributes: [.int("axis", 1)], output: name)
            graph.output.append(Self.valueInfo(name, type: 11, dims: [nil]))
        }
    }
}

extension Onnx_AttributeProto {
    static func int(_ name: String, _ v: Int64) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto(); a.name = name; a.type = .int; a.i = v; return a
    }
    static func float(_ name: String, _ v: Float) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto(); a.name = name; a.type = .float; a.f = v; return a
    }
    static func ints(_ name: String, _ v: [Int64]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto(); a.name = name; a.type = .ints; a.ints = v; return a
    }
    static func floats(_ name: String, _ v: [Float]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto(); a.name = name; a.type = .floats; a.floats = v; return a
    }
    static func strings(_ name: String, _ v: [String]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto(); a.name = name; a.type = .strings; a.strings = v.map { Data($0.utf8) }; return a
    }
    static func tensor(_ name: String, doubles: [Double]) -> Onnx_AttributeProto {
        var t = Onnx_TensorProto(); t.dataType = 11; t.dims = [Int64(doubles.count)]; t.doubleData = doubles
        var a = Onnx_AttributeProto(); a.name = name; a.type = .tensor; a.t = t; return a
    }
    static func tensor(_ name: String, uint8 values: [Int32]) -> Onnx_AttributeProto {
        var t = Onnx_TensorProto(); t.dataType = 2; t.dims = [Int64(values.count)]; t.int32Data = values
        var a = Onnx_AttributeProto(); a.name = name; a.type = .tensor; a.t = t; return a
    }
}

extension GraphBuilder {
    /// Whether a feature goes in as text (else as a double).
    static func isText(_ f: Feature) -> Bool { f.categories != nil || f.type == .string }

    /// One graph input per schema feature, by name: text as strings, the rest as doubles, shape [N].
    mutating func declareInputs(_ schema: FeatureSchema) {
        for f in schema.features { graph.input.append(Self.valueInfo(f.name, type: Self.isText(f) ? 8 : 11, dims: [nil])) }
    }

    /// The fitted preprocessing as ONNX operators: the design matrix [N, P] its transform makes.
    mutating func pipeline(_ p: FeaturePipeline) throws -> String {
        let column = constant(ints: [-1, 1], dims: [2])
        func asColumn(_ v: String) -> String { node("Reshape", [v, column]) }
        func double(_ v: String) -> String { node("Cast", [v], attributes: [.int("to", 11)]) }
        var blocks: [String] = []
        for step in p.steps {
            let x = step.column
            switch step.plan {
            case .numeric:
                let missing = node("IsNaN", [x])
                let filled = node("Where", [missing, constant([step.fill], dims: []), x])
                blocks.append(asColumn(node("Div", [node("Sub", [filled, constant([step.center], dims: [])]), constant([step.scale], dims: [])])))
                if step.hasMissing, p.indicator(step.plan) { blocks.append(asColumn(double(missing))) }
            case .categorical(let encoding, _):
                let missing = node("Equal", [x, constant(strings: [""], dims: [])])
                let filled = node("Where", [missing, constant(strings: [step.fillCategory ?? ""], dims: []), x])
                switch encoding {
                case .ordinal:
                    let index = node("LabelEncoder", [filled], domain: "ai.onnx.ml", attributes: [
                        .strings("keys_strings", step.categories), .ints("values_int64s", step.categories.indices.map(Int64.init)),
                        .int("default_int64", -1),
                    ])
                    blocks.append(asColumn(double(index)))
                case .oneHot:
                    for k in step.kept { blocks.append(asColumn(double(node("Equal", [filled, constant(strings: [k], dims: [])])))) }
                    if step.kept.count < step.categories.count {
                        let infrequent = node("LabelEncoder", [filled], domain: "ai.onnx.ml", attributes: [
                            .strings("keys_strings", step.kept), .ints("values_int64s", step.kept.map { _ in 0 }), .int("default_int64", 1),
                        ])
                        blocks.append(asColumn(double(infrequent)))
                    }
                }
                if step.hasMissing, p.indicator(step.plan) { blocks.append(asColumn(double(missing))) }
            case .targetEncoding:
                let key = node("Where", [node("Equal", [x, constant(strings: [""], dims: [])]), constant(strings: [FeaturePipeline.missingKeyForExport], dims: []), x])
                let index = node("LabelEncoder", [key], domain: "ai.onnx.ml", attributes: [
                    .strings("keys_strings", step.categories), .ints("values_int64s", step.categories.indices.map(Int64.init)),
                    .int("default_int64", Int64(step.categories.count)),
                ])
                blocks.append(asColumn(node("Gather", [constant(step.encodings, dims: [Int64(step.encodings.count)]), index], attributes: [.int("axis", 0)])))
            case .dateParts:
                throw ONNXExportError("the model splits '\(x)' into date parts, which Pulk cannot export to ONNX yet; train it without that column, or as a tree model")
            case .drop:
                break
            }
        }
        guard !blocks.isEmpty else { throw ONNXExportError("the model's preprocessing keeps no columns") }
        var full = blocks.count == 1 ? blocks[0] : node("Concat", blocks, attributes: [.int("axis", 1)])
        if let selected = p.selected {
            full = node("Gather", [full, constant(ints: selected.map(Int64.init), dims: [Int64(selected.count)])], attributes: [.int("axis", 1)])
        }
        return full
    }

    /// Scores X·Wᵀ + b, then the link and the outputs.
    mutating func linear(_ d: LinearDescription, input: String) throws {
        let k = d.weights.count, p = d.weights.first?.count ?? 0
        var transposed = [Double](repeating: 0, count: p * k)
        for o in 0..<k { for j in 0..<p { transposed[j * k + o] = d.weights[o][j] } }
        let score = node("Add", [node("MatMul", [input, constant(transposed, dims: [Int64(p), Int64(k)])]), constant(d.intercepts, dims: [Int64(k)])])
        try predictions(score: score, link: d.link, classes: d.classes)
    }
}

extension GraphBuilder {
    /// Each class's joint log-likelihood, log prior − ½ Σ log(2πσ²) − Σ (x − μ)² / 2σ², computed for
    /// every class at once by broadcasting [N, 1, P] against [K, P]; Softmax gives the probabilities.
    mutating func gaussianNaiveBayes(_ d: GaussianNaiveBayesDescription, input: String) throws {
        let k = d.priors.count, p = d.means.first?.count ?? 0
        guard k >= 1, p >= 1 else { throw ONNXExportError("the naive Bayes model has no classes or columns") }
        let x = node("Reshape", [input, constant(ints: [-1, 1, Int64(p)], dims: [3])])
        let centred = node("Sub", [x, constant(d.means.flatMap { $0 }, dims: [Int64(k), Int64(p)])])
        let scaled = node("Div", [node("Mul", [centred, centred]), constant(d.variances.flatMap { $0.map { 2 * $0 } }, dims: [Int64(k), Int64(p)])])
        let distance = node("ReduceSum", [scaled, constant(ints: [2], dims: [1])], attributes: [.int("keepdims", 0)])
        let constants = (0..<k).map { c in log(d.priors[c]) - d.variances[c].reduce(0) { $0 + 0.5 * log(2 * Double.pi * $1) } }
        let joint = node("Sub", [constant(constants, dims: [Int64(k)]), distance])
        try predictions(score: joint, link: .softmax, classes: d.classes)
    }
}
