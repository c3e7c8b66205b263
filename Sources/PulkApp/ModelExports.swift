public import Foundation
import PulkLearn
import PulkONNX

/// Writing a model in another format than Pulk's own, for other runtimes: ONNX (tree models so far).
public enum ModelExports {
    public enum Format: String, Sendable, CaseIterable { case onnx }

    /// Writes `reference` (a model file, MODEL@ALIAS or MODEL:VERSION) as `format` to `out`; returns
    /// whether a file there was replaced. A model that cannot be exported says why; nothing is written.
    public static func write(_ reference: String, format: String, to out: String, bench: Workbench) async throws -> (kind: String, replaced: Bool) {
        guard let chosen = Format(rawValue: format.lowercased()) else {
            throw AppError.invalid("--format must be \(Format.allCases.map(\.rawValue).joined(separator: ", ")), not '\(format)'.")
        }
        let model = try await ModelReference(parsing: reference).resolve(try await bench.trackingClient()).model
        let data: Data
        switch chosen {
        case .onnx:
            do { data = try ONNXExport.serialize(model, name: model.kind) } catch let e as ONNXExportError { throw AppError.invalid(e.description) }
        }
        let replaced = try writeReplacing(out) { try data.write(to: $0, options: .atomic) }
        return (model.kind, replaced)
    }
}
