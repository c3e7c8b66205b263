import Foundation
import Testing

/// `pulk train|predict|score|evaluate` with a clustering model: no target, an optional --label of
/// known groups, cluster ids and distances out, and the misuses a user makes first.
@Suite("Clustering: end to end")
struct ClusteringCLITests {
    let cli = PulkCLI()

    @Test func trainPredictScoreEvaluate() throws {
        let trained = try PulkCLI.object(try cli.ok(["train", "--data", cli.penguins, "--model", "kmeans", "--label", "species", "--param", "k=3",
                                                     "--out", "km.pulk", "--json"]))
        let report = try #require(trained["report"] as? [String: Any])
        #expect(report["task"] as? String == "clustering")
        let metrics = Dictionary(uniqueKeysWithValues: (report["metrics"] as? [[String: Any]] ?? []).map { ($0["name"] as! String, $0["value"] as! Double) })
        for name in ["inertia", "silhouette", "calinski_harabasz", "davies_bouldin", "adjusted_rand", "normalized_mutual_info"] {
            #expect(metrics[name] != nil, "\(name) missing from \(metrics.keys.sorted())")
        }
        #expect((metrics["adjusted_rand"] ?? 0) > 0.5, "three clusters of penguins follow the species")
        let clusters = try #require(report["clusters"] as? [[String: Any]])
        #expect(clusters.count == 3 && clusters.reduce(0) { $0 + ($1["size"] as! Int) } == 344)
        #expect(trained["run_id"] as? String != nil)
        // The label is no feature.
        #expect(!(report["features"] as? [String] ?? []).contains { $0.hasPrefix("species") })

        let out = cli.dir.appendingPathComponent("p.csv").path
        _ = try cli.ok(["predict", "--model", "km.pulk", "--data", cli.penguins, "--out", out])
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "prediction,distance" && lines.count == 345)
        let scored = cli.dir.appendingPathComponent("s.csv").path
        _ = try cli.ok(["score", "--model", "km.pulk", "--data", cli.penguins, "--out", scored])
        #expect(try String(contentsOfFile: scored, encoding: .utf8) == String(contentsOfFile: out, encoding: .utf8), "score and predict agree")

        let evaluated = try PulkCLI.object(try cli.ok(["evaluate", "--model", "km.pulk", "--data", cli.penguins, "--label", "species", "--json"]))
        let names = (evaluated["metrics"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(names.contains("silhouette") && names.contains("adjusted_rand"))
    }

    @Test(arguments: [
        (["--model", "kmeans", "--target", "species"], "use --label species"),
        (["--model", "gbdt", "--label", "species"], "--target is required"),
        (["--model", "kmeans", "--label", "nope"], "no target column 'nope'"),
        (["--model", "kmeans", "--task", "binary"], "--task binary does not apply"),
        (["--model", "isolation-forest", "--label", "species"], "do not say which rows are anomalies"),
        (["--model", "kmeans", "--cv", "3"], "--cv, --seeds and --test-data do not apply"),
        (["--model", "kmeans", "--param", "k=1000"], "at most the 344 training rows"),
        (["--model", "hdbscan", "--param", "min_samples=1000"], "at most the 344 training rows"),
    ])
    func misuseIsAClearError(args: [String], message: String) throws {
        let r = try cli.run(["train", "--data", cli.penguins, "--no-track", "--out", "x.pulk"] + args)
        #expect(r.status != 0)
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }

    /// HDBSCAN from the command line: clusters found without a radius, noise counted, the model
    /// predicting and scoring alike.
    @Test func densityClustersWithoutARadius() throws {
        let trained = try PulkCLI.object(try cli.ok(["train", "--data", cli.penguins, "--model", "hdbscan", "--label", "species",
                                                     "--param", "min_cluster_size=15", "--out", "h.pulk", "--json"]))
        let report = try #require(trained["report"] as? [String: Any])
        let metrics = Dictionary(uniqueKeysWithValues: (report["metrics"] as? [[String: Any]] ?? []).map { ($0["name"] as! String, $0["value"] as! Double) })
        #expect((metrics["clusters"] ?? 0) >= 2 && metrics["noise_share"] != nil && metrics["inertia"] == nil, "\(metrics)")
        #expect((metrics["adjusted_rand"] ?? 0) > 0.3, "the clusters follow the species: \(metrics)")
        let out = cli.dir.appendingPathComponent("h.csv").path, scored = cli.dir.appendingPathComponent("hs.csv").path
        _ = try cli.ok(["predict", "--model", "h.pulk", "--data", cli.penguins, "--out", out])
        _ = try cli.ok(["score", "--model", "h.pulk", "--data", cli.penguins, "--out", scored])
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "prediction,distance" && lines.count == 345)
        #expect(try String(contentsOfFile: scored, encoding: .utf8) == String(contentsOfFile: out, encoding: .utf8), "score and predict agree")
    }

    @Test func anomalyDetectionEndToEnd() throws {
        let data = cli.file("readings.csv", "sensor,reading,known\n" + (0..<200).map { "s\($0 % 4),\(Double($0 % 17) / 10),0" }.joined(separator: "\n")
                            + "\ns1,95.5,1\ns2,-80,1\n")
        let trained = try PulkCLI.object(try cli.ok(["train", "--data", data, "--model", "isolation-forest", "--label", "known", "--param", "contamination=0.01",
                                                     "--out", "if.pulk", "--json"]))
        let report = try #require(trained["report"] as? [String: Any])
        #expect(report["task"] as? String == "anomaly")
        let metrics = Dictionary(uniqueKeysWithValues: (report["metrics"] as? [[String: Any]] ?? []).map { ($0["name"] as! String, $0["value"] as! Double) })
        #expect(metrics["roc_auc"] == 1 && metrics["recall"] == 1, "\(metrics)")
        let flagged = try #require(report["anomalies"] as? [[String: Any]])
        #expect(Set(flagged.prefix(2).compactMap { $0["row"] as? Int }) == [200, 201])
        let out = cli.dir.appendingPathComponent("a.csv").path
        _ = try cli.ok(["score", "--model", "if.pulk", "--data", data, "--out", out])
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "prediction,score" && lines.count == 203 && lines.last!.hasPrefix("1,"))
    }
}
