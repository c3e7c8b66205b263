import ArgumentParser
import Foundation
import PulkApp
import PulkFrame
import PulkLearn
import PulkModels
import PulkProfile
import PulkScoring
import PulkStore
import PulkTracking
import PulkTrees
import PulkWorkspace

struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model on a dataset version or file, report test metrics beside a baseline, and save it.",
        discussion: "Models: " + Catalog.estimators.map { "\($0.name) (\($0.tasks.map(\.rawValue).joined(separator: "/")))" }.joined(separator: ", ")
            + ". `pulk train --model NAME --help-params` lists a model's parameters.")

    @Option(help: "NAME[:VERSION] of a registered dataset, or a CSV/JSONL file.") var data: String?
    @Option(help: "Evaluate on this dataset or file instead of holding out part of --data (train on all of --data).")
    var testData: String?
    @Option(help: "The column to predict.") var target: String?
    @Option(help: "Clustering and anomaly detection: a column of known groups or anomalies (1/0, true/false) to compare with; never a feature.")
    var label: String?
    @Option(help: "Recommenders: the column naming each interaction's user.") var user: String?
    @Option(help: "Recommenders: the column naming each interaction's item.") var item: String?
    @Option(help: "Recommenders: a column of ratings (explicit feedback) or weights such as play counts (implicit); default: each interaction counts 1.")
    var rating: String?
    @Option(help: "Recommenders: the interactions' time column (held-out interactions are each user's latest).") var time: String?
    @Option(help: "The model to train.") var model: String
    @Option(help: "auto (inferred from the target and said), binary, multiclass or regression.") var task: String = "auto"
    @Option(name: .customLong("param"), parsing: .singleValue, help: "A hyperparameter as name=value (repeatable).")
    var params: [String] = []
    @Option(help: "How to hold out test rows: random, stratified (default for classification), temporal:COL, group:COL; recommenders, per user: temporal (by --time, the default with it), leave-one-out, random.")
    var split: String?
    @Option(help: "Share of rows held out for testing.") var testSize: Double = 0.2
    @Option(help: "Seed for splits and any randomness in the model.") var seed: UInt64 = 42
    @Option(help: "Also run K-fold cross-validation and report mean ± std.") var cv: Int?
    @Option(help: "Also retrain with N seeds and report which decimal of the metric can be trusted.") var seeds: Int?
    @Option(help: "The metric cross-validation and seed robustness report (default: rmse or accuracy).") var metric: String?
    @Option(help: "Where to write the model file (default: only into the tracked run; with --no-track, ./model.pulk if it does not exist).")
    var out: String?
    @Flag(help: "List the model's hyperparameters and exit.") var helpParams = false
    @OptionGroup var read: ReadOptions
    @Flag(help: "Do not profile the training data into the run's artifacts.") var noProfile = false
    @OptionGroup var tracking: RunOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let type = try Catalog.estimator(named: model)
        if helpParams {
            print(Self.parameterHelp(type))
            return
        }
        guard let data else { throw ValidationError("--data is required to train.") }
        let target: String
        let roles = [("user", user), ("item", item), ("rating", rating), ("time", time)].compactMap { n, v in v.map { (n, $0) } }
        if type.task == .recommendation {
            if let given = self.target ?? label {
                throw ValidationError("\(model) learns from interactions, not a target: name their columns with --user, --item and --rating (got '\(given)').")
            }
            target = ""
        } else if !roles.isEmpty {
            throw ValidationError("--\(roles[0].0) names a recommender's interaction column; \(model) is a \(type.task.rawValue) model.")
        } else if type.task.supervised {
            guard let given = self.target else { throw ValidationError("--target is required to train \(model) (the column to predict).") }
            if label != nil { throw ValidationError("--label is for clustering and anomaly models; \(model) predicts --target.") }
            target = given
        } else {
            if let given = self.target {
                throw ValidationError("\(model) learns without a target (\(type.task.rawValue)); to compare its results with known answers, use --label \(given).")
            }
            target = label ?? ""
        }
        var given: [String: String] = [:]
        for p in params {
            let parts = p.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--param expects name=value, got '\(p)'.") }
            given[parts[0]] = parts[1]
        }
        for (name, column) in roles {
            if let other = given[name], other != column { throw ValidationError("--\(name) \(column) and --param \(name)=\(other) disagree; give one.") }
            given[name] = column
        }
        var strategy: SplitStrategy?
        if let split {
            guard let s = SplitStrategy(text: split) else {
                throw ValidationError("--split must be random, stratified, temporal:COL or group:COL (recommenders: temporal, leave-one-out or random), not '\(split)'.")
            }
            strategy = s
        }
        if let seeds, seeds < 2 { throw ValidationError("--seeds needs at least 2 seeds to measure a spread.") }
        // The model goes where asked, else into the run; an untracked model needs a file, and an
        // existing one is never replaced unless named.
        let file = try tracking.modelFile(out: out)
        let replaced = file.map { FileManager.default.fileExists(atPath: $0) } ?? false
        var request = TrainingRequest(data: data, testData: testData, target: target, model: model, parameters: given, split: strategy,
                                      testSize: testSize, seed: seed, folds: cv, seeds: seeds, metric: metric, read: try read.addOptions(),
                                      out: file, run: tracking.settings(profile: !noProfile))
        guard let choice = TaskChoice(rawValue: task) else {
            throw ValidationError("--task \(task) is not a task; use auto, binary, multiclass or regression.")
        }
        request.task = choice
        let trained = try await Training.train(request, on: try common.workbench(tracking: tracking.tracking),
                                               progress: TerminalProgress(enabled: !common.json))
        let (report, source, recorded) = (trained.report, trained.source, trained.run)
        if common.json {
            print(Output.json(Trained(source: source, out: file, runId: recorded?.runId, experimentId: recorded?.experimentId, report: report)))
            return
        }
        if report.task == .clustering {
            printClustering(report, source: source)
        } else if report.task == .anomaly {
            print("\(report.model) on \(source): \(report.trainRows) rows scored (anomaly detection: fitted and measured on every row, seed \(report.seed))"
                  + (report.target.isEmpty ? "" : "; compared with the known anomalies in \(report.target)"))
        } else {
            print("\(report.model) on \(source) → \(report.target) (\(report.taskDecision?.kind.rawValue ?? report.task.rawValue)); \(report.trainRows) training rows, \(report.testRows) test rows (\(report.split) split, seed \(report.seed))")
        }
        if let d = report.taskDecision {
            print("Task: \(d.kind.rawValue) (\(d.inferred ? "inferred: " : "")\(d.reason))")
        }
        if let dropped = report.rowsWithoutTarget {
            print("Left out \(dropped) row\(dropped == 1 ? "" : "s") with no value in \(report.target) (neither trained on nor tested)")
        }
        if !report.featurization.isEmpty {
            print("")
            print("Featurization:")
            for d in report.featurization { print("  \(d.column): \(d.action) (\(d.reason))") }
        }
        print("")
        print(Self.metricsTable(report.metrics, baselines: report.baselines))
        if let profiles = report.clusters {
            print("")
            print(Self.clusterTable(profiles))
        }
        if let flagged = report.anomalies, !flagged.isEmpty {
            print("")
            print(Output.table(["ROW (1 = first)", "SCORE", "UNUSUAL IN (value vs typical, robust z)"], flagged.map { f in
                [String(f.row + 1), Self.format(f.score), f.reasons.map { "\($0.feature) \(formatDouble(($0.value * 1000).rounded() / 1000)) vs \(formatDouble(($0.typical * 1000).rounded() / 1000)) (z \(String(format: "%+.1f", $0.z)))" }.joined(separator: "; ")]
            }))
        }
        if let cv = report.crossValidation {
            print("")
            print("\(cv.folds.count)-fold cross-validation \(cv.metric): \(Self.format(cv.mean)) ± \(Self.format(cv.std))  (folds: " + cv.folds.map(Self.format).joined(separator: ", ") + ")")
        }
        if let oob = report.outOfBag {
            print("")
            print("Out-of-bag \(oob.name): \(Self.format(oob.value))")
        }
        if let curves = report.curves, !curves.isEmpty {
            print("")
            let kept = report.bestIteration.map { ", best iteration \($0)" } ?? ""
            print("Boosting curves (\(curves[0].values.count) iterations\(kept)): " + curves.map { c in
                "\(c.name) \(Self.format(c.values.first ?? .nan)) → \(Self.format(c.values.last ?? .nan))"
            }.joined(separator: "; "))
        }
        if let importance = report.featureImportance, !importance.isEmpty {
            print("")
            print(Self.importanceTable(importance, top: 10))
        }
        if let r = report.seedRobustness {
            print("")
            print("Seed robustness over \(r.seeds.count) seeds, \(r.metric): \(Self.format(r.mean)) ± \(Self.format(r.std)); "
                + "trust \(r.trustedDecimals) decimal place\(r.trustedDecimals == 1 ? "" : "s")")
        }
        for w in report.warnings { print("\nWarning: \(w)") }
        if let file { print("\nModel written to \(file)" + (replaced ? " (it replaced the file that was there)" : "")) }
        else if recorded != nil { print("\nModel kept in the run as model/model.pulk (`--out FILE` also writes it to a file)") }
        if let recorded { print("Run \(recorded.runId) recorded in experiment \(tracking.experiment) (\(recorded.artifactUri))") }
    }

    func printClustering(_ report: TrainingReport, source: String) {
        let k = report.clusters?.filter { $0.cluster >= 0 }.count ?? 0
        print("\(report.model) on \(source): \(k) clusters of \(report.trainRows) rows (clustering: fitted and measured on every row, seed \(report.seed))"
              + (report.target.isEmpty ? "" : "; compared with the groups in \(report.target)"))
        if let c = report.clusterCountChoice {
            print("Number of clusters: \(c.chosen), the best \(c.criterion.split(separator: "_").joined(separator: "-")) of k = \(c.candidates.first!)…\(c.candidates.last!) ("
                  + zip(c.candidates, c.scores).map { "\($0): \(Self.format($1))" }.joined(separator: ", ") + ")")
        }
    }

    /// Each cluster's size and the features that set it apart (mean in the cluster against all rows).
    static func clusterTable(_ profiles: [ClusterProfile]) -> String {
        Output.table(["CLUSTER", "ROWS", "SHARE", "SET APART BY (cluster mean vs all rows)"], profiles.map { p in
            [p.cluster < 0 ? "noise" : String(p.cluster), String(p.size), String(format: "%.1f%%", 100 * p.share),
             p.distinguishing.prefix(3).map { "\($0.feature) \($0.effect >= 0 ? "↑" : "↓") \(formatDouble(($0.clusterMean * 1000).rounded() / 1000)) vs \(formatDouble(($0.overallMean * 1000).rounded() / 1000))" }
                .joined(separator: "; ")]
        })
    }

    struct Trained: Encodable {
        var source: String
        var out: String?
        var runId: String?
        var experimentId: String?
        var report: TrainingReport
    }

    static func format(_ x: Double) -> String { String(format: "%.4f", x) }

    static func metricsTable(_ metrics: [MetricValue], baselines: [BaselineResult]) -> String {
        let values = baselines.map { b in Dictionary(b.metrics.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }) }
        return Output.table(["METRIC", "MODEL"] + baselines.map { "BASELINE \($0.name)" }, metrics.map { m in
            [m.name, format(m.value)] + values.map { $0[m.name].map(format) ?? "–" }
        })
    }

    static func importanceTable(_ importance: [FeatureImportance], top: Int) -> String {
        let total = max(importance.reduce(0) { $0 + $1.gain }, .leastNonzeroMagnitude)
        let rows = importance.sorted { $0.gain != $1.gain ? $0.gain > $1.gain : $0.feature < $1.feature }.prefix(top)
        return Output.table(["FEATURE", "GAIN %", "SPLITS"], rows.map { [$0.feature, String(format: "%.1f", 100 * $0.gain / total), String(Int($0.split))] })
    }

    static func parameterHelp(_ type: any Estimator.Type) -> String {
        var lines = ["\(type.name): \(type.summary)"]
        if type.parameterSpecs.isEmpty { lines.append("  (no parameters)") }
        for s in type.parameterSpecs {
            let aliases = s.aliases.isEmpty ? "" : " (aliases: \(s.aliases.joined(separator: ", ")))"
            lines.append("  \(s.name)=\(s.defaultValue)\(aliases)  \(s.doc)")
        }
        return lines.joined(separator: "\n")
    }
}

struct PredictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "predict", abstract: "Score data with a saved model and write predictions as CSV or Parquet.")
    @Option(help: "A .pulk model file, MODEL@ALIAS or MODEL:VERSION.") var model: String
    @Option(help: "NAME[:VERSION] of a registered dataset, or a CSV, JSONL or Parquet file.") var data: String
    @Option(help: "The file to write (columns: the kept ones, prediction, then one probability per class).") var out: String
    @Option(help: "csv or parquet for --out (default: parquet for a .parquet/.parq/.pq file, else csv).") var outFormat: String?
    @OptionGroup var keep: KeepOptions
    @OptionGroup var read: ReadOptions
    @OptionGroup var remote: RemoteOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let writer = try DataExports.writer(format: outFormat, out: out, flag: "--out-format")
        let fitted = try await ModelReference(parsing: model).resolve(try await common.workbench(remote: remote).trackingClient()).model
        // Kept columns are read as text (an id such as 007 stays as written), numeric features among them turned back.
        var read = self.read
        let keeping = try keep.kept
        var (frame, source) = try await loadFrame(data, read: read, workspace: common, remote: remote)
        let text = keeping.textColumns(among: frame.names, schema: fitted.schema)
        if !text.isEmpty, frame.columns.contains(where: { text.contains($0.name) && $0.type != .string }) {
            read.types += text.map { "\($0)=string" }
            (frame, source) = try await loadFrame(data, read: read, workspace: common, remote: remote)
        }
        let kept = try keeping.columns(of: frame)
        let predictions = try fitted.predict(keeping == .none ? frame : KeptColumns.numericFeatures(frame, schema: fitted.schema))
        var columns = kept
        switch predictions {
        case .regression(let v):
            columns.append(Column(name: "prediction", storage: .float64(v)))
        case .classification(let classes, let predicted, let probabilities):
            columns.append(Column(name: "prediction", storage: .string(codes: predicted.map(Int32.init), dictionary: classes)))
            for (k, c) in classes.enumerated() {
                columns.append(Column(name: "probability_\(c)", storage: .float64(probabilities.map { $0[k] })))
            }
        case .clustering(let clusters, let distances, let memberships):
            columns.append(Column(name: "prediction", storage: .int64(clusters.map(Int64.init))))
            columns.append(Column(name: "distance", storage: .float64(distances)))
            for c in 0..<(memberships?.width ?? 0) {
                columns.append(Column(name: "probability_\(c)", storage: .float64(memberships!.map { $0[c] })))
            }
        case .anomaly(let scores, let flagged, _):
            columns.append(Column(name: "prediction", storage: .int64(flagged.map { $0 ? 1 : 0 })))
            columns.append(Column(name: "score", storage: .float64(scores)))
        case .recommendation(let lists):
            // Per row: the user's items best first and their scores, space-separated.
            columns.append(Column(name: "prediction", storage: .string(codes: lists.indices.map(Int32.init), dictionary: lists.map { $0.items.joined(separator: " ") })))
            columns.append(Column(name: "scores", storage: .string(codes: lists.indices.map(Int32.init),
                                                                   dictionary: lists.map { $0.scores.map(formatDouble).joined(separator: " ") })))
            columns.append(Column(name: "known_user", storage: .int64(lists.map { $0.known ? 1 : 0 })))
        }
        let table = try Frame(columns: columns)
        try writer.write(table, to: out)
        if common.json { print(Output.json(["model": model, "data": source, "out": out, "rows": "\(frame.rowCount)"])) }
        else { print("Wrote \(frame.rowCount) predictions to \(out)") }
    }
}

struct Evaluated: Encodable {
    var model: String
    var data: String
    var target: String
    var runId: String?
    var metrics: [MetricValue]
}

struct EvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "evaluate", abstract: "Score a saved model on labelled data and print every metric that fits its task.")
    @Option(help: "A .pulk model file, MODEL@ALIAS or MODEL:VERSION.") var model: String
    @Option(help: "NAME[:VERSION] of a registered dataset, or a CSV/JSONL file.") var data: String
    @Option(help: "The target column (default: the one the model was trained on).") var target: String?
    @Option(help: "Clustering and anomaly models: a column of known groups or anomalies to compare with.") var label: String?
    @Option(help: "Recommenders: items recommended per user (default: the model's top_k); the data's interactions are the held-out answers.")
    var k: Int?
    @OptionGroup var read: ReadOptions
    @OptionGroup var tracking: RunOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        if target != nil && label != nil { throw ValidationError("--target and --label name the same thing; give one.") }
        let evaluated = try await Training.evaluate(EvaluationRequest(model: model, data: data, target: target ?? label, read: try read.addOptions(), run: tracking.settings(), k: k),
                                                    on: try common.workbench(tracking: tracking.tracking), progress: TerminalProgress(enabled: !common.json))
        let (fitted, source, column, metrics, recorded) = (evaluated.model, evaluated.source, evaluated.target, evaluated.metrics, evaluated.run)
        if common.json {
            print(Output.json(Evaluated(model: model, data: source, target: column, runId: recorded?.runId, metrics: metrics)))
            return
        }
        print("\(fitted.kind) on \(source)" + (column.isEmpty ? "" : " → \(column)") + "\n")
        print(Output.table(["METRIC", "VALUE"], metrics.map { [$0.name, TrainCommand.format($0.value)] }))
        if let recorded { print("\nRun \(recorded.runId) recorded in experiment \(tracking.experiment)") }
    }
}
