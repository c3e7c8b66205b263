import Foundation
import PulkFrame
import PulkLearn
import PulkONNX

/// What makes a run's `model/` folder an MLflow model besides Pulk's own `model.pulk`: an `MLmodel`
/// file and, for a model that exports to ONNX, `model.onnx` with the `onnx` and `python_function`
/// flavors, a signature from the feature schema and an input example. `mlflow.pyfunc.load_model`
/// ("runs:/ID/model", "models:/NAME@ALIAS") then loads it from `pulk server` or any MLflow server and
/// predicts in Python what `pulk predict` does (the same columns). A model that does not export
/// still gets an `MLmodel` with its `pulk` flavor, naming why it has no python_function flavor.
enum MLflowModelFiles {
    static func artifacts(_ model: any Model, training: Frame?, now: Date = Date()) -> [(String, [UInt8])] {
        var flavors = "  pulk:\n    kind: \(model.kind)\n    model_file: model.pulk\n"
        var files: [(String, [UInt8])] = []
        var signature = ""
        var example = ""
        do {
            let onnx = try ONNXExport.serialize(model, name: model.kind)
            files.append(("model/model.onnx", Array(onnx)))
            flavors = """
                  onnx:
                    code: null
                    data: model.onnx
                    onnx_version: 1.23.2
                    providers:
                    - CPUExecutionProvider
                  pulk:
                    kind: \(model.kind)
                    model_file: model.pulk
                  python_function:
                    data: model.onnx
                    env:
                      virtualenv: python_env.yaml
                    loader_module: mlflow.onnx
                    python_version: 3.11.7

                """
            signature = Self.signature(model)
            if let training, let json = Self.inputExample(model, training) {
                files.append(("model/input_example.json", Array(json.utf8)))
                example = "saved_input_example_info:\n  artifact_path: input_example.json\n  pandas_orient: split\n  type: dataframe\n"
            }
            files.append(("model/python_env.yaml", Array("python: 3.11.7\nbuild_dependencies:\n- pip\ndependencies:\n- -r requirements.txt\n".utf8)))
            files.append(("model/requirements.txt", Array("mlflow\nonnx\nonnxruntime\n".utf8)))
        } catch {
            flavors += "  # No python_function flavor: \(String(describing: error).replacingOccurrences(of: "\n", with: " "))\n"
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSSSSS"
        let mlmodel = "artifact_path: model\nflavors:\n" + flavors + "mlflow_version: 3.1.0\nmodel_uuid: "
            + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() + "\n" + example + signature
            + "utc_time_created: '\(formatter.string(from: now))'\n"
        files.insert(("model/MLmodel", Array(mlmodel.utf8)), at: 0)
        return files
    }

    /// MLflow's column-based signature: each feature by name (text as string, the rest as double) and
    /// the outputs `pulk predict` writes.
    static func signature(_ model: any Model) -> String {
        func column(_ name: String, _ type: String) -> String {
            "{\"type\": \"\(type)\", \"name\": \(json(name)), \"required\": true}"
        }
        let inputs = model.schema.features.map { column($0.name, $0.categories != nil || $0.type == .string ? "string" : "double") }
        var outputs: [String]
        if let classes = model.target.classes {
            outputs = [column("prediction", "string")] + classes.map { column("probability_\($0)", "double") }
        } else {
            outputs = [column("prediction", "double")]
        }
        if model.target.task != .classification && model.target.task != .regression { outputs = [] }
        return "signature:\n  inputs: '[" + inputs.joined(separator: ", ").replacingOccurrences(of: "'", with: "''") + "]'\n"
            + "  outputs: '[" + outputs.joined(separator: ", ").replacingOccurrences(of: "'", with: "''") + "]'\n  params: null\n"
    }

    /// The training data's first rows as the model's inputs (pandas' split orient): numbers as numbers
    /// (null for missing), text as text (the empty string for missing, as the ONNX graph takes it).
    static func inputExample(_ model: any Model, _ frame: Frame) -> String? {
        let rows = min(5, frame.rowCount)
        guard rows > 0 else { return nil }
        var columns: [String] = [], values: [[String]] = Array(repeating: [], count: rows)
        for f in model.schema.features {
            guard let c = try? frame.column(f.name) else { return nil }
            columns.append(json(f.name))
            for r in 0..<rows {
                let v = c.value(at: r)
                if f.categories != nil || f.type == .string { values[r].append(json(v == .missing ? "" : v.description)) }
                else if let d = v.numeric, d.isFinite { values[r].append(formatDouble(d)) }
                else { values[r].append("null") }
            }
        }
        return "{\"columns\": [" + columns.joined(separator: ", ") + "], \"data\": ["
            + values.map { "[" + $0.joined(separator: ", ") + "]" }.joined(separator: ", ") + "]}"
    }

    static func json(_ s: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }
}
