import Dispatch
import Foundation
public import PulkFrame
public import PulkLearn

/// Seconds on a clock that only moves forward; tests inject their own.
public protocol SearchClock: Sendable {
    func now() -> Double
}

public struct MonotonicClock: SearchClock {
    public init() {}
    public func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}

/// An AutoML search over the estimators of a catalog: each configuration is validated on the same
/// folds (preprocessing fitted inside each fold, as it travels inside every Pulk model), the best is
/// refit on all the data, and the budgets and exit criteria of `settings` stop it.
public struct AutoMLSearch: Sendable {
    public var settings: AutoMLSettings
    /// The estimators it may use (the catalog); those without a search space are left out.
    public var catalog: [any Estimator.Type]
    public var clock: any SearchClock = MonotonicClock()
    /// Polled between trials: true stops the search with the best model so far (Ctrl-C).
    public var cancelled: @Sendable () -> Bool = { false }
    /// Told once the data is checked and the folds are made, before the first trial.
    public var onStart: @Sendable (SearchStart) -> Void = { _ in }

    public init(settings: AutoMLSettings, catalog: [any Estimator.Type]) {
        self.settings = settings
        self.catalog = catalog
    }

    /// The estimators first tried, cheapest and usually best first; others follow in catalog order.
    static let preferred = ["gbdt", "random-forest", "extra-trees", "logistic", "ridge", "elasticnet", "knn", "knn-regressor", "naive-bayes"]

    /// An estimator whose search proposes only configurations already tried this many times in a
    /// row has no more to offer (a small space, fully explored).
    static let maxRepeats = 100

    /// What each estimator's search has learned.
    struct Learner {
        var type: any Estimator.Type
        var search: LocalSearch
        var trials = 0
        init(type: any Estimator.Type, search: LocalSearch, sample: Int) {
            self.type = type
            self.search = search
            self.sample = sample
        }
        var timeUsed = 0.0
        var bestLoss = Double.infinity
        var firstLoss = Double.infinity
        var timeAtBest = 0.0
        var lastTrialSeconds = 0.0
        /// Proposals in a row that were configurations already tried (integers rounding alike).
        var repeats = 0
        /// Training rows per trial (large data: a sample that grows).
        var sample = 0
        /// The current point is to be measured again on a larger sample before the search moves on.
        var remeasure = false
        var name: String { type.name }

        /// The loss of a point the local search proposed; when the search converges on a sample
        /// of `trainRows` (0: no sampling), the best point is measured again on twice the rows.
        mutating func report(_ point: [Double], loss: Double, trainRows: Int) {
            let restarts = search.restarts
            search.report(point, loss: loss)
            if search.restarts > restarts, sample < trainRows {
                sample = min(sample * 2, trainRows)
                remeasure = true
                repeats = 0
            }
        }
    }

    /// Runs the search on `frame` to predict `target`, calling `onTrial` after each trial.
    public func run(_ frame: Frame, target: String, onTrial: (Trial) -> Void = { _ in }) throws(LearnError) -> AutoMLResult {
        let started = clock.now()
        guard settings.timeBudget > 0 else { throw .badParameterValue(model: "automl", name: "time_budget", value: "\(settings.timeBudget)", expected: "a positive number of seconds") }
        var decision = TaskDecision(kind: settings.task, inferred: false, reason: "asked for with --task \(settings.task.rawValue)")
        if settings.task == .auto { decision = try TaskInference.infer(frame, target: target) }
        let metric = settings.metric ?? AutoMLSettings.defaultMetric(decision.kind)
        let higher = Evaluation.higherIsBetter(metric)

        // The estimators to search.
        var skipped: [String: String] = [:]
        var types: [any Estimator.Type] = []
        if let asked = settings.models {
            for name in asked {
                guard let e = catalog.first(where: { $0.name == name }) else { throw .unknownModel(name, known: catalog.filter { !$0.searchSpace.isEmpty }.map { $0.name }) }
                if e.searchSpace.isEmpty { skipped[name] = "it has no search space" } else if !e.tasks.contains(decision.task) {
                    skipped[name] = "it does not take on \(decision.kind.rawValue) tasks"
                } else { types.append(e) }
            }
        } else {
            types = catalog.filter { !$0.searchSpace.isEmpty && $0.tasks.contains(decision.task) }
        }
        types.sort { (Self.preferred.firstIndex(of: $0.name) ?? Int.max) < (Self.preferred.firstIndex(of: $1.name) ?? Int.max) }
        guard !types.isEmpty else {
            throw .badParameterValue(model: "automl", name: "models", value: (settings.models ?? []).joined(separator: ","),
                                     expected: "estimators for \(decision.kind.rawValue) tasks with a search space: "
                                        + catalog.filter { !$0.searchSpace.isEmpty && $0.tasks.contains(decision.task) }.map { $0.name }.joined(separator: ", "))
        }

        // The data checks; the columns no estimator can use are dropped.
        var folds: Int?
        switch settings.validation {
        case .auto: folds = AutoMLSettings.autoFolds(rows: frame.rowCount)
        case .crossValidation(let k): folds = k
        case .holdout: folds = nil
        }
        let (checked, guardrails) = Guardrails.check(frame, target: target, task: decision, folds: folds)

        // The same folds for every trial.
        let values = try TargetValues.extract(checked, target: target, task: decision.task)
        let data = values.presentRows(of: checked)
        let labels: [Int]? = decision.task == Task.classification ? values.classes : nil
        let plan = try ValidationPlan(rows: data.rowCount, labels: labels,
                                      validation: settings.validation, seed: settings.seed)
        // Large data (a holdout) is searched on growing samples of the training part, as FLAML does:
        // each estimator starts on `settings.firstSample` rows and doubles them when its local search converges.
        let trainRows = plan.splits.count == 1 ? plan.splits[0].train.count : 0
        var sampleOrder: [Int] = []
        if trainRows > settings.firstSample {
            var shuffler = SeededGenerator(seed: settings.seed &+ 17)
            sampleOrder = plan.splits[0].train.shuffled(using: &shuffler)
        }
        onStart(SearchStart(task: decision.kind.rawValue, taskReason: decision.reason, metric: metric, higherIsBetter: higher,
                            validation: plan.description, models: types.map { $0.name }, guardrails: guardrails))
        let fullParts = plan.splits.map { (train: data.take($0.train), test: data.take($0.test)) }
        var partsBySize: [Int: [(train: Frame, test: Frame)]] = [:]
        func parts(_ size: Int) -> [(train: Frame, test: Frame)] {
            guard size < trainRows, !sampleOrder.isEmpty else { return fullParts }
            if let cached = partsBySize[size] { return cached }
            let made = [(train: data.take(Array(sampleOrder.prefix(size)).sorted()), test: fullParts[0].test)]
            partsBySize[size] = made
            return made
        }
        let firstSize = sampleOrder.isEmpty ? (plan.splits.first?.train.count ?? 0) : settings.firstSample

        // The validation rows, in the order the trials' out-of-fold predictions list them.
        let validationRows = plan.splits.flatMap(\.test)
        let blending = Blending(classes: values.info.classes,
                                truth: decision.task == .classification ? validationRows.map { Double(values.classes[$0]) } : validationRows.map { values.values[$0] },
                                metric: metric, higher: higher)
        var outOfFold: [Int: [Double]] = [:]
        // A refit on every row: one fold's fit of the trial, scaled to all the rows, with a margin.
        let allRows = Double(data.rowCount)
        func refitEstimate(_ t: Trial) -> Double { t.seconds / Double(max(plan.splits.count, 1)) * allRows / Double(max(t.rows, 1)) * 1.1 }

        var learners = types.map { Learner(type: $0, search: LocalSearch($0.searchSpace), sample: firstSize) }
        var rng = SeededGenerator(seed: settings.seed ^ 0x9E37_79B9_7F4A_7C15)
        var trials: [Trial] = []
        var tried: [String: Double] = [:]
        var best: Int?
        var sinceImprovement = 0
        var stop = StopReason.timeBudget

        // Up to `parallel` trials side by side, each of its own estimator (an estimator's local
        // search waits for its last trial), each with its share of the cores.
        let parallel = max(1, min(settings.parallel, learners.count))
        let threadsPerTrial = max(1, defaultThreadCount() / parallel)
        let pool = TrialPool()
        var inFlight: [Int: Pending] = [:]
        var nextSlot = 0
        var stopping = false

        search: while true {
            // Launch trials while there is room.
            launch: while !stopping && inFlight.count < parallel {
                if cancelled() { stop = .cancelled; stopping = true; break }
                if let max = settings.maxTrials, trials.count + inFlight.count >= max { stop = .maxTrials; stopping = true; break }
                if let patience = settings.patience, sinceImprovement >= patience { stop = .patience; stopping = true; break }
                let busy = Set(inFlight.values.map(\.learner))
                let free = learners.indices.filter { !busy.contains($0) && learners[$0].repeats <= Self.maxRepeats }
                if free.isEmpty {
                    if inFlight.isEmpty { stop = .searchSpaceExhausted; stopping = true }
                    break
                }
                // Time kept for refitting on every row: about one fold's fit of the best, with a
                // margin, or of each of the best trials an ensemble may take, and 5% of the budget
                // to plan the ensemble in.
                let reserve = settings.ensemble == .none ? best.map { refitEstimate(trials[$0]) } ?? 0
                    : Self.ranked(outOfFold.keys, trials: trials, higher: higher).prefix(Self.ensembleReserveMembers)
                        .reduce(0.05 * settings.timeBudget) { $0 + refitEstimate(trials[$1]) }
                let remaining = settings.timeBudget - (clock.now() - started) - reserve
                let affordable = free.filter { learners[$0].trials == 0 || learners[$0].lastTrialSeconds * 1.5 <= remaining }
                guard remaining > 0, !affordable.isEmpty else {
                    if inFlight.isEmpty { stop = .timeBudget; stopping = true }
                    break
                }
                // Which estimator, and which configuration of it.
                let l: Int
                if let untried = affordable.first(where: { learners[$0].trials == 0 }) {
                    l = untried
                } else if settings.strategy == .random {
                    l = affordable[Int.random(in: 0..<affordable.count, using: &rng)]
                } else {
                    l = Self.choose(affordable, learners, globalBest: best.map { Self.loss(trials[$0].score, higher) } ?? .infinity, &rng)
                }
                let point: [Double]
                if learners[l].trials == 0 || learners[l].remeasure {
                    point = learners[l].search.point
                } else if settings.strategy == .random {
                    point = learners[l].search.dimensions.map { _ in Double.random(in: 0...1, using: &rng) }
                } else {
                    point = learners[l].search.propose(&rng)
                }
                let parameters = learners[l].search.values(point)
                let rows = learners[l].sample
                let key = learners[l].name + "|\(rows)|" + parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                if let known = tried[key] {
                    // The same configuration again (integers rounding alike): its known loss, no trial.
                    if learners[l].trials > 0, settings.strategy == .costFrugal, !learners[l].remeasure {
                        learners[l].report(point, loss: known, trainRows: sampleOrder.isEmpty ? 0 : trainRows)
                    }
                    learners[l].repeats += 1
                    continue launch
                }
                learners[l].repeats = 0
                let (type, classes, seed) = (learners[l].type, values.info.classes, settings.seed)
                let folds = parts(rows)
                inFlight[nextSlot] = Pending(learner: l, point: point, parameters: parameters, key: key, start: clock.now(),
                                             deadline: DispatchTime.now() + remaining, rows: rows, remeasure: learners[l].remeasure)
                learners[l].remeasure = false
                pool.launch(slot: nextSlot, threads: threadsPerTrial) { () throws(LearnError) in
                    try Self.evaluate(type, parameters, decision: decision, data: data, folds: folds, target: target, classes: classes, metric: metric, seed: seed)
                }
                nextSlot += 1
            }
            if inFlight.isEmpty { break search }

            // The next trial to end; none before the first deadline (or Ctrl-C): every trial still
            // running is stopped, not waited for.
            guard let (slot, outcome) = pool.next(until: inFlight.values.map(\.deadline).min()!, cancelled: cancelled) else {
                for pending in inFlight.values.sorted(by: { $0.start < $1.start }) {
                    let seconds = clock.now() - pending.start
                    trials.append(Trial(number: trials.count + 1, model: learners[pending.learner].name, parameters: pending.parameters, rows: pending.rows, score: .nan, spread: 0,
                                        foldScores: [], seconds: seconds, finishedAt: clock.now() - started, status: .stopped,
                                        error: cancelled() ? "interrupted" : "stopped after \(String(format: "%.1f", seconds)) s: it would overrun the time budget",
                                        bestSoFar: best.map { trials[$0].score } ?? .nan))
                    onTrial(trials[trials.count - 1])
                }
                stop = cancelled() ? .cancelled : .timeBudget
                break search
            }
            let pending = inFlight.removeValue(forKey: slot)!
            let l = pending.learner
            let measured = try outcome.get()
            let (foldScores, failure) = (measured.scores, measured.failure)
            let seconds = clock.now() - pending.start
            let mean = failure == nil ? foldScores.reduce(0, +) / Double(foldScores.count) : .nan
            let spread = failure == nil && foldScores.count > 1
                ? (foldScores.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(foldScores.count - 1)).squareRoot() : 0
            let trialLoss = Self.loss(mean, higher)
            tried[pending.key] = trialLoss

            var learner = learners[l]
            if learner.trials == 0 || pending.remeasure {
                learner.search.started(loss: trialLoss)
                if learner.trials == 0 { learner.firstLoss = trialLoss }
            } else if settings.strategy == .costFrugal {
                learner.report(pending.point, loss: trialLoss, trainRows: sampleOrder.isEmpty ? 0 : trainRows)
            }
            learner.trials += 1
            learner.timeUsed += seconds
            learner.lastTrialSeconds = seconds
            if trialLoss < learner.bestLoss {
                learner.bestLoss = trialLoss
                learner.timeAtBest = learner.timeUsed
            }
            learners[l] = learner

            let improved = failure == nil && (best == nil || trialLoss < Self.loss(trials[best!].score, higher))
            if improved { best = trials.count; sinceImprovement = 0 } else { sinceImprovement += 1 }
            let trial = Trial(number: trials.count + 1, model: learner.name, parameters: pending.parameters, rows: pending.rows, score: mean, spread: spread, foldScores: foldScores,
                              seconds: seconds, finishedAt: (clock.now() - started), status: failure == nil ? .finished : .failed, error: failure,
                              bestSoFar: best.map { trials.count == $0 ? mean : trials[$0].score } ?? .nan)
            trials.append(trial)
            if failure == nil, settings.ensemble != .none, measured.outOfFold.count == validationRows.count * blending.width {
                // The out-of-fold predictions the ensemble may combine: the best few trials, and
                // each estimator's best (the diversity an ensemble gains from).
                outOfFold[trials.count - 1] = measured.outOfFold
                let keep = Self.ensembleKeep(Array(outOfFold.keys), trials: trials, higher: higher)
                for k in Array(outOfFold.keys) where !keep.contains(k) { outOfFold[k] = nil }
            }
            onTrial(trial)
            if let exit = settings.exitScore, failure == nil, higher ? mean >= exit : mean <= exit {
                // Reached: the trials still running are not waited for.
                stop = .exitScore
                break search
            }
        }

        guard let winner = best else {
            let errors = Set(trials.compactMap(\.error)).prefix(3).joined(separator: "; ")
            throw .badTarget(target, reason: trials.isEmpty
                ? "the time budget (\(settings.timeBudget) s) ended before the first trial; give a larger --time-budget"
                : "no configuration could be trained (\(trials.count) tried): \(errors)")
        }
        // The winner refit on every row, or the ensemble's members.
        let refitStart = clock.now()
        func refit(_ t: Trial) throws(LearnError) -> any Model {
            let (estimator, _) = try TaskInference.configure(learners.first { $0.name == t.model }!.type, given: t.parameters,
                                                             choice: decision.kind, frame: data, target: target)
            return try estimator.fit(data, target: target, seed: settings.seed)
        }
        var model: any Model
        var summary: EnsembleSummary?
        var plannedEnsemble: EnsemblePlan?
        if settings.ensemble != .none {
            // Planned within what is left of the budget beside the best single model's refit.
            let left = settings.timeBudget - (clock.now() - started) - refitEstimate(trials[winner])
            let (choice, kept, seed) = (settings.ensemble, outOfFold, settings.seed)
            let finished = trials
            let planning = left > 0 ? Abandonable.run(within: left, cancelled: cancelled) { () throws(LearnError) in
                try Self.planEnsemble(choice, outOfFold: kept, trials: finished, best: winner, blending: blending, seed: seed)
            } : nil
            if let planning {
                plannedEnsemble = try planning.get()
            } else if kept.count >= 2 {
                plannedEnsemble = EnsemblePlan(summary: EnsembleSummary(method: choice.rawValue, members: [], score: .nan, singleScore: trials[winner].score, chosen: false,
                                                                        note: "not built: the time budget ran out first"), meta: nil)
            }
        }
        if var plan = plannedEnsemble, plan.summary.chosen {
            let members = plan.summary.members
            let needed = members.reduce(0) { $0 + refitEstimate(trials[$1.trial - 1]) }
            if needed > settings.timeBudget - (clock.now() - started) {
                plan.summary.chosen = false
                plan.summary.note = "not used: refitting its \(members.count) members (about \(String(format: "%.1f", needed)) s) would overrun the time budget"
                model = try refit(trials[winner])
            } else {
                let fitted = try members.map { m throws(LearnError) in try refit(trials[m.trial - 1]) }
                if let meta = plan.meta {
                    model = try EnsembleModel(members: fitted, meta: meta)
                } else {
                    model = try EnsembleModel(members: fitted, weights: members.map(\.weight))
                }
            }
            summary = plan.summary
        } else {
            summary = plannedEnsemble?.summary
            model = try refit(trials[winner])
        }
        let refitSeconds = clock.now() - refitStart
        return AutoMLResult(task: decision, metric: metric, higherIsBetter: higher, validation: plan.description, trials: trials, best: winner, model: model,
                            stopReason: stop, seconds: (clock.now() - started), refitSeconds: refitSeconds, guardrails: guardrails,
                            rowsWithoutTarget: checked.rowCount - data.rowCount, ensemble: summary, models: learners.filter { $0.trials > 0 }.map { $0.name }, skipped: skipped)
    }

    /// Out-of-fold predictions kept for the ensemble: those of the best trials so far, and of each
    /// estimator's best.
    static let ensembleCandidates = 8

    /// Which of the trials `kept` (indexes) stay ensemble candidates: the `ensembleCandidates` best,
    /// and the best of each estimator.
    static func ensembleKeep(_ kept: [Int], trials: [Trial], higher: Bool) -> Set<Int> {
        let order = ranked(kept, trials: trials, higher: higher)
        return Set(order.prefix(ensembleCandidates)).union(bestOfEachEstimator(order, trials: trials))
    }

    /// Trials (indexes) from best to worst validation score; equal scores in the order they ran.
    static func ranked(_ indexes: some Sequence<Int>, trials: [Trial], higher: Bool) -> [Int] {
        indexes.sorted { (loss(trials[$0].score, higher), $0) < (loss(trials[$1].score, higher), $1) }
    }

    /// The first (best) trial of each estimator in `ranked`, in its order.
    static func bestOfEachEstimator(_ ranked: [Int], trials: [Trial]) -> [Int] {
        var seen: Set<String> = []
        return ranked.filter { seen.insert(trials[$0].model).inserted }
    }
    /// The share of the best single model's score an ensemble must gain to be kept by `auto`.
    static let ensembleMargin = 1e-4
    /// Trials whose refit the search keeps time for when it may ensemble.
    static let ensembleReserveMembers = 8

    struct EnsemblePlan {
        var summary: EnsembleSummary
        /// Stacking's meta-model, fit on the out-of-fold predictions.
        var meta: (any Model)?
    }

    /// The ensemble of the best trials' out-of-fold predictions that `choice` asks for: greedy
    /// selection, stacking over the best five distinct trials, or (auto) whichever validates
    /// better, chosen only when it beats the best single model on the same rows. Nil with fewer
    /// than two candidates.
    static func planEnsemble(_ choice: AutoMLSettings.Ensemble, outOfFold: [Int: [Double]], trials: [Trial], best: Int, blending: Blending,
                             seed: UInt64) throws(LearnError) -> EnsemblePlan? {
        let ranked = Self.ranked(outOfFold.keys, trials: trials, higher: blending.higher)
        guard ranked.count >= 2, let single = outOfFold[best] ?? outOfFold[ranked[0]] else { return nil }
        let singleScore = blending.score(single)
        let candidates = ranked.map { outOfFold[$0]! }
        var options: [EnsemblePlan] = []
        if choice == .auto || choice == .voting {
            let (counts, score) = blending.selection(candidates)
            let total = Double(counts.reduce(0, +))
            let members = counts.enumerated().filter { $0.element > 0 }.map {
                EnsembleSummary.Member(trial: ranked[$0.offset] + 1, model: trials[ranked[$0.offset]].model, weight: Double($0.element) / total)
            }
            options.append(EnsemblePlan(summary: EnsembleSummary(method: "voting", members: members, score: score, singleScore: singleScore, chosen: false, note: ""), meta: nil))
        }
        if choice == .auto || choice == .stacking {
            // Stacking over the best of each estimator (then the next best), five at most.
            let diverse = bestOfEachEstimator(ranked, trials: trials)
            let topTrials = Array((diverse + ranked.filter { !diverse.contains($0) }).prefix(5))
            let top = topTrials.map { outOfFold[$0]! }
            let score = try blending.stackingScore(top, seed: seed)
            if !score.isNaN {
                let meta = try blending.stackingModel(top, seed: seed)
                let members = topTrials.map { EnsembleSummary.Member(trial: $0 + 1, model: trials[$0].model, weight: 1 / Double(topTrials.count)) }
                options.append(EnsemblePlan(summary: EnsembleSummary(method: "stacking", members: members, score: score, singleScore: singleScore, chosen: false, note: ""),
                                            meta: meta))
            }
        }
        guard var plan = options.min(by: { loss($0.summary.score, blending.higher) < loss($1.summary.score, blending.higher) }) else { return nil }
        // Better by more than 0.01% of the score: a gain smaller than that is not worth scoring several models.
        let better = loss(plan.summary.score, blending.higher) < loss(singleScore, blending.higher) - Self.ensembleMargin * abs(singleScore)
        if plan.summary.members.count < 2 {
            plan.summary.note = "not used: the selection kept only the best single model"
        } else if choice == .auto && !better {
            plan.summary.note = "not used: it validates no better than the best single model"
        } else {
            plan.summary.chosen = true
            plan.summary.note = better ? "used: it validates better than the best single model" : "used, as asked, though it validates no better than the best single model"
        }
        return plan
    }

    /// The loss the search minimises: the score, negated when higher is better (NaN: infinite).
    static func loss(_ score: Double, _ higher: Bool) -> Double { score.isNaN ? .infinity : (higher ? -score : score) }

    /// What a trial measured: the metric per fold (or why it failed) and its out-of-fold
    /// predictions, for ensembles.
    struct Measured: Sendable {
        var scores: [Double] = []
        var failure: String?
        /// Per validation row (the folds' test rows in order): the class probabilities in the
        /// target's class order, `width` per row, or the predicted number.
        var outOfFold: [Double] = []
    }

    /// One configuration's metric on every fold and its out-of-fold predictions, or why it failed.
    /// A metric the task does not report ends the search (it would fail every trial).
    static func evaluate(_ type: any Estimator.Type, _ parameters: [String: String], decision: TaskDecision, data: Frame,
                         folds: [(train: Frame, test: Frame)], target: String, classes: [String]?, metric: String, seed: UInt64) throws(LearnError) -> Measured {
        var measured = Measured()
        var reported: [String] = []
        do {
            let (estimator, _) = try TaskInference.configure(type, given: parameters, choice: decision.kind, frame: data, target: target)
            for fold in folds {
                let model = try estimator.fit(fold.train, target: target, seed: seed)
                let predictions = try model.predict(fold.test)
                let metrics = try Evaluation.metrics(predictions, frame: fold.test, target: target)
                guard let value = metrics.first(where: { $0.name == metric })?.value else {
                    reported = metrics.map { $0.name }
                    break
                }
                measured.scores.append(value)
                Blending.append(predictions, classes: classes, to: &measured.outOfFold)
            }
        } catch {
            return Measured(failure: error.description)
        }
        if !reported.isEmpty {
            throw .badParameterValue(model: "automl", name: "metric", value: metric,
                                     expected: "a metric of \(decision.kind.rawValue) tasks: " + reported.joined(separator: ", "))
        }
        return measured
    }

    /// The estimator expected to improve the best loss soonest (FLAML's estimated cost for
    /// improvement), drawn with probability inversely proportional to that cost: the time it has
    /// gone without improving (at least one trial's time), and for estimators behind the leader the
    /// time their rate of improvement would take to catch up.
    static func choose(_ candidates: [Int], _ learners: [Learner], globalBest: Double, _ rng: inout SeededGenerator) -> Int {
        let costs = candidates.map { i -> Double in
            let l = learners[i]
            let stalled = max(l.timeUsed - l.timeAtBest, l.lastTrialSeconds, 1e-3)
            guard l.bestLoss > globalBest else { return stalled }
            let gained = l.firstLoss - l.bestLoss
            let rate = gained.isFinite && gained > 0 ? gained / max(l.timeAtBest, 1e-3) : 0
            let catchUp = rate > 0 && l.bestLoss.isFinite ? (l.bestLoss - globalBest) / rate : 2 * max(l.timeUsed, 1e-3)
            return max(stalled, catchUp)
        }
        let weights = costs.map { 1 / $0 }
        var r = Double.random(in: 0..<weights.reduce(0, +), using: &rng)
        for (k, w) in weights.enumerated() {
            r -= w
            if r < 0 { return candidates[k] }
        }
        return candidates.last!
    }
}

/// The folds every trial is validated on.
struct ValidationPlan: CustomStringConvertible {
    var splits: [Split]
    var description: String

    init(rows n: Int, labels: [Int]?, validation: AutoMLSettings.Validation, seed: UInt64) throws(LearnError) {
        var folds: Int?, fraction = 0.1
        switch validation {
        case .auto: folds = AutoMLSettings.autoFolds(rows: n).map { min($0, max(2, n)) }
        case .crossValidation(let k): folds = k
        case .holdout(let f): fraction = f
        }
        do {
            if let k = folds {
                guard k >= 2, k <= n else { throw LearnError.invalidSplit("cross-validation needs 2 to \(n) folds, not \(k)") }
                if let labels, let s = try? CrossValidation.stratifiedKFold(labels: labels, k: k, shuffle: true, seed: seed) {
                    splits = s
                    description = "\(k)-fold stratified cross-validation"
                } else {
                    splits = try CrossValidation.kFold(rows: n, k: k, shuffle: true, seed: seed)
                    description = "\(k)-fold cross-validation"
                }
            } else {
                guard fraction > 0, fraction < 1 else { throw LearnError.invalidSplit("the holdout share must be between 0 and 1, not \(fraction)") }
                if let labels, let s = try? Splitter.stratified(labels: labels, testFraction: fraction, seed: seed) {
                    splits = [s]
                    description = "stratified holdout of \(Int((fraction * 100).rounded()))%"
                } else {
                    splits = [try Splitter.random(rows: n, testFraction: fraction, seed: seed)]
                    description = "holdout of \(Int((fraction * 100).rounded()))%"
                }
            }
        } catch let e as LearnError { throw e } catch let e as SplitError { throw .invalidSplit(e.description) } catch { throw .invalidSplit("\(error)") }
    }
}
