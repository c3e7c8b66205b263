import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import PulkFrame
import PulkLearn
import PulkModels
import PulkStore
import Testing
@testable import PulkTracking

typealias Tag = PulkStore.Tag

/// Small frames for real trainings: two informative features, a category, a class or a number.
enum Data {
    static func frame(rows: Int = 120, classes: [String] = ["a", "b"], regression: Bool = false) throws -> Frame {
        var x1: [Double] = [], x2: [Double] = [], color: [Int32] = [], label: [Int32] = [], y: [Double] = []
        var state: UInt64 = 7
        func next() -> Double { state = state &* 6364136223846793005 &+ 1442695040888963407; return Double(state >> 11) / Double(1 << 53) }
        for i in 0..<rows {
            let k = i % classes.count
            x1.append(Double(k) + next() * 0.9)
            x2.append(next())
            color.append(Int32(i % 3))
            label.append(Int32(k))
            y.append(3 * x1.last! + x2.last! + next() * 0.1)
        }
        var columns = [Column(name: "x1", storage: .float64(x1)), Column(name: "x2", storage: .float64(x2)),
                       Column(name: "color", storage: .string(codes: color, dictionary: ["red", "green", "blue"]))]
        columns.append(regression ? Column(name: "target", storage: .float64(y)) : Column(name: "target", storage: .string(codes: label, dictionary: classes)))
        return try Frame(columns: columns)
    }

    static func train(_ model: String, _ frame: Frame, params: [String: String] = [:], folds: Int? = nil) throws -> (TrainingReport, Outcomes) {
        let estimator = try Catalog.estimator(named: model).init(params)
        let r = try Trainer(estimator: estimator, seed: 3, folds: folds).runWithHoldout(frame, target: "target")
        return (r.report, r.holdout)
    }
}

@Suite("Run content of a training")
struct RunContentTests {
    @Test("Every hyperparameter, the featurization, split and seed become params")
    func params() throws {
        let (report, holdout) = try Data.train("logistic", try Data.frame())
        let c = RunContent.training(report, holdout: holdout, testSize: 0.2)
        let p = Dictionary(c.params.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        for (k, v) in report.parameters { #expect(p[k] == v, "hyperparameter \(k)") }
        #expect(p["model"] == "logistic" && p["task"] == "classification" && p["target"] == "target")
        #expect(p["split"] == "stratified" && p["seed"] == "3" && p["test_size"] == "0.2")
        #expect(p["train_rows"] == String(report.trainRows) && p["test_rows"] == String(report.testRows))
        #expect(p["featurization.color"] != nil, "the featurization chosen for each column")
        #expect(Set(c.params.map(\.key)).count == c.params.count, "no key twice")
    }

    @Test("A hyperparameter named like a run param keeps its value; the run's goes to run.KEY")
    func clashingKeys() throws {
        let (report, holdout) = try Data.train("gbdt", try Data.frame(), params: ["num_iterations": "5", "seed": "99"])
        let c = RunContent.training(report, holdout: holdout, testSize: nil)
        let p = Dictionary(c.params.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(p["seed"] == "99")
        #expect(p["run.seed"] == "3")
        #expect(p["test_size"] == nil)
    }

    @Test("Test metrics beside baselines, CV per fold with mean and std, boosting curves per iteration")
    func metrics() throws {
        let (report, holdout) = try Data.train("gbdt", try Data.frame(), params: ["num_iterations": "12"], folds: 3)
        let c = RunContent.training(report, holdout: holdout, testSize: 0.2)
        let keys = Set(c.metrics.map(\.key))
        for m in report.metrics { #expect(keys.contains("test_\(m.name)")) }
        #expect(keys.contains("baseline_most-frequent_accuracy") && keys.contains("baseline_stratified_accuracy"))
        let folds = c.metrics.filter { $0.key == "cv_accuracy" }
        #expect(folds.map(\.step) == [0, 1, 2])
        #expect(folds.map(\.value) == report.crossValidation!.folds)
        #expect(c.metrics.first { $0.key == "cv_accuracy_mean" }?.value == report.crossValidation!.mean)
        #expect(c.metrics.first { $0.key == "cv_accuracy_std" }?.value == report.crossValidation!.std)
        let curves = try #require(report.curves)
        for curve in curves {
            let logged = c.metrics.filter { $0.key == curve.name }
            #expect(logged.map(\.step) == Array(0..<Int64(curve.values.count)))
            #expect(logged.map(\.value) == curve.values)
            #expect(c.metrics.contains { $0.key == "final_\(curve.name)" && $0.value == curve.values.last })
        }
    }

    @Test("Plots per task, each a well-formed standalone SVG with a title", arguments: [false, true])
    func plots(regression: Bool) throws {
        let (report, holdout) = try Data.train(regression ? "gbdt" : "gbdt", try Data.frame(classes: ["x", "y", "z"], regression: regression),
                                               params: ["num_iterations": "8"])
        let c = RunContent.training(report, holdout: holdout, testSize: 0.2)
        let paths = Set(c.artifacts.map(\.path))
        let expected: Set<String> = regression
            ? ["plots/residuals.svg", "plots/predicted_vs_actual.svg", "plots/feature_importance.svg", "plots/training_curves.svg"]
            : ["plots/confusion_matrix.svg", "plots/roc_curve.svg", "plots/precision_recall_curve.svg", "plots/feature_importance.svg", "plots/training_curves.svg"]
        #expect(expected.isSubset(of: paths), "\(paths)")
        #expect(paths.contains("metrics.json") && paths.contains("feature_importance.json"))
        for a in c.artifacts where a.path.hasSuffix(".svg") {
            let parser = XMLParser(data: Foundation.Data(a.bytes))
            #expect(parser.parse(), "\(a.path) is not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "")")
            let text = String(decoding: a.bytes, as: UTF8.self)
            #expect(text.hasPrefix("<svg") && text.contains("xmlns=\"http://www.w3.org/2000/svg\"") && text.contains("<title>"), "\(a.path)")
        }
        let json = try JSONSerialization.jsonObject(with: Foundation.Data(c.artifacts.first { $0.path == "metrics.json" }!.bytes)) as? [String: Any]
        #expect(json?["model"] as? String == "gbdt")
    }

    @Test("The confusion matrix counts every held-out row once")
    func confusion() throws {
        let outcomes = Outcomes.classification(classes: ["a", "b", "c"], truth: [0, 0, 1, 2, 2, 2], predicted: [0, 1, 1, 2, 2, 0],
                                               probabilities: Array(repeating: [0.3, 0.3, 0.4], count: 6))
        let svg = try #require(EvaluationPlots.plots(outcomes, importance: nil, curves: nil).first { $0.path == "plots/confusion_matrix.svg" }?.svg)
        for cell in ["true a, predicted a: 1", "true a, predicted b: 1", "true b, predicted b: 1", "true c, predicted c: 2", "true c, predicted a: 1", "true b, predicted a: 0"] {
            #expect(svg.contains(cell), "\(cell)")
        }
    }

    @Test("Scatter plots sample large test sets down to a fixed number of points")
    func scatterSample() {
        let n = 50_000
        let outcomes = Outcomes.regression(actual: (0..<n).map(Double.init), predicted: (0..<n).map { Double($0) + 1 })
        let svg = EvaluationPlots.plots(outcomes, importance: nil, curves: nil).first { $0.path == "plots/residuals.svg" }!.svg
        #expect(svg.components(separatedBy: "<circle").count - 1 == EvaluationPlots.maxScatterPoints)
    }

    @Test("An evaluation run names the model file and logs eval_ metrics")
    func evaluation() {
        let c = RunContent.evaluation(model: "m.pulk", kind: "logistic", target: "t", metrics: [MetricValue(name: "accuracy", value: 0.5)],
                                      holdout: .classification(classes: ["a", "b"], truth: [0, 1], predicted: [0, 0], probabilities: [[0.6, 0.4], [0.7, 0.3]]),
                                      importance: nil)
        #expect(c.metrics.map(\.key) == ["eval_accuracy"])
        #expect(c.params.contains(Param("model_file", "m.pulk")))
        #expect(c.artifacts.contains { $0.path == "plots/roc_curve.svg" })
    }
}

@Suite("Tracking target")
struct TrackingTargetTests {
    @Test("The flag, then MLFLOW_TRACKING_URI, then the workspace", arguments: [
        (nil, nil, "workspace"), (nil, "", "workspace"), ("http://h:5000", nil, "http://h:5000"), (nil, "https://t.example/x", "https://t.example/x"),
        ("http://a:1", "http://b:2", "http://a:1"), ("workspace", "http://b:2", "workspace"), ("local", nil, "workspace"),
    ] as [(String?, String?, String)])
    func resolve(flag: String?, env: String?, expected: String) throws {
        let t = try TrackingTarget.resolve(flag: flag, environment: env.map { ["MLFLOW_TRACKING_URI": $0] } ?? [:])
        switch t {
        case .workspace: #expect(expected == "workspace")
        case .server(let url): #expect(url.absoluteString == expected)
        }
    }

    @Test("Anything but an http(s) server is refused with the fix", arguments: ["file:///tmp/mlruns", "./mlruns", "databricks", "http://", "ftp://h/x"])
    func refused(uri: String) {
        #expect { try TrackingTarget.resolve(flag: uri, environment: [:]) } throws: { e in
            (e as? StoreError)?.message.contains("--tracking-uri http://HOST:PORT") == true
        }
    }
}

@Suite("MLflow JSON decoding")
struct DecodeTests {
    @Test("Runs: int64 as numbers or strings, absent fields empty, inputs kept")
    func run() {
        let o: [String: Any] = [
            "info": ["run_uuid": "abc", "experiment_id": "3", "status": "FINISHED", "start_time": "1700000000000", "end_time": 1700000000500,
                     "artifact_uri": "mlflow-artifacts:/3/abc/artifacts", "lifecycle_stage": "active"],
            "data": ["metrics": [["key": "loss", "value": "NaN", "timestamp": 5, "step": "2"], ["key": "acc", "value": 0.5, "timestamp": 5]],
                     "params": [["key": "lr", "value": "0.1"]]],
            "inputs": ["dataset_inputs": [["tags": [["key": "mlflow.data.context", "value": "training"]],
                                           "dataset": ["name": "d", "digest": "ff", "source_type": "pulk", "source": "{}"]]]],
        ]
        let r = Decode.run(o)
        #expect(r.info.runId == "abc" && r.info.startTime == 1_700_000_000_000 && r.info.endTime == 1_700_000_000_500 && r.info.runName == "")
        #expect(r.metrics[0].value.isNaN && r.metrics[0].step == 2 && r.metrics[1].step == 0)
        #expect(r.params == [Param("lr", "0.1")] && r.tags.isEmpty)
        #expect(r.io.datasetInputs.first?.dataset.name == "d" && r.io.datasetInputs.first?.tags == [Tag("mlflow.data.context", "training")])
    }

    @Test("Model versions and registered models")
    func registry() {
        let v = Decode.modelVersion(["name": "m", "version": "7", "current_stage": "production", "run_id": "r", "aliases": ["champion"], "creation_timestamp": 9])
        #expect(v.version == 7 && v.currentStage == .production && v.aliases == ["champion"] && v.creationTime == 9)
        let m = Decode.registeredModel(["name": "m", "aliases": [["alias": "champion", "version": "7"]], "latest_versions": [["name": "m", "version": 7]]])
        #expect(m.aliases == ["champion": 7] && m.latestVersions.map(\.version) == [7])
        let move = Decode.aliasMove(["sequence": 1, "alias": "a", "to_version": "2", "user": "u", "time": 3])
        #expect(move.fromVersion == nil && move.toVersion == 2)
    }
}
