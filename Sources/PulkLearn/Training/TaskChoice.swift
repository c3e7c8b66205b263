public import PulkFrame

/// What `--task` asks for: `auto` infers it from the target.
public enum TaskChoice: String, Sendable, Codable, CaseIterable {
    case auto, binary, multiclass, regression
}

/// The task a training run takes on, and why: shown by `pulk train` and kept in the run.
public struct TaskDecision: Sendable, Codable, Equatable {
    /// binary, multiclass or regression.
    public var kind: TaskChoice
    public var task: Task { kind == .regression ? .regression : .classification }
    /// Whether it was inferred (`--task auto`) or asked for.
    public var inferred: Bool
    /// One sentence: what in the target (or the model) decided it.
    public var reason: String

    public init(kind: TaskChoice, inferred: Bool, reason: String) {
        self.kind = kind
        self.inferred = inferred
        self.reason = reason
    }
}

/// Infers the task from the target column and fits the estimator to it, as the user would expect
/// from scikit-learn's `type_of_target` and AutoML tools: text and booleans are classes; integers
/// (or whole-valued floats) are class codes when there are at most `maxIntegerClasses` distinct
/// values, a quantity otherwise; numbers with fractions are a quantity. An estimator that cannot
/// take on the task is refused with the fix, never silently retargeted.
public enum TaskInference {
    /// Integer targets with at most this many distinct values are class codes.
    public static let maxIntegerClasses = 20

    /// What the target's values look like.
    public static func infer(_ frame: Frame, target: String) throws(LearnError) -> TaskDecision {
        guard let column = frame.columns.first(where: { $0.name == target }) else {
            throw .unknownTarget(target, available: frame.names)
        }
        let rows = (0..<frame.rowCount).filter { column.isValid($0) }
        guard !rows.isEmpty else { throw .emptyTrainingData }
        switch column.type {
        case .string:
            let distinct = Set(rows.map { column.value(at: $0).description }).count
            return TaskDecision(kind: distinct <= 2 ? .binary : .multiclass, inferred: true,
                                reason: "'\(target)' holds text labels (\(distinct) distinct)")
        case .bool:
            return TaskDecision(kind: .binary, inferred: true, reason: "'\(target)' holds true/false values")
        case _ where column.type.isNumeric:
            guard let values = column.doubles() else { throw .badTarget(target, reason: "its values cannot be read as numbers") }
            if rows.contains(where: { values[$0] != values[$0].rounded() }) {
                return TaskDecision(kind: .regression, inferred: true, reason: "'\(target)' holds numbers with fractions")
            }
            var seen = Set<Double>()
            for i in rows {
                seen.insert(values[i])
                if seen.count > maxIntegerClasses { break }
            }
            if seen.count <= 2 {
                return TaskDecision(kind: .binary, inferred: true, reason: "'\(target)' holds two integer codes")
            }
            if seen.count <= maxIntegerClasses {
                return TaskDecision(kind: .multiclass, inferred: true,
                                    reason: "'\(target)' holds \(seen.count) distinct integer codes (at most \(maxIntegerClasses) are read as classes; --task regression if they are quantities)")
            }
            return TaskDecision(kind: .regression, inferred: true,
                                reason: "'\(target)' holds integers with more than \(maxIntegerClasses) distinct values")
        default:
            throw .badTarget(target, reason: "it is \(column.type.rawValue); a target must be text, true/false or numbers")
        }
    }

    /// The estimator `E` built from `given`, set up for the task `choice` asks for (or that the
    /// target implies), with the decision. Estimators that do both (trees) get their `objective`
    /// or `task` parameter set; a one-task estimator whose task cannot fit the target is refused.
    public static func configure(_ e: any Estimator.Type, given: [String: String], choice: TaskChoice, frame: Frame,
                                 target: String) throws(LearnError) -> (estimator: any Estimator, decision: TaskDecision) {
        let looks = try infer(frame, target: target)
        var decision = choice == .auto ? looks : TaskDecision(kind: choice, inferred: false, reason: "asked for with --task \(choice.rawValue)")
        var given = given
        let specs = e.parameterSpecs
        func spec(_ name: String) -> ParameterSpec? { specs.first { $0.name == name } }
        func givenValue(_ s: ParameterSpec) -> String? { given.first { $0.key == s.name || s.aliases.contains($0.key) }?.value }
        let classifiers = "logistic, knn, naive-bayes, gbdt, random-forest, extra-trees or decision-tree"
        let regressors = "linear, ridge, lasso, elasticnet, knn-regressor, gbdt, random-forest, extra-trees or decision-tree"

        if let objective = spec("objective"), let asked = givenValue(objective), asked != "auto" {
            // An explicit objective decides; it must agree with an explicit --task.
            let built = try e.init(given)
            let task = built.task(for: frame, target: target)
            if choice != .auto, task != decision.task {
                throw .badParameterValue(model: e.name, name: "objective", value: asked,
                                         expected: "an objective for \(choice.rawValue) (--task \(choice.rawValue)), or leave the objective out")
            }
            if choice == .auto {
                let kind: TaskChoice = task == .regression ? .regression : (asked == "binary" ? .binary : .multiclass)
                decision = TaskDecision(kind: kind, inferred: false, reason: "objective=\(asked)")
            }
            return (built, decision)
        }
        if e.tasks.count > 1 {
            if decision.kind == .binary, looks.kind == .multiclass {
                throw .badTarget(target, reason: "--task binary needs two classes, but \(looks.reason); use --task multiclass")
            }
            if spec("objective") != nil {
                var objective = decision.kind.rawValue
                if decision.kind == .multiclass, looks.kind == .binary {
                    objective = "binary"
                    decision.reason += "; with two classes the objective is binary"
                }
                given["objective"] = objective
            } else if spec("task") != nil, givenValue(spec("task")!) == nil || givenValue(spec("task")!) == "auto" {
                given["task"] = decision.task == .regression ? "regression" : "classification"
            }
            let built = try e.init(given)
            return (built, decision)
        }
        // One task: the estimator's own.
        let own = e.task
        if choice != .auto, own != decision.task {
            throw .badTarget(target, reason: "\(e.name) is a \(own == .regression ? "regressor" : "classifier") and cannot do \(choice.rawValue); "
                + "use \(own == .regression ? classifiers : regressors)")
        }
        if choice == .auto, own == .classification, looks.kind == .regression {
            throw .badTarget(target, reason: "\(e.name) classifies, but \(looks.reason), which looks like a quantity to predict; "
                + "use a regressor (\(regressors)), or --task multiclass if the values are class codes")
        }
        if choice == .auto, own == .regression, looks.task == .classification {
            if frame.columns.first(where: { $0.name == target })?.type.isNumeric == true {
                decision = TaskDecision(kind: .regression, inferred: true,
                                        reason: "\(e.name) is a regressor (\(looks.reason); use a classifier with --task multiclass if they are classes)")
            } else {
                throw .badTarget(target, reason: "\(e.name) is a regressor, but \(looks.reason); use a classifier (\(classifiers))")
            }
        }
        if choice == .binary || (choice == .auto && own == .classification) {
            // Binary needs exactly two classes.
            if choice == .binary, looks.kind == .multiclass {
                throw .badTarget(target, reason: "--task binary needs two classes, but \(looks.reason); use --task multiclass")
            }
            if choice == .auto { decision = TaskDecision(kind: looks.kind == .regression ? .multiclass : looks.kind, inferred: true, reason: looks.reason) }
        }
        return (try e.init(given), decision)
    }
}
