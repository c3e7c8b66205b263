import ArgumentParser
import Foundation
import PulkApp

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a model as ONNX, for onnxruntime and other runtimes.",
        discussion: """
            The graph takes the model's features by name (text as strings, everything else as doubles, NaN for missing) and \
            answers `pulk predict`'s columns (`prediction`, then `probability_CLASS` per class). Tree models (gbdt, random-forest, \
            extra-trees, decision-tree), linear ones (linear, ridge, lasso, elasticnet, logistic) and naive-bayes, with their \
            preprocessing, export; other models say that they cannot yet.
            """)

    @Argument(help: "A .pulk model file, MODEL@ALIAS or MODEL:VERSION.") var model: String
    @Option(help: "The format: onnx.") var format = "onnx"
    @Option(help: "The file to write.") var out: String
    @OptionGroup var remote: RemoteOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let (kind, replaced) = try await ModelExports.write(model, format: format, to: out, bench: try await common.workbench(remote: remote))
        if common.json { print(Output.json(["model": model, "kind": kind, "format": format, "out": out, "replaced": replaced ? "true" : "false"])); return }
        print("Wrote \(model) (\(kind)) as \(format.uppercased()) to \(out)\(replaced ? " (it replaced the file that was there)" : "")")
    }
}
