import Testing
import PulkFrame
import PulkLearn
import PulkModels

/// `--task`: what the target implies, how each estimator is set up for a task, and which
/// combinations are refused with the fix.
@Suite("Task choice")
struct TaskChoiceTests {
    /// A text column from its values.
    static func text(_ values: [String]) -> ColumnStorage {
        let dictionary = Array(Set(values)).sorted()
        return .string(codes: values.map { Int32(dictionary.firstIndex(of: $0)!) }, dictionary: dictionary)
    }

    static func frame(_ target: Column) throws -> Frame {
        try Frame(columns: [Column(name: "x", storage: .float64((0..<target.count).map(Double.init))), target])
    }

    struct Inferred: Sendable, CustomTestStringConvertible {
        var name: String
        var column: Column
        var kind: TaskChoice
        var testDescription: String { name }
    }

    static let inferred: [Inferred] = [
        Inferred(name: "text with two labels", column: Column(name: "y", storage: text(["a", "b", "a", "b"])), kind: .binary),
        Inferred(name: "text with three labels", column: Column(name: "y", storage: text(["a", "b", "c", "a"])), kind: .multiclass),
        Inferred(name: "booleans", column: Column(name: "y", storage: .bool([true, false, true, true])), kind: .binary),
        Inferred(name: "0/1 integers", column: Column(name: "y", storage: .int64([0, 1, 1, 0])), kind: .binary),
        Inferred(name: "digit codes 0-9", column: Column(name: "y", storage: .int64((0..<40).map { Int64($0 % 10) })), kind: .multiclass),
        Inferred(name: "whole-valued floats, few", column: Column(name: "y", storage: .float64([1, 2, 3, 1, 2, 3])), kind: .multiclass),
        Inferred(name: "21 distinct integers", column: Column(name: "y", storage: .int64((0..<42).map { Int64($0 % 21) })), kind: .regression),
        Inferred(name: "fractions", column: Column(name: "y", storage: .float64([0.5, 1, 1.5, 2])), kind: .regression),
    ]

    @Test(arguments: inferred)
    func theTargetDecides(_ c: Inferred) throws {
        let d = try TaskInference.infer(try Self.frame(c.column), target: "y")
        #expect(d.kind == c.kind)
        #expect(d.inferred && d.reason.contains("'y'"))
    }

    @Test func aMissingTargetIsNamed() throws {
        #expect(throws: LearnError.self) { try TaskInference.infer(try Self.frame(Column(name: "y", storage: .int64([1, 2]))), target: "z") }
    }

    @Test func treesAreSetUpForTheTask() throws {
        let digits = try Self.frame(Column(name: "y", storage: .int64((0..<60).map { Int64($0 % 10) })))
        // gbdt on integer codes: multiclass (it used to train a regression).
        let (gbdt, d) = try TaskInference.configure(try Catalog.estimator(named: "gbdt"), given: [:], choice: .auto, frame: digits, target: "y")
        #expect(d.kind == .multiclass && gbdt.parameters.string("objective") == "multiclass")
        #expect(gbdt.task(for: digits, target: "y") == .classification)
        // Asked for regression: the forest's task parameter follows.
        let (forest, r) = try TaskInference.configure(try Catalog.estimator(named: "random-forest"), given: [:], choice: .regression,
                                                      frame: digits, target: "y")
        #expect(r.kind == .regression && !r.inferred && forest.parameters.string("task") == "regression")
        // Two classes asked as multiclass: boosting trains the binary objective, and says so.
        let two = try Self.frame(Column(name: "y", storage: Self.text((0..<20).map { $0 % 2 == 0 ? "no" : "yes" })))
        let (b, bd) = try TaskInference.configure(try Catalog.estimator(named: "gbdt"), given: [:], choice: .multiclass, frame: two, target: "y")
        #expect(b.parameters.string("objective") == "binary" && bd.reason.contains("binary"))
        // An explicit objective decides under auto, and must agree with an explicit task.
        let (_, od) = try TaskInference.configure(try Catalog.estimator(named: "gbdt"), given: ["objective": "regression"], choice: .auto,
                                                  frame: digits, target: "y")
        #expect(od.kind == .regression && od.reason == "objective=regression")
        #expect(throws: LearnError.self) {
            try TaskInference.configure(try Catalog.estimator(named: "gbdt"), given: ["objective": "regression"], choice: .multiclass,
                                        frame: digits, target: "y")
        }
    }

    struct Refused: Sendable, CustomTestStringConvertible {
        var model: String
        var choice: TaskChoice
        var column: Column
        var says: String
        var testDescription: String { "\(model) --task \(choice.rawValue): \(says)" }
    }

    static let refused: [Refused] = [
        // A classifier on a quantity (the issue's logistic regression on 94 distinct values).
        Refused(model: "logistic", choice: .auto, column: Column(name: "y", storage: .int64((0..<94).map(Int64.init))), says: "use a regressor"),
        Refused(model: "ridge", choice: .binary, column: Column(name: "y", storage: .int64([0, 1, 0, 1])), says: "ridge is a regressor"),
        Refused(model: "logistic", choice: .regression, column: Column(name: "y", storage: .float64([0.5, 1, 2, 3])), says: "logistic is a classifier"),
        Refused(model: "gbdt", choice: .binary, column: Column(name: "y", storage: text(["a", "b", "c", "a"])), says: "--task multiclass"),
        Refused(model: "ridge", choice: .auto, column: Column(name: "y", storage: text(["a", "b", "c", "a"])), says: "use a classifier"),
    ]

    @Test(arguments: refused)
    func modelsThatCannotDoTheTaskAreRefusedWithTheFix(_ c: Refused) throws {
        do {
            _ = try TaskInference.configure(try Catalog.estimator(named: c.model), given: [:], choice: c.choice, frame: try Self.frame(c.column),
                                            target: "y")
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains(c.says), "\(error)")
        }
    }

    @Test func aRegressorOnClassCodesSaysWhatItDid() throws {
        let codes = try Self.frame(Column(name: "y", storage: .int64((0..<30).map { Int64($0 % 5) })))
        let (_, d) = try TaskInference.configure(try Catalog.estimator(named: "ridge"), given: [:], choice: .auto, frame: codes, target: "y")
        #expect(d.kind == .regression && d.reason.contains("ridge is a regressor"))
    }

    @Test func warningsNameWhatWentWrong() {
        let base = [BaselineResult(name: "most-frequent", metrics: [MetricValue(name: "accuracy", value: 0.6), MetricValue(name: "log_loss", value: 0.67)])]
        let good = Trainer.warnings(task: .classification, metrics: [MetricValue(name: "accuracy", value: 0.8), MetricValue(name: "log_loss", value: 0.4)],
                                    baselines: base, curves: [])
        #expect(good.isEmpty)
        let bad = Trainer.warnings(task: .classification, metrics: [MetricValue(name: "accuracy", value: 0.7), MetricValue(name: "log_loss", value: 0.9)],
                                   baselines: base, curves: [])
        #expect(bad.count == 1 && bad[0].contains("log_loss") && bad[0].contains("most-frequent"))
        let regression = Trainer.warnings(task: .regression, metrics: [MetricValue(name: "rmse", value: 2)],
                                          baselines: [BaselineResult(name: "mean", metrics: [MetricValue(name: "rmse", value: 1.5)])], curves: [])
        #expect(regression.count == 1 && regression[0].contains("rmse"))
        let rising = TrainingCurve(name: "valid_multi_logloss", values: [1, 0.5, 0.3, 0.32, 0.36, 0.4])
        let overfit = Trainer.warnings(task: .classification, metrics: [], baselines: [], curves: [rising])
        #expect(overfit.count == 1 && overfit[0].contains("iteration 3") && overfit[0].contains("early_stopping_round"))
        let flat = TrainingCurve(name: "valid_multi_logloss", values: [1, 0.5, 0.3, 0.31, 0.305, 0.3])
        #expect(Trainer.warnings(task: .classification, metrics: [], baselines: [], curves: [flat]).isEmpty)
        // Curves of a score (higher is better) are not losses.
        let auc = TrainingCurve(name: "valid_roc_auc", values: [0.5, 0.7, 0.8, 0.9, 0.95])
        #expect(Trainer.warnings(task: .classification, metrics: [], baselines: [], curves: [auc]).isEmpty)
    }
}
