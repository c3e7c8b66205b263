public import PulkFrame

/// One named metric value.
public struct MetricValue: Sendable, Codable, Equatable {
    public var name: String
    public var value: Double

    public init(name: String, value: Double) {
        self.name = name
        self.value = value
    }
}

/// True and predicted values of evaluated rows, aligned: what metrics and evaluation plots are made of.
public enum Outcomes: Sendable {
    case regression(actual: [Double], predicted: [Double])
    /// `truth` and `predicted` index `classes`; `probabilities` has one value per class and row.
    case classification(classes: [String], truth: [Int], predicted: [Int], probabilities: [[Double]])
    /// Every row's cluster, and with known groups (`--label`) the rows that have one, aligned:
    /// `truth` indexes `groups`, `labelled` the clusters of those rows.
    case clustering(clusters: [Int], groups: [String], truth: [Int], labelled: [Int])
    /// Scores and flags of the rows, and with known answers (`--label`) only the rows that have
    /// one, with `truth` (true: an anomaly) aligned.
    case anomaly(scores: [Double], flagged: [Bool], truth: [Bool]?)
    /// Per evaluated user, the items recommended (top `k`, catalogue indices) and the held-out items
    /// they interacted with; with explicit ratings, the actual and predicted ratings of held-out pairs.
    case recommendation(recommended: [[Int]], relevant: [Set<Int>], k: Int, catalogue: Int, ratings: (actual: [Double], predicted: [Double])?)
}

/// Every metric that fits a task, computed from a model's predictions and the true target.
public enum Evaluation {
    /// Metrics of `predictions` against the target column of `frame` (rows with a missing target are skipped).
    public static func metrics(_ predictions: Predictions, frame: Frame, target: String) throws(LearnError) -> [MetricValue] {
        metrics(try outcomes(predictions, frame: frame, target: target))
    }

    /// Every metric of the task of `outcomes`.
    public static func metrics(_ outcomes: Outcomes) -> [MetricValue] {
        switch outcomes {
        case .regression(let y, let p): return regression(y, p)
        case .classification(let classes, let y, let p, let probabilities): return classification(y, p, probabilities, classCount: classes.count)
        case .clustering(let clusters, _, let truth, let labelled): return clusteringAgainstLabels(clusters: clusters, truth: truth, labelled: labelled)
        case .anomaly(let scores, let flagged, let truth): return anomaly(scores: scores, flagged: flagged, truth: truth)
        case .recommendation(let recommended, let relevant, let k, let catalogue, let ratings):
            var out = RecommendationMetrics.atK(recommended: recommended, relevant: relevant, k: k, catalogue: catalogue)
            if let ratings, let rmse = try? RegressionMetrics.rootMeanSquaredError(ratings.actual, ratings.predicted) {
                out.append(MetricValue(name: "rmse", value: rmse))
            }
            return out
        }
    }

    /// The share of rows flagged, and with known answers how well the scores rank the anomalies
    /// (ROC AUC, average precision) and how right the flags are (precision, recall, F1).
    static func anomaly(scores: [Double], flagged: [Bool], truth: [Bool]?) -> [MetricValue] {
        var out = [MetricValue(name: "flagged_share", value: scores.isEmpty ? 0 : Double(flagged.filter { $0 }.count) / Double(scores.count))]
        guard let truth else { return out }
        if let auc = RankingMetrics.rocAUC(truth, scores) { out.append(MetricValue(name: "roc_auc", value: auc)) }
        if let ap = RankingMetrics.averagePrecision(truth, scores) { out.append(MetricValue(name: "average_precision", value: ap)) }
        let prf = ClassificationMetrics.precisionRecallF(truth.map { $0 ? 1 : 0 }, flagged.map { $0 ? 1 : 0 }, classCount: 2, average: .binary(positive: 1))
        out += [MetricValue(name: "precision", value: prf.precision), MetricValue(name: "recall", value: prf.recall), MetricValue(name: "f1", value: prf.f),
                MetricValue(name: "anomaly_share", value: Double(truth.filter { $0 }.count) / Double(max(truth.count, 1)))]
        return out
    }

    /// Clusters found, and with known groups the adjusted Rand index and normalised mutual information.
    static func clusteringAgainstLabels(clusters: [Int], truth: [Int], labelled: [Int]) -> [MetricValue] {
        // Noise (cluster −1, density clustering) is no cluster; its share is said.
        var out = [MetricValue(name: "clusters", value: Double(Set(clusters).subtracting([-1]).count))]
        if clusters.contains(-1) {
            out.append(MetricValue(name: "noise_share", value: Double(clusters.filter { $0 == -1 }.count) / Double(clusters.count)))
        }
        if !truth.isEmpty {
            out.append(MetricValue(name: "adjusted_rand", value: ClusteringMetrics.adjustedRand(truth, labelled)))
            out.append(MetricValue(name: "normalized_mutual_info", value: ClusteringMetrics.normalizedMutualInformation(truth, labelled)))
        }
        return out
    }

    /// The metrics of a clustering measured on the data itself: inertia (the sum of squared distances
    /// to the centers), Calinski-Harabasz and Davies-Bouldin over every row, and the silhouette over
    /// a seeded sample of at most `silhouetteSample` rows (it costs the square of the rows).
    public static func clusteringMetrics(_ model: any ClusterModel, frame: Frame, clusters: [Int], distances: [Double],
                                         silhouetteSample: Int = 5000, seed: UInt64 = 0) throws(LearnError) -> [MetricValue] {
        let (x, names) = try model.points(frame)
        let d = names.count
        var out = model.hasCenters ? [MetricValue(name: "inertia", value: distances.reduce(0) { $0 + $1 * $1 })] : []
        let sample = KMeansEstimator.sample(rows: clusters.count, size: silhouetteSample, seed: seed)
        if let v = ClusteringMetrics.silhouette(x, columns: d, labels: clusters, rows: sample) { out.append(MetricValue(name: "silhouette", value: v)) }
        if let v = ClusteringMetrics.calinskiHarabasz(x, columns: d, labels: clusters) { out.append(MetricValue(name: "calinski_harabasz", value: v)) }
        if let v = ClusteringMetrics.daviesBouldin(x, columns: d, labels: clusters) { out.append(MetricValue(name: "davies_bouldin", value: v)) }
        return out
    }

    /// The true and predicted values of the rows of `frame` that have a target value, aligned.
    /// Classification labels become indices into the model's classes; a label the model never saw
    /// gets one extra class, "(unseen)", with probability 0.
    public static func outcomes(_ predictions: Predictions, frame: Frame, target: String) throws(LearnError) -> Outcomes {
        if case .clustering(let clusters, _, _) = predictions { return try clusteringOutcomes(clusters, frame: frame, label: target) }
        if case .anomaly(let scores, let flagged, _) = predictions { return try anomalyOutcomes(scores, flagged, frame: frame, label: target) }
        guard let column = frame.columns.first(where: { $0.name == target }) else {
            throw .unknownTarget(target, available: frame.names)
        }
        let rows = (0..<frame.rowCount).filter { column.isValid($0) }
        guard !rows.isEmpty else { throw .emptyTrainingData }
        switch predictions {
        case .regression(let p):
            guard let y = column.doubles() else {
                throw .badTarget(target, reason: "it is \(column.type.rawValue), but the model predicts numbers")
            }
            return .regression(actual: rows.map { y[$0] }, predicted: rows.map { p[$0] })
        case .classification(let classes, let predicted, let probabilities):
            let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
            let k = classes.count
            let yTrue = rows.map { index[column.value(at: $0).description] ?? k }
            let unseen = yTrue.contains(k)
            return .classification(classes: classes + (unseen ? ["(unseen)"] : []), truth: yTrue, predicted: rows.map { predicted[$0] },
                                   probabilities: rows.map { probabilities[$0] + (unseen ? [0] : []) })
        case .clustering(let clusters, _, _): return try clusteringOutcomes(clusters, frame: frame, label: target)
        case .anomaly(let scores, let flagged, _): return try anomalyOutcomes(scores, flagged, frame: frame, label: target)
        case .recommendation:
            throw .badTarget(target, reason: "recommendations are measured against held-out interactions (recommendationOutcomes), not a target column")
        }
    }

    /// A recommender measured on interactions `frame` (its user and item columns, and rating for
    /// explicit feedback): every interaction is held out, each user gets their top `k`.
    public static func recommendationOutcomes(_ model: any RecommenderModel, frame: Frame, k: Int) throws(LearnError) -> Outcomes {
        let raw = try Interactions.raw(frame, roles: InteractionRoles(model.parameters), model: model.kind)
        guard !raw.users.isEmpty else { throw .emptyTrainingData }
        return RecommendationMetrics.outcomes(model, raw: raw, test: Array(raw.users.indices), k: k, explicit: model.explicitRatings)
    }

    /// The values of a label column that mean "an anomaly" when it holds text (case ignored); a
    /// number or true/false column counts any non-zero or true value.
    public static let anomalyWords: Set<String> = ["1", "true", "yes", "y", "t", "anomaly", "anomalous", "outlier", "abnormal", "fraud", "attack", "-1"]

    /// Scores and flags with the known answers of the rows that have one (`label`; none when empty).
    static func anomalyOutcomes(_ scores: [Double], _ flagged: [Bool], frame: Frame, label: String) throws(LearnError) -> Outcomes {
        guard !label.isEmpty else { return .anomaly(scores: scores, flagged: flagged, truth: nil) }
        guard let column = frame.columns.first(where: { $0.name == label }) else { throw .unknownTarget(label, available: frame.names) }
        let rows = (0..<frame.rowCount).filter { column.isValid($0) }
        let truth: [Bool]
        if let numbers = column.doubles() {
            truth = rows.map { numbers[$0] != 0 }
        } else {
            let text = rows.map { column.value(at: $0).description.lowercased() }
            let distinct = Set(text)
            guard distinct.count <= 2, distinct.contains(where: { anomalyWords.contains($0) }) || distinct.count == 1 else {
                throw .badTarget(label, reason: "its values (" + distinct.sorted().prefix(5).joined(separator: ", ")
                                 + ") do not say which rows are anomalies; use 1/0, true/false or anomaly/normal")
            }
            truth = text.map { anomalyWords.contains($0) }
        }
        return .anomaly(scores: rows.map { scores[$0] }, flagged: rows.map { flagged[$0] }, truth: truth)
    }

    /// Clusters with the known groups of the rows that have one (`label`; none when empty).
    static func clusteringOutcomes(_ clusters: [Int], frame: Frame, label: String) throws(LearnError) -> Outcomes {
        guard !label.isEmpty else { return .clustering(clusters: clusters, groups: [], truth: [], labelled: []) }
        guard let column = frame.columns.first(where: { $0.name == label }) else { throw .unknownTarget(label, available: frame.names) }
        let rows = (0..<frame.rowCount).filter { column.isValid($0) }
        let values = rows.map { column.value(at: $0).description }
        let groups = Array(Set(values)).sorted()
        let index = Dictionary(uniqueKeysWithValues: groups.enumerated().map { ($1, $0) })
        return .clustering(clusters: clusters, groups: groups, truth: values.map { index[$0]! }, labelled: rows.map { clusters[$0] })
    }

    /// Metrics where a smaller value is better: losses, errors and the Davies-Bouldin index.
    public static let smallerIsBetter: Set<String> = [
        "rmse", "mae", "mse", "median_absolute_error", "max_error", "mape", "smape", "rmsle", "log_loss", "brier", "davies_bouldin", "inertia",
        "l2", "l1", "huber", "quantile", "poisson", "binary_logloss", "multi_logloss", "error",
    ]

    /// Whether a larger value of `metric` is better.
    public static func higherIsBetter(_ metric: String) -> Bool { !smallerIsBetter.contains(metric) }

    public static func regression(_ y: [Double], _ p: [Double]) -> [MetricValue] {
        typealias R = RegressionMetrics
        var out: [MetricValue] = []
        func add(_ name: String, _ f: () throws(MetricError) -> Double) {
            if let v = try? f() { out.append(MetricValue(name: name, value: v)) }
        }
        add("rmse") { () throws(MetricError) in try R.rootMeanSquaredError(y, p) }
        add("mae") { () throws(MetricError) in try R.meanAbsoluteError(y, p) }
        add("r2") { () throws(MetricError) in try R.r2(y, p) }
        add("mse") { () throws(MetricError) in try R.meanSquaredError(y, p) }
        add("median_absolute_error") { () throws(MetricError) in try R.medianAbsoluteError(y, p) }
        add("explained_variance") { () throws(MetricError) in try R.explainedVariance(y, p) }
        add("max_error") { () throws(MetricError) in try R.maxError(y, p) }
        add("mape") { () throws(MetricError) in try R.meanAbsolutePercentageError(y, p) }
        add("smape") { () throws(MetricError) in try R.symmetricMeanAbsolutePercentageError(y, p) }
        add("rmsle") { () throws(MetricError) in try R.rootMeanSquaredLogError(y, p) }
        return out
    }

    public static func classification(_ y: [Int], _ p: [Int], _ probabilities: [[Double]], classCount k: Int) -> [MetricValue] {
        typealias C = ClassificationMetrics
        var out = [MetricValue(name: "accuracy", value: C.accuracy(y, p)),
                   MetricValue(name: "balanced_accuracy", value: C.balancedAccuracy(y, p, classCount: k))]
        if k == 2 {
            let prf = C.precisionRecallF(y, p, classCount: 2, average: .binary(positive: 1))
            out += [MetricValue(name: "precision", value: prf.precision), MetricValue(name: "recall", value: prf.recall),
                    MetricValue(name: "f1", value: prf.f)]
            let positive = y.map { $0 == 1 }, score = probabilities.map { $0[1] }
            if let auc = RankingMetrics.rocAUC(positive, score) { out.append(MetricValue(name: "roc_auc", value: auc)) }
            if let ap = RankingMetrics.averagePrecision(positive, score) { out.append(MetricValue(name: "average_precision", value: ap)) }
            out.append(MetricValue(name: "brier", value: C.brierScore(y, positiveProbability: score)))
        } else if let auc = RankingMetrics.rocAUC(y, probabilities: probabilities, classCount: k, average: .macro) {
            out.append(MetricValue(name: "roc_auc_ovr_macro", value: auc))
        }
        for (name, avg) in [("macro", Averaging.macro), ("weighted", .weighted)] {
            let prf = C.precisionRecallF(y, p, classCount: k, average: avg)
            out += [MetricValue(name: "precision_\(name)", value: prf.precision), MetricValue(name: "recall_\(name)", value: prf.recall),
                    MetricValue(name: "f1_\(name)", value: prf.f)]
        }
        out += [MetricValue(name: "log_loss", value: C.logLoss(y, probabilities: probabilities)),
                MetricValue(name: "mcc", value: C.matthews(y, p, classCount: k)),
                MetricValue(name: "cohen_kappa", value: C.cohenKappa(y, p, classCount: k))]
        return out
    }
}
