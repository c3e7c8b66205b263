import ArgumentParser
import Foundation
import PulkApp
import PulkFrame
import PulkLearn
import PulkModels
import PulkTrees

/// `pulk explain`: what a saved model relies on (feature importance), its rules (decision trees),
/// and per-row SHAP contributions.
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show a model's feature importance, a tree's if/else rules, or write per-row SHAP contributions.",
        discussion: "Contributions are exact TreeSHAP values of the raw score (log-odds for classifiers): per row, the features' values plus expected_value add up to it.")

    @Option(help: "A .pulk model file, MODEL@ALIAS or MODEL:VERSION.") var model: String
    @Flag(help: "Print the decision rules (decision-tree; the first tree of a forest unless --tree).") var rules = false
    @Option(help: "Which tree of a forest to print with --rules.") var tree: Int = 0
    @Option(help: "Rows to explain: NAME[:VERSION] of a registered dataset, or a CSV/JSONL file (with --out).") var data: String?
    @Option(help: "The CSV file for the contributions (one column per feature and output, then expected_value).") var out: String?
    @OptionGroup var read: ReadOptions
    @OptionGroup var remote: RemoteOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let fitted = try await ModelReference(parsing: model).resolve(try await common.workbench(remote: remote).trackingClient()).model
        if rules {
            guard let forest = fitted as? ForestModel else {
                throw PulkFailure(message: "\(fitted.kind) models have no single tree to print; --rules works for decision-tree, random-forest and extra-trees.")
            }
            guard tree >= 0 && tree < forest.trees.count else { throw PulkFailure(message: "--tree must be in 0…\(forest.trees.count - 1).") }
            print(forest.rules(tree: tree))
            return
        }
        if let data {
            guard let out else { throw ValidationError("--data needs --out FILE for the contributions.") }
            guard let explainer = fitted as? any ProvidesContributions else {
                throw PulkFailure(message: "\(fitted.kind) models do not compute contributions; tree models (gbdt, random-forest, extra-trees, decision-tree) do.")
            }
            let (frame, source) = try await loadFrame(data, read: read, workspace: common, remote: remote)
            let c = try explainer.contributions(frame)
            var columns: [Column] = []
            let f = c.features.count
            for (k, output) in c.outputs.enumerated() {
                let prefix = c.outputs.count == 1 ? "" : "\(output):"
                for (j, name) in (c.features + ["expected_value"]).enumerated() {
                    columns.append(Column(name: prefix + name, storage: .float64(c.values.map { $0[k * (f + 1) + j] })))
                }
            }
            try CSVWriter().write(try Frame(columns: columns), to: out)
            if common.json { print(Output.json(["model": model, "data": source, "out": out, "rows": "\(frame.rowCount)"])) }
            else { print("Wrote contributions of \(frame.rowCount) rows to \(out)") }
            return
        }
        guard let importance = (fitted as? any ProvidesFeatureImportance)?.featureImportance, !importance.isEmpty else {
            throw PulkFailure(message: fitted.kind == EnsembleModel.name ? "None of this ensemble's members has feature importance; tree models do."
                              : "\(fitted.kind) models have no feature importance; tree models do.")
        }
        if common.json { print(Output.json(importance)); return }
        print(TrainCommand.importanceTable(importance, top: importance.count))
    }
}
