import Foundation
import Testing

/// `pulk automl`: a search within budgets, a leaderboard, the best model written and recorded as a
/// parent run with a child run per trial, registered when asked; misuse refused with the fix.
@Suite("AutoML: end to end")
struct AutoMLCLITests {
    let cli = PulkCLI()

    /// 150 rows: a yes/no class from two numbers and a category, with noise.
    func data() -> String {
        var lines = ["a,b,colour,label"]
        var state: UInt64 = 5
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        for _ in 0..<150 {
            let a = next() * 4 - 2, b = next() * 4 - 2, colour = ["red", "green", "blue"][Int(next() * 3)]
            let yes = a + 0.5 * b + (colour == "red" ? 0.8 : 0) + next() * 2 - 1 > 0
            lines.append("\(a),\(b),\(colour),\(yes ? "yes" : "no")")
        }
        return cli.file("automl.csv", lines.joined(separator: "\n") + "\n")
    }

    @Test func searchesRecordsAndRegisters() throws {
        let data = data()
        let out = try PulkCLI.object(try cli.ok(["automl", "--data", data, "--target", "label", "--max-trials", "6", "--models", "gbdt,logistic,knn",
                                                 "--out", "best.pulk", "--register-as", "automl-best", "--experiment", "search", "--json"]))
        #expect(out["task"] as? String == "binary" && out["metric"] as? String == "roc_auc" && out["stop_reason"] as? String == "max trials")
        let board = out["leaderboard"] as? [[String: Any]] ?? []
        #expect(board.count == 6 && Set(board.compactMap { $0["model"] as? String }) == ["gbdt", "logistic", "knn"], "\(board)")
        let scores = board.compactMap { $0["score"] as? Double }
        #expect(scores == scores.sorted(by: >), "best first")
        #expect((out["trial_runs"] as? [String])?.count == 6 && out["registered_version"] as? String == "1")
        let runId = try #require(out["run_id"] as? String)
        // The winner is an ordinary model file, and the run holds it with the leaderboard.
        let predicted = cli.dir.appendingPathComponent("p.csv").path
        _ = try cli.ok(["predict", "--model", "best.pulk", "--data", data, "--out", predicted])
        #expect(try String(contentsOfFile: predicted, encoding: .utf8).hasPrefix("prediction,probability_no,probability_yes"))
        let run = try PulkCLI.object(try cli.ok(["runs", "show", runId, "--json"]))
        let params = run["params"] as? [String: String] ?? [:]
        #expect(params["metric"] == "roc_auc" && params["best_model"] != nil && params["validation"] == "10-fold stratified cross-validation", "\(params)")
        _ = try cli.ok(["predict", "--model", "automl-best:1", "--data", data, "--out", predicted])

        let text = try cli.ok(["automl", "--data", data, "--target", "label", "--max-trials", "3", "--models", "naive-bayes", "--no-track", "--out", "nb.pulk"]).stdout
        #expect(text.contains("Stopped: max trials after 3 trials") && text.contains("Best: trial") && text.contains("Wrote nb.pulk"), "\(text)")
    }

    /// Ctrl-C (SIGINT) stops the search after the trial in progress, and the best so far is kept.
    @Test func interruptKeepsTheBestSoFar() throws {
        let data = data()
        let log = cli.dir.appendingPathComponent("automl.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        let p = try cli.start(["automl", "--data", data, "--target", "label", "--time-budget", "120s", "--no-track", "--out", "interrupted.pulk"], output: output)
        // Waits for the first trial's line (an event, not a guess at timing), then interrupts.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("\n1  ") { Thread.sleep(forTimeInterval: 0.02) }
        p.interrupt()
        p.waitUntilExit()
        try output.close()
        let text = try String(contentsOf: log, encoding: .utf8)
        #expect(p.terminationStatus == 0 && text.contains("Stopped: cancelled"), "\(text)")
        #expect(FileManager.default.fileExists(atPath: cli.dir.appendingPathComponent("interrupted.pulk").path))
    }

    @Test(arguments: [
        (["--time-budget", "soon"], "--time-budget must be a positive time"),
        (["--cv", "3", "--holdout", "0.2"], "Give --cv or --holdout, not both"),
        (["--models", "kmeans"], "with a search space"),
        (["--models", "nothing"], "nothing"),
        (["--task", "ranking"], "--task ranking is not a task"),
        (["--metric", "rmse", "--max-trials", "2", "--models", "logistic"], "a metric of binary tasks"),
        (["--strategy", "grid"], "--strategy must be cost-frugal or random"),
    ])
    func misuseIsAClearError(args: [String], says: String) throws {
        let r = try cli.run(["automl", "--data", data(), "--target", "label", "--no-track", "--out", "x.pulk"] + args)
        #expect(r.status != 0 && r.stderr.contains(says), "\(r.stderr)")
    }

    /// A search started from the API and followed in a real browser: its page shows it queued, then
    /// (once the search ahead of it is cancelled and it runs) finished with its leaderboard, without a
    /// reload; the AutoML pages pass the layout and accessibility checks.
    @Test(.enabled(if: TrackedTrainingTests.chromium != nil && TrackedTrainingTests.python != nil))
    func livePageInABrowser() throws {
        let server = LiveServer(cli: cli)
        _ = try cli.ok(["data", "add", cli.penguins, "--name", "penguins", "--workspace", server.workspace])
        let started = try server.start()
        defer { started.terminate(); started.waitUntilExit() }
        func start(_ body: String) throws -> String {
            let reply = try LiveServer.curl(server.url + "/api/pulk/v1/automl", method: "POST", json: body)
            #expect(reply.hasSuffix(" 201"), "\(reply.suffix(300))")
            let object = try JSONSerialization.jsonObject(with: Data(reply.dropLast(4).utf8)) as? [String: Any]
            return try #require((object?["search"] as? [String: Any])?["id"] as? String)
        }
        // The first runs until cancelled; the second waits behind it.
        let first = try start(#"{"data": "penguins", "target": "species", "time_budget": 600}"#)
        let second = try start(#"{"data": "penguins", "target": "species", "time_budget": 60, "max_trials": 3, "models": ["logistic", "naive-bayes"], "parallel": 1}"#)
        let shots = cli.dir.appendingPathComponent("shots").path
        let watched = try PulkCLI.execute(TrackedTrainingTests.python!, [
            PulkCLI.repoRoot.appendingPathComponent("Tests/oracle/browser_check.py").path, "--chromium", TrackedTrainingTests.chromium!, "--out", shots,
            "--step", "fetch('/api/pulk/v1/automl/\(first)/cancel', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{}'}).then(r => r.status)",
            "--until", "(document.querySelector('#live [data-status]') || {dataset: {}}).dataset.status === 'finished' && document.querySelectorAll('#leaderboard tbody tr').length === 3",
            "--timeout", "120", server.url + "/ui/automl/\(second)"])
        #expect(watched.status == 0, "\(watched.stdout.suffix(3000)) \(watched.stderr.suffix(2000))")
        #expect(watched.stdout.contains("Best roc_auc") || watched.stdout.contains("Leaderboard"), "\(watched.stdout.suffix(2000))")
        let firstState = try TrackedTrainingTests.get(server.url + "/api/pulk/v1/automl/\(first)").body
        #expect(firstState.contains(#""status":"cancelled""#), "\(firstState.prefix(600))")

        let report = try TrackedTrainingTests.check([server.url + "/ui/automl", server.url + "/ui/automl/\(second)", server.url + "/ui/automl/\(first)"], out: shots)
        #expect(report.status == 0, "browser problems: \(report.output.prefix(4000))")
    }

    /// `--on-server`: the search runs on the server on one of its datasets, is followed here and its
    /// winner downloaded; misuse says what to do.
    @Test func searchOnTheServer() throws {
        let server = LiveServer(cli: cli)
        _ = try cli.ok(["data", "add", cli.penguins, "--name", "penguins", "--workspace", server.workspace])
        let started = try server.start()
        defer { started.terminate(); started.waitUntilExit() }
        let out = try PulkCLI.object(try cli.ok(["automl", "--on-server", "--server", server.url, "--data", "penguins", "--target", "species", "--max-trials", "2",
                                                 "--models", "logistic", "--parallel", "1", "--out", "remote.pulk", "--experiment", "remote", "--json"]))
        #expect(out["status"] as? String == "finished" && (out["leaderboard"] as? [[String: Any]])?.count == 2, "\(out)")
        #expect(((out["result"] as? [String: Any])?["run_id"] as? String)?.isEmpty == false)
        let predicted = cli.dir.appendingPathComponent("p.csv").path
        _ = try cli.ok(["predict", "--model", "remote.pulk", "--data", cli.penguins, "--out", predicted])
        #expect(try String(contentsOfFile: predicted, encoding: .utf8).hasPrefix("prediction,"))
        // The terminal follows it trial by trial.
        let text = try cli.ok(["automl", "--on-server", "--server", server.url, "--data", "penguins", "--target", "species", "--max-trials", "2",
                               "--models", "logistic", "--parallel", "1"]).stdout
        #expect(text.contains("Queued search") && text.contains("/ui/automl/") && text.contains("Search ") && text.contains(": finished."), "\(text)")

        let unknown = try cli.run(["automl", "--on-server", "--server", server.url, "--data", "nope", "--target", "species"])
        #expect(unknown.status != 0 && unknown.stderr.contains("names a dataset of the server"), "\(unknown.stderr)")
        // No server named (the suite's against-server pass sets PULK_SERVER for every command: unset it).
        let noServer = try cli.run(["automl", "--on-server", "--data", "penguins", "--target", "species"], env: ["PULK_SERVER": ""])
        #expect(noServer.status != 0 && noServer.stderr.contains("--server URL"), "\(noServer.stderr)")
    }
}
