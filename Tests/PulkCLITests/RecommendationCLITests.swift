import Foundation
import Testing

/// `pulk train|predict|score|evaluate` with recommenders: interaction columns named with --user,
/// --item, --rating and --time, metrics at k beside the popularity baseline, top-k lists out.
@Suite("Recommendation: end to end")
struct RecommendationCLITests {
    let cli = PulkCLI()

    /// 30 users in two tastes over 10 items, 4 interactions each at times 1…4.
    func interactions() -> String {
        var lines = ["who,what,stars,when"]
        for u in 0..<30 {
            let base = u < 15 ? 0 : 5
            for (t, i) in (0..<5).filter({ $0 != u % 5 }).enumerated() { lines.append("u\(u),item\(base + i),\(1 + (u + i) % 5),\(t + 1)") }
        }
        return cli.file("interactions.csv", lines.joined(separator: "\n") + "\n")
    }

    @Test(arguments: ["als", "item-knn", "popularity"])
    func trainPredictScoreEvaluate(model: String) throws {
        let data = interactions()
        let trained = try PulkCLI.object(try cli.ok(["train", "--data", data, "--model", model, "--user", "who", "--item", "what", "--rating", "stars",
                                                     "--time", "when", "--param", "top_k=3", "--out", "rec.pulk", "--json"]))
        let report = try #require(trained["report"] as? [String: Any])
        #expect(report["task"] as? String == "recommendation" && report["split"] as? String == "temporal")
        let metrics = Dictionary(uniqueKeysWithValues: (report["metrics"] as? [[String: Any]] ?? []).map { ($0["name"] as! String, $0["value"] as! Double) })
        for name in ["precision_at_3", "recall_at_3", "map_at_3", "ndcg_at_3", "hit_rate_at_3", "coverage_at_3"] {
            #expect(metrics[name] != nil, "\(name) missing from \(metrics.keys.sorted())")
        }
        #expect(metrics["users_evaluated"] == 30)
        let baselines = report["baselines"] as? [[String: Any]] ?? []
        #expect(baselines.first?["name"] as? String == "popularity")

        let users = cli.file("users.csv", "who\nu1\nu20\nstranger\n")
        let out = cli.dir.appendingPathComponent("p.csv").path
        _ = try cli.ok(["predict", "--model", "rec.pulk", "--data", users, "--out", out])
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.first == "prediction,scores,known_user" && lines.count == 4, "\(lines)")
        #expect(lines[3].hasSuffix(",0") && lines[1].hasSuffix(",1"), "an unknown user is said to be one")
        // u1 (items 0…4, missing item1) has seen everything else of its taste, which it never gets again.
        #expect(!lines[1].contains("item0 ") && !lines[1].hasPrefix("item0,"))
        let scored = cli.dir.appendingPathComponent("s.csv").path
        _ = try cli.ok(["score", "--model", "rec.pulk", "--data", users, "--out", scored])
        #expect(try String(contentsOfFile: scored, encoding: .utf8) == String(contentsOfFile: out, encoding: .utf8), "score and predict agree")

        let evaluated = try PulkCLI.object(try cli.ok(["evaluate", "--model", "rec.pulk", "--data", data, "--k", "5", "--json"]))
        let names = (evaluated["metrics"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(names.contains("ndcg_at_5") && names.contains("precision_at_5"), "\(names)")

        // The endpoint's three questions from the command line.
        let top = try PulkCLI.array(try cli.ok(["recommend", "--model", "rec.pulk", "--user", "u1", "--user", "stranger", "--k", "2", "--json"]))
        #expect(top.count == 2 && top[0]["known"] as? Bool == true && top[1]["known"] as? Bool == false && (top[0]["items"] as? [Any])?.count == 2, "\(top)")
        let seen = Set(["item0", "item2", "item3", "item4"])
        #expect(((top[0]["items"] as? [[String: Any]]) ?? []).allSatisfy { !seen.contains($0["item"] as? String ?? "") }, "u1's seen items are left out")
        let similar = try PulkCLI.array(try cli.ok(["recommend", "--model", "rec.pulk", "--similar-to", "item7", "--json"]))
        #expect(similar.first?["similar_to"] as? String == "item7" && (similar.first?["items"] as? [Any])?.isEmpty == false, "\(similar)")
        let pairs = try PulkCLI.array(try cli.ok(["recommend", "--model", "rec.pulk", "--user", "u1", "--items", "item1,nothing", "--json"]))
        let pairScores = pairs.first?["items"] as? [[String: Any]] ?? []
        #expect(pairScores.map { $0["item"] as? String } == ["item1", "nothing"] && pairScores.first?["score"] is Double && pairScores.last?["score"] is NSNull, "\(pairs)")
        let text = try cli.ok(["recommend", "--model", "rec.pulk", "--user", "stranger"]).stdout
        #expect(text.contains("unknown to the model") && text.contains("rank"), "\(text)")
        for (args, says) in [(["--user", "u1", "--similar-to", "item1"], "Give --user or --similar-to"), (["--user", "u1", "--user", "u2", "--items", "a"], "for one --user"),
                             (["--user", "u1", "--k", "0"], "--k must be from 1")] {
            let r = try cli.run(["recommend", "--model", "rec.pulk"] + args)
            #expect(r.status != 0 && r.stderr.contains(says), "\(r.stderr)")
        }
    }

    @Test(arguments: [
        (["--model", "als", "--user", "who", "--item", "what", "--target", "stars"], "learns from interactions, not a target"),
        (["--model", "als", "--user", "nobody", "--item", "what"], "user=nobody is invalid"),
        (["--model", "gbdt", "--target", "stars", "--user", "who"], "--user names a recommender's interaction column"),
        (["--model", "als", "--user", "who", "--item", "what", "--param", "feedback=explicit"], "a rating column for feedback=explicit"),
        (["--model", "als", "--user", "who", "--item", "what", "--split", "temporal"], "a temporal split needs the interactions' times"),
        (["--model", "als", "--user", "who", "--item", "what", "--split", "stratified"], "hold out interactions per user"),
        (["--model", "als", "--user", "who", "--item", "what", "--cv", "3"], "--cv and --seeds do not apply"),
        (["--model", "gbdt", "--target", "stars", "--split", "leave-one-out"], "for recommenders"),
    ])
    func misuseIsAClearError(args: [String], message: String) throws {
        let r = try cli.run(["train", "--data", interactions(), "--no-track", "--out", "x.pulk"] + args)
        #expect(r.status != 0)
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }
}
