public import PulkLearn
import PulkTrees

/// Every model this build provides: the learning core's and the trees'. The `pulk` command, the
/// generated docs and the shared contract suite all go through this one list.
public enum Catalog {
    public static let estimators: [any Estimator.Type] = EstimatorRegistry.all + TreeModels.estimators

    /// Every model kind's decoder: the estimators' and the ensemble's (whose members are decoded with these).
    public static let decoders: [String: ModelFile.Decoder] = ModelFile.coreDecoders.merging(TreeModels.decoders) { core, _ in core }
        .merging([EnsembleModel.name: { (header, state, file) throws(LearnError) -> any Model in
            var header = header
            header.parameters = try header.parameters.checked(against: EnsembleModel.parameterSpecs, model: EnsembleModel.name, file: file)
            return try EnsembleModel.restore(header, state, file: file, decoders: Catalog.decoders)
        }]) { a, _ in a }

    public static func estimator(named name: String) throws(LearnError) -> any Estimator.Type {
        guard let e = estimators.first(where: { $0.name == name }) else { throw .unknownModel(name, known: estimators.map { $0.name }) }
        return e
    }

    public static func read(path: String) throws(LearnError) -> any Model {
        try ModelFile.read(path: path, decoders: decoders)
    }

    public static func decode(_ bytes: [UInt8], name: String = "<model>") throws(LearnError) -> any Model {
        try ModelFile.decode(bytes, name: name, decoders: decoders)
    }

    /// docs/models.md.
    public static func markdown() -> String { ModelCatalog.markdown(estimators) }
}
