import Foundation
public import PulkFrame

/// A fitted model that groups rows around centers: what clustering metrics and profiles need
/// beside its predictions.
public protocol ClusterModel: Model {
    /// The number of clusters.
    var clusterCount: Int { get }
    /// The rows of `frame` as the model measures them (after its preprocessing): row-major
    /// `rows × names.count`, with the design columns' names.
    func points(_ frame: Frame) throws(LearnError) -> (values: [Double], names: [String])
    /// Whether a row's distance is to its cluster's center, so their squares sum to an inertia
    /// (not for density clusters, whose distance is to the nearest core row).
    var hasCenters: Bool { get }
}

extension ClusterModel {
    public var hasCenters: Bool { true }
    public var target: TargetInfo { TargetInfo(name: "", task: .clustering, classes: nil) }
}

/// A clustering model that measures rows after its own preprocessing, in the design columns `names`.
protocol PreprocessedClusterModel: ClusterModel {
    var names: [String] { get }
}

extension PreprocessedClusterModel {
    func points(_ frame: Frame) throws(LearnError) -> (values: [Double], names: [String]) {
        _ = try schema.columns(of: frame)
        return (try pipeline!.transform(frame).rowMajor(), names)
    }
}

/// How a number of clusters was chosen (`n_clusters=0`): each candidate's scores, and the choice.
public struct ClusterCountChoice: Sendable, Codable, Equatable {
    public var candidates: [Int]
    public var silhouette: [Double]
    public var calinskiHarabasz: [Double]
    public var daviesBouldin: [Double]
    public var inertia: [Double]
    public var chosen: Int
    /// What chose it: silhouette (highest), calinski_harabasz (highest) or davies_bouldin (lowest).
    public var criterion: String = "silhouette"

    /// The values of the criterion, per candidate.
    public var scores: [Double] {
        switch criterion {
        case "calinski_harabasz": return calinskiHarabasz
        case "davies_bouldin": return daviesBouldin
        default: return silhouette
        }
    }

    /// The index of the best candidate by `criterion` (ties: fewer clusters; a score that could not
    /// be computed never wins).
    func best() -> Int {
        let lower = criterion == "davies_bouldin"
        let values = scores.map { $0.isNaN ? (lower ? Double.infinity : -Double.infinity) : $0 }
        return values.indices.min { a, b in
            let (x, y) = (values[a], values[b])
            return (lower ? x < y : x > y) || (x == y && a < b)
        }!
    }
}

/// A model that chose its number of clusters from a range.
public protocol ProvidesClusterCountChoice {
    var clusterCountChoice: ClusterCountChoice? { get }
}

/// k-means (scikit-learn's `KMeans`): k-means++ seeding, several restarts, Lloyd's iterations with
/// Hamerly's bounds, on the preprocessed features (numbers standardised by default, since distances
/// weigh every feature by its scale; categories one-hot).
public struct KMeansEstimator: Estimator {
    public static let name = "kmeans"
    public static let summary = "k-means clustering (k-means++ seeding, restarts, Lloyd or Hamerly iterations); n_clusters=0 chooses k by silhouette."
    public static let task = Task.clustering
    public static let parameterSpecs: [ParameterSpec] = [
        ParameterSpec("n_clusters", aliases: ["k"], .int(0...10_000), default: .int(8),
                      doc: "Clusters to find; 0 tries every k from 2 to max_clusters and keeps the best by choose_k_by (the curves are recorded)."),
        ParameterSpec("choose_k_by", .choice(["silhouette", "calinski_harabasz", "davies_bouldin"]), default: .string("silhouette"),
                      doc: "With n_clusters=0: the highest silhouette, the highest Calinski-Harabasz index or the lowest Davies-Bouldin index."),
        ParameterSpec("max_clusters", .int(2...200), default: .int(10), doc: "The largest k tried when n_clusters=0."),
        ParameterSpec("n_init", aliases: ["restarts"], .int(1...1000), default: .int(3), doc: "Runs from different seeds; the one with the lowest inertia is kept."),
        ParameterSpec("max_iter", .int(1...100_000), default: .int(300), doc: "Iterations per run at most."),
        ParameterSpec("tol", .double(lower: 0, upper: .infinity), default: .double(1e-4),
                      doc: "Stop when the centers' total squared shift is at most tol × the mean feature variance (scikit-learn's tol)."),
        ParameterSpec("init", .choice(KMeansEngine.Seeding.allCases.map(\.rawValue)), default: .string("k-means++"),
                      doc: "k-means++ (spread-out seeds, scikit-learn's greedy variant) or random rows."),
        ParameterSpec("algorithm", .choice(KMeansEngine.Algorithm.allCases.map(\.rawValue)), default: .string("hamerly"),
                      doc: "hamerly (the same result as lloyd, skipping distances that cannot change a row's cluster), lloyd, or minibatch (random batches of batch_size rows: for large data, a slightly higher inertia; max_iter counts passes over the data)."),
        ParameterSpec("batch_size", .int(1...10_000_000), default: .int(1024), doc: "Rows per batch with algorithm=minibatch."),
        ParameterSpec("reassignment_ratio", .double(lower: 0, upper: 1), default: .double(0.01),
                      doc: "With algorithm=minibatch: a center holding fewer rows than this share of the largest cluster's is moved onto a random row of a batch (scikit-learn's reassignment_ratio); 0 never moves one."),
        ParameterSpec("silhouette_sample", .int(100...1_000_000), default: .int(5000),
                      doc: "Rows (a seeded sample) the silhouette is measured on when choosing k; it costs the square of this."),
    ] + unsupervisedFeaturizationSpecs
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }

    public static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model { try KMeansModel.restore(h, s, file: file) }

    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        let training = frame.withoutLabel(target)
        guard training.rowCount > 0 else { throw .emptyTrainingData }
        let (pipeline, x) = try featurizeUnsupervised(training, parameters: parameters)
        let rows = x.rows, d = x.columns
        let rowMajor = x.rowMajor()
        var options = KMeansEngine.Options(k: 1, restarts: parameters.int("n_init"), maxIterations: parameters.int("max_iter"),
                                           tolerance: parameters.double("tol"), algorithm: KMeansEngine.Algorithm(rawValue: parameters.string("algorithm"))!,
                                           seeding: KMeansEngine.Seeding(rawValue: parameters.string("init"))!, seed: seed)
        options.batchSize = parameters.int("batch_size")
        options.reassignmentRatio = parameters.double("reassignment_ratio")
        let asked = parameters.int("n_clusters")
        var choice: ClusterCountChoice?
        let result: KMeansEngine.Result
        if asked == 0 {
            let top = min(parameters.int("max_clusters"), rows - 1)
            guard top >= 2 else { throw .badParameterValue(model: Self.name, name: "n_clusters", value: "0", expected: "at least 3 rows to choose k") }
            let sample = Self.sample(rows: rows, size: parameters.int("silhouette_sample"), seed: seed)
            var fits: [KMeansEngine.Result] = []
            var c = ClusterCountChoice(candidates: Array(2...top), silhouette: [], calinskiHarabasz: [], daviesBouldin: [], inertia: [], chosen: 2,
                                       criterion: parameters.string("choose_k_by"))
            for k in 2...top {
                options.k = k
                let r = KMeansEngine.fit(rowMajor, rows: rows, columns: d, options: options)
                let labels = r.labels.map(Int.init)
                c.silhouette.append(ClusteringMetrics.silhouette(rowMajor, columns: d, labels: labels, rows: sample) ?? .nan)
                c.calinskiHarabasz.append(ClusteringMetrics.calinskiHarabasz(rowMajor, columns: d, labels: labels) ?? .nan)
                c.daviesBouldin.append(ClusteringMetrics.daviesBouldin(rowMajor, columns: d, labels: labels) ?? .nan)
                c.inertia.append(r.inertia)
                fits.append(r)
            }
            let best = c.best()
            c.chosen = c.candidates[best]
            choice = c
            result = fits[best]
        } else {
            guard asked <= rows else {
                throw .badParameterValue(model: Self.name, name: "n_clusters", value: String(asked), expected: "at most the \(rows) training rows")
            }
            options.k = asked
            result = KMeansEngine.fit(rowMajor, rows: rows, columns: d, options: options)
        }
        return KMeansModel(parameters: parameters, schema: FeatureSchema(frame: training, excluding: ""), pipeline: pipeline,
                           centers: result.centers, names: x.names, inertia: result.inertia, iterations: result.iterations,
                           clusterCountChoice: choice)
    }

    /// Up to `size` distinct rows, seeded (all rows when there are no more).
    static func sample(rows: Int, size: Int, seed: UInt64) -> [Int]? {
        guard rows > size else { return nil }
        var rng = SeededGenerator(seed: seed ^ 0x5111_0E77)
        var all = Array(0..<rows)
        for i in 0..<size { all.swapAt(i, i + Int(rng.next() % UInt64(rows - i))) }
        return all[..<size].sorted()
    }
}

struct KMeansModel: PreprocessedClusterModel, ProvidesClusterCountChoice {
    var kind: String { KMeansEstimator.name }
    let parameters: Parameters
    let schema: FeatureSchema
    let pipeline: FeaturePipeline?
    /// Row-major, `k × names.count`, in the preprocessed space.
    let centers: [Double]
    let names: [String]
    let inertia: Double
    let iterations: Int
    let clusterCountChoice: ClusterCountChoice?

    var clusterCount: Int { names.isEmpty ? 0 : centers.count / names.count }

    func predict(_ frame: Frame) throws(LearnError) -> Predictions {
        let (x, _) = try points(frame)
        let n = frame.rowCount, d = names.count
        let (labels, squared) = x.withUnsafeBufferPointer { KMeansEngine.assign($0, rows: n, columns: d, centers: centers, k: clusterCount) }
        return .clustering(clusters: labels.map(Int.init), distances: squared.map { $0.squareRoot() })
    }

    var state: ModelState {
        var s = ModelState(doubles: ["centers": centers, "inertia": [inertia]], ints: ["iterations": [Int64(iterations)]])
        if let c = clusterCountChoice {
            s.ints["choice_candidates"] = c.candidates.map(Int64.init)
            s.ints["choice_chosen"] = [Int64(c.chosen)]
            s.doubles["choice_silhouette"] = c.silhouette
            s.doubles["choice_calinski_harabasz"] = c.calinskiHarabasz
            s.doubles["choice_davies_bouldin"] = c.daviesBouldin
            s.doubles["choice_inertia"] = c.inertia
        }
        return s
    }

    static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model {
        guard let pipeline = h.pipeline else { throw .corruptModelFile(file, reason: "the preprocessing is missing") }
        let centers = try s.double("centers", file: file)
        let names = pipeline.outputNames
        guard !names.isEmpty, !centers.isEmpty, centers.count % names.count == 0, centers.allSatisfy(\.isFinite) else {
            throw .corruptModelFile(file, reason: "the cluster centers do not match the preprocessing")
        }
        var choice: ClusterCountChoice?
        if let candidates = s.ints["choice_candidates"] {
            let m = candidates.count
            let series = try ["choice_silhouette", "choice_calinski_harabasz", "choice_davies_bouldin", "choice_inertia"].map { name throws(LearnError) in
                let v = try s.double(name, file: file)
                guard v.count == m else { throw .corruptModelFile(file, reason: "\(name) does not have one value per candidate") }
                return v
            }
            choice = ClusterCountChoice(candidates: candidates.map { Int(clamping: $0) }, silhouette: series[0], calinskiHarabasz: series[1],
                                        daviesBouldin: series[2], inertia: series[3], chosen: Int(clamping: try s.int("choice_chosen", file: file).first ?? 0),
                                        criterion: h.parameters.string("choose_k_by"))
        }
        return KMeansModel(parameters: h.parameters, schema: h.schema, pipeline: pipeline, centers: centers, names: names,
                           inertia: s.doubles["inertia"]?.first ?? .nan, iterations: Int(clamping: s.ints["iterations"]?.first ?? 0),
                           clusterCountChoice: choice)
    }
}

extension Frame {
    /// Every column but `label` (a column of known answers, never a feature of a model without a
    /// target); the frame itself when `label` is empty or not one of its columns.
    func withoutLabel(_ label: String) -> Frame {
        guard !label.isEmpty, names.contains(label) else { return self }
        // Columns of a frame have distinct names and equal lengths, so a subset is a frame.
        return (try? select(names.filter { $0 != label })) ?? self
    }
}

extension DesignMatrix {
    /// The values row by row (`[i * columns + j]`), as distance computations read them.
    public func rowMajor() -> [Double] {
        let n = rows, d = columns
        var out = [Double](repeating: 0, count: n * d)
        values.withUnsafeBufferPointer { v in
            out.withUnsafeMutableBufferPointer { o in
                for j in 0..<d {
                    let col = v.baseAddress! + j * n
                    for i in 0..<n { o[i * d + j] = col[i] }
                }
            }
        }
        return out
    }
}
