import Foundation
import Testing
@testable import PulkFrame
@testable import PulkLearn
import PulkTestSupport

/// k-means and the clustering metrics: crafted data with known answers, and parity with
/// scikit-learn's `KMeans` and `sklearn.metrics` on real datasets.
@Suite("Clustering")
struct ClusteringTests {
    /// Three tight blobs far apart, `per` rows each (x, y), in a shuffled order.
    static func blobs(per: Int = 30, seed: UInt64 = 1) -> (frame: Frame, groups: [Int]) {
        var rng = SeededGenerator(seed: seed)
        let centers: [(Double, Double)] = [(0, 0), (10, 10), (-10, 10)]
        var rows: [(Double, Double, Int)] = []
        for (g, c) in centers.enumerated() {
            for _ in 0..<per { rows.append((c.0 + Double.random(in: -1...1, using: &rng), c.1 + Double.random(in: -1...1, using: &rng), g)) }
        }
        rows.shuffle(using: &rng)
        let frame = try! Frame(columns: [
            Column(name: "a", storage: .float64(rows.map(\.0))), Column(name: "b", storage: .float64(rows.map(\.1))),
            Column(name: "group", storage: .string(codes: rows.map { Int32($0.2) }, dictionary: ["p", "q", "r"])),
        ])
        return (frame, rows.map(\.2))
    }

    @Test(arguments: ["lloyd", "hamerly"])
    func findsSeparatedBlobs(algorithm: String) throws {
        let (frame, groups) = Self.blobs()
        let model = try KMeansEstimator(["k": "3", "algorithm": algorithm]).fit(frame, target: "group", seed: 4)
        #expect(model.schema.features.map(\.name) == ["a", "b"], "the label column is no feature")
        guard case .clustering(let clusters, let distances) = try model.predict(frame) else { Issue.record("clustering expected"); return }
        #expect(ClusteringMetrics.adjustedRand(groups, clusters) == 1)
        #expect(ClusteringMetrics.normalizedMutualInformation(groups, clusters) > 0.999999)
        #expect(distances.allSatisfy { $0 >= 0 && $0 < 1.5 }, "standardised distances to a blob's center are small")
    }

    /// Hamerly's bounds skip work but never change the result: the same labels, centers and inertia.
    @Test func hamerlyEqualsLloyd() {
        var rng = SeededGenerator(seed: 9)
        let n = 3000, d = 5
        let x = (0..<(n * d)).map { i in Double.random(in: 0...1, using: &rng) + (i / d % 4 == 0 ? 3 : 0) }
        let a = KMeansEngine.fit(x, rows: n, columns: d, options: .init(k: 7, restarts: 2, algorithm: .lloyd, seed: 3))
        let b = KMeansEngine.fit(x, rows: n, columns: d, options: .init(k: 7, restarts: 2, algorithm: .hamerly, seed: 3))
        #expect(a.labels == b.labels)
        #expect(abs(a.inertia - b.inertia) <= 1e-9 * a.inertia)
        #expect(a.restartInertias.count == 2 && a.inertia == a.restartInertias.min())
    }

    @Test func choosesTheNumberOfClustersBySilhouette() throws {
        let (frame, _) = Self.blobs()
        let model = try KMeansEstimator(["n_clusters": "0", "max_clusters": "6"]).fit(frame, target: "group", seed: 1)
        let choice = try #require((model as? any ProvidesClusterCountChoice)?.clusterCountChoice)
        #expect(choice.chosen == 3 && choice.candidates == [2, 3, 4, 5, 6])
        #expect((model as! any ClusterModel).clusterCount == 3)
        // The choice travels in the model file.
        let back = try ModelFile.decode(ModelFile.encode(model))
        #expect((back as? any ProvidesClusterCountChoice)?.clusterCountChoice == choice)
    }

    @Test(arguments: [
        (["k": "100"], "at most the 90 training rows"),
        (["k": "0", "max_clusters": "2"], ""),
        (["k": "-1"], "an integer in 0…10000"),
    ])
    func parameterEdges(given: [String: String], message: String) throws {
        let (frame, _) = Self.blobs()
        do {
            let model = try KMeansEstimator(given).fit(frame, target: "", seed: 0)
            #expect(message.isEmpty, "expected an error naming \(message)")
            #expect((model as! any ClusterModel).clusterCount == 2)
        } catch {
            #expect(!message.isEmpty && error.description.contains(message), "\(error)")
        }
    }

    @Test func constantDataIsAClearError() throws {
        let frame = try Frame(columns: [Column(name: "a", storage: .float64([1, 1, 1, 1]))])
        #expect(throws: LearnError.self) { try KMeansEstimator(["k": "2"]).fit(frame, target: "", seed: 0) }
    }

    @Test func oneClusterPerRowAndOneCluster() throws {
        let (frame, _) = Self.blobs(per: 2)
        for k in [1, 6] {
            let model = try KMeansEstimator(["k": String(k)]).fit(frame, target: "group", seed: 0)
            guard case .clustering(let clusters, let distances) = try model.predict(frame) else { return }
            #expect(Set(clusters).count == k)
            if k == 6 { #expect(distances.allSatisfy { $0 < 1e-12 }) }
        }
    }

    /// A trainer run: metrics on the data, against the label, and each cluster's profile.
    @Test func trainerReportsMetricsAndProfiles() throws {
        let (frame, _) = Self.blobs()
        let trainer = Trainer(estimator: try KMeansEstimator(["k": "3"]), seed: 2)
        let (_, report, outcomes) = try trainer.runWithHoldout(frame, target: "group")
        let names = Set(report.metrics.map(\.name))
        #expect(names == ["inertia", "silhouette", "calinski_harabasz", "davies_bouldin", "clusters", "adjusted_rand", "normalized_mutual_info"])
        #expect(report.metrics.first { $0.name == "adjusted_rand" }?.value == 1)
        #expect(report.task == .clustering && report.testRows == 0 && report.trainRows == 90)
        let profiles = try #require(report.clusters)
        #expect(profiles.map(\.size).sorted() == [30, 30, 30])
        // The cluster around (10, 10) stands out by a high b, reported in the data's own units.
        let high = try #require(profiles.first { $0.distinguishing.contains { $0.feature == "b" && $0.clusterMean > 9 } })
        #expect(high.distinguishing.first { $0.feature == "b" }!.effect > 0)
        guard case .clustering(_, let groups, _, _) = outcomes else { Issue.record("clustering outcomes"); return }
        #expect(groups == ["p", "q", "r"])
        var cv = trainer
        cv.folds = 3
        #expect(throws: LearnError.self) { try cv.runWithHoldout(frame, target: "group") }
    }

    struct OracleInput: Encodable {
        var x: [[Double]]
        var labels: [Int]?
        var truth: [Int]?
        var k: Int?
        var n_init: Int = 10
        var seed: Int = 0
    }

    func rows(_ x: [Double], _ d: Int) -> [[Double]] { stride(from: 0, to: x.count, by: d).map { Array(x[$0..<($0 + d)]) } }

    /// The metrics equal scikit-learn's on the same rows and labels, and k-means' inertia is within
    /// 1% of scikit-learn's `KMeans` with the same k and restarts, on the same design matrix (iris:
    /// raw numbers; penguins: missing values, categories and standardised numbers).
    @Test(arguments: [("iris", "target", 3, "none"), ("penguins", "species", 3, "standard"), ("penguins", "species", 6, "standard")])
    func matchesScikitLearn(dataset: String, label: String, k: Int, scale: String) throws {
        guard let dir = ProcessInfo.processInfo.environment["PULK_DATASETS"], ProcessInfo.processInfo.environment["PULK_PYTHON"] != nil,
              FileManager.default.fileExists(atPath: "\(dir)/\(dataset).csv") else { return }
        let frame = try CSVReader().read(path: "\(dir)/\(dataset).csv").0
        let model = try KMeansEstimator(["k": String(k), "n_init": "10", "scale": scale]).fit(frame, target: label, seed: 0)
        let cm = model as! any ClusterModel
        let (x, names) = try cm.points(frame)
        guard case .clustering(let clusters, let distances) = try model.predict(frame) else { return }
        let truth = try Evaluation.outcomes(.clustering(clusters: clusters, distances: distances), frame: frame, target: label)
        guard case .clustering(_, _, let known, let labelled) = truth else { return }
        #expect(known.count == frame.rowCount, "every row has a label in \(dataset)")
        let theirs = try runOracle("clustering_oracle.py", OracleInput(x: rows(x, names.count), labels: clusters, truth: known, k: k)) as! [String: Double]
        let mine = Dictionary(uniqueKeysWithValues: try Evaluation.clusteringMetrics(cm, frame: frame, clusters: clusters, distances: distances)
            .map { ($0.name, $0.value) })
        for name in ["silhouette", "calinski_harabasz", "davies_bouldin"] {
            #expect(abs(mine[name]! - theirs[name]!) <= 1e-9 * max(1, abs(theirs[name]!)), "\(dataset) \(name): \(mine[name]!) vs \(theirs[name]!)")
        }
        #expect(abs(ClusteringMetrics.adjustedRand(known, labelled) - theirs["adjusted_rand"]!) < 1e-12)
        #expect(abs(ClusteringMetrics.normalizedMutualInformation(known, labelled) - theirs["normalized_mutual_info"]!) < 1e-12)
        let inertia = mine["inertia"]!
        #expect(inertia <= theirs["inertia"]! * 1.01, "\(dataset) k=\(k): inertia \(inertia) vs scikit-learn's \(theirs["inertia"]!)")
    }
}
