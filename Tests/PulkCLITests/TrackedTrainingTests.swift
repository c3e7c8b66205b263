import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// `pulk train` with tracking, `pulk runs`, `pulk models` and the web UI, end to end on a live server.
@Suite("Tracked training and the web UI: end to end")
struct TrackedTrainingTests {
    let cli = PulkCLI()
    static let chromium = ProcessInfo.processInfo.environment["PULK_CHROMIUM"]
    static let python = ProcessInfo.processInfo.environment["PULK_PYTHON"]

    /// `pulk ARGS`, expected to succeed.
    func ok(_ args: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> PulkCLI.Result {
        try cli.ok(args, sourceLocation: sourceLocation)
    }

    func object(_ r: PulkCLI.Result, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        try PulkCLI.object(r, sourceLocation: sourceLocation)
    }

    static func post(_ url: String, _ body: [String: Any]) throws -> [String: Any] {
        let data = try JSONSerialization.data(withJSONObject: body)
        let reply = try LiveServer.curl(url, method: "POST", json: String(decoding: data, as: UTF8.self))
        #expect(reply.hasSuffix(" 200"), "\(url): \(reply.suffix(300))")
        return (try? JSONSerialization.jsonObject(with: Data(reply.dropLast(4).utf8))) as? [String: Any] ?? [:]
    }

    static func get(_ url: String) throws -> (body: String, status: Int) {
        let reply = try LiveServer.curl(url)
        return (String(reply.dropLast(4)), Int(reply.suffix(3)) ?? 0)
    }

    @Test("Train on a shipped dataset, see the run through the API and in the HTML, register it, move an alias, follow lineage to the dataset hash")
    func endToEnd() throws {
        let server = LiveServer(cli: cli)
        let ws = server.workspace
        let added = try object(try ok("data", "add", cli.penguins, "--name", "penguins", "--workspace", ws, "--json"))
        let sha = try #require((added["version"] as? [String: Any])?["content_sha256"] as? String)

        // Tracked in the workspace (no server running yet).
        let first = try object(try ok("train", "--data", "penguins", "--target", "species", "--model", "gbdt", "--param", "num_iterations=20",
                                      "--cv", "3", "--experiment", "e2e", "--run-name", "first", "--out", "gbdt.pulk", "--workspace", ws, "--json"))
        let gbdtRun = try #require(first["run_id"] as? String)

        let started = try server.start()
        defer { started.terminate(); started.waitUntilExit() }
        // Tracked on the server over the MLflow protocol, from another workspace.
        let second = try object(try ok("train", "--data", cli.penguins, "--target", "species", "--model", "logistic", "--experiment", "e2e",
                                       "--run-name", "logistic <i>2</i>", "--out", "lr.pulk", "--tracking-uri", server.url,
                                       "--workspace", cli.dir.appendingPathComponent("elsewhere").path, "--json"))
        let lrRun = try #require(second["run_id"] as? String)

        // The API sees both runs with their params, metrics and curves.
        let api = server.url + "/api/2.0/mlflow"
        let experiment = try Self.get(api + "/experiments/get-by-name?experiment_name=e2e")
        let expId = try #require(((try JSONSerialization.jsonObject(with: Data(experiment.body.utf8)) as? [String: Any])?["experiment"] as? [String: Any])?["experiment_id"] as? String)
        let found = try Self.post(api + "/runs/search", ["experiment_ids": [expId], "order_by": ["attributes.start_time ASC"]])
        let runs = try #require(found["runs"] as? [[String: Any]])
        #expect(runs.count == 2)
        let data = try #require(runs.first?["data"] as? [String: Any])
        let params = Dictionary(((data["params"] as? [[String: Any]]) ?? []).map { ($0["key"] as! String, $0["value"] as! String) }, uniquingKeysWith: { a, _ in a })
        #expect(params["model"] == "gbdt" && params["num_iterations"] == "20" && params["split"] == "stratified" && params["cv_folds"] == "3")
        let metrics = Set(((data["metrics"] as? [[String: Any]]) ?? []).compactMap { $0["key"] as? String })
        #expect(metrics.isSuperset(of: ["test_accuracy", "baseline_most-frequent_accuracy", "cv_accuracy_mean", "cv_accuracy_std"]), "\(metrics)")
        let curveName = try #require(metrics.first { $0.hasPrefix("train_") })
        let history = try Self.get(api + "/metrics/get-history?run_id=\(gbdtRun)&metric_key=\(curveName)")
        #expect(((try JSONSerialization.jsonObject(with: Data(history.body.utf8)) as? [String: Any])?["metrics"] as? [Any])?.count == 20)
        #expect((runs.first?["inputs"] as? [String: Any]).map { "\($0)".contains(String(sha.prefix(32))) } == true, "the dataset version is the run's input")

        // The HTML shows them.
        let table = try Self.get(server.url + "/ui/experiments/\(expId)")
        #expect(table.status == 200 && table.body.contains("/ui/runs/\(gbdtRun)") && table.body.contains(">first<"))
        #expect(table.body.contains("logistic &lt;i&gt;2&lt;/i&gt;") && !table.body.contains("<i>2</i>"), "run names are escaped")
        let page = try Self.get(server.url + "/ui/runs/\(gbdtRun)")
        #expect(page.status == 200)
        for needle in ["test_accuracy", "id=\"chart-\(curveName)\"", "/ui/artifacts/\(gbdtRun)/plots/confusion_matrix.svg", "model/model.pulk", "penguins:1"] {
            #expect(page.body.contains(needle), "run page lacks \(needle)")
        }
        let svg = try LiveServer.curl(server.url + "/ui/artifacts/\(gbdtRun)/plots/roc_curve.svg")
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix(" 200"))
        let filtered = try Self.get(server.url + "/ui/experiments/\(expId)?filter=" + "params.model = 'logistic'".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
        #expect(filtered.body.contains("/ui/runs/\(lrRun)") && !filtered.body.contains("/ui/runs/\(gbdtRun)\""), "the search grammar filters on the server")
        // Sorting by a metric column puts the runs in that metric's order, both ways.
        let accuracy = runs.map { r -> Double in
            ((r["data"] as? [String: Any])?["metrics"] as? [[String: Any]])?.first { $0["key"] as? String == "test_accuracy" }?["value"] as? Double ?? .nan
        }
        #expect(accuracy[0] != accuracy[1], "the two models differ in accuracy, so the order is defined")
        for direction in ["ASC", "DESC"] {
            let sorted = try Self.get(server.url + "/ui/experiments/\(expId)?order=" + "metrics.`test_accuracy` \(direction)".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
            let g = try #require(sorted.body.range(of: "/ui/runs/\(gbdtRun)\"")), l = try #require(sorted.body.range(of: "/ui/runs/\(lrRun)\""))
            let gbdtFirst = (accuracy[0] < accuracy[1]) == (direction == "ASC")
            #expect((g.lowerBound < l.lowerBound) == gbdtFirst, "order \(direction) by test_accuracy \(accuracy)")
            #expect(sorted.body.contains("data-sort=\"\(direction == "ASC" ? "ascending" : "descending")\""))
        }
        let bad = try Self.get(server.url + "/ui/experiments/\(expId)?filter=metrics.x%20%3E")
        #expect(bad.status == 200 && bad.body.contains("role=\"alert\""), "a bad filter is explained on the page")
        #expect(try Self.get(server.url + "/ui/runs/nope").status == 404)
        // A run whose experiment keeps artifacts elsewhere still has a page, which says so.
        let elsewhereExp = try #require(try Self.post(api + "/experiments/create", ["name": "s3-exp", "artifact_location": "s3://bucket/prefix"])["experiment_id"] as? String)
        let elsewhereRun = try #require(((try Self.post(api + "/runs/create", ["experiment_id": elsewhereExp])["run"] as? [String: Any])?["info"] as? [String: Any])?["run_id"] as? String)
        let elsewhere = try Self.get(server.url + "/ui/runs/\(elsewhereRun)")
        #expect(elsewhere.status == 200 && elsewhere.body.contains("which this server does not serve"), "\(elsewhere.body.suffix(500))")
        let compare = try Self.get(server.url + "/ui/compare?run=\(gbdtRun)&run=\(lrRun)")
        #expect(compare.status == 200 && compare.body.contains("class=\"diff\""))

        // The terminal sees them too.
        let listed = try #require(try ok("runs", "list", "--experiment", "e2e", "--workspace", ws, "--json").json() as? [[String: Any]])
        #expect(Set(listed.compactMap { $0["run_id"] as? String }) == [gbdtRun, lrRun])
        let compared = try object(try ok("runs", "compare", gbdtRun, lrRun, "--workspace", ws, "--json"))
        #expect((compared["differing_params"] as? [String])?.contains("model") == true)
        let everywhere = try #require(try ok("runs", "list", "--workspace", ws, "--json").json() as? [[String: Any]])
        #expect(Set(everywhere.compactMap { $0["run_id"] as? String }) == [gbdtRun, lrRun, elsewhereRun], "without --experiment: every experiment")
        let shown = try object(try ok("runs", "show", String(gbdtRun.prefix(10)), "--workspace", ws, "--json"))
        #expect((shown["artifacts"] as? [String])?.contains("plots/confusion_matrix.svg") == true)

        // Register both, move the alias, follow lineage (the CLI on the workspace while the server runs on it).
        #expect(try object(try ok("models", "register", gbdtRun, "--name", "penguin-clf", "--workspace", ws, "--json"))["version"] as? Int == 1)
        #expect(try object(try ok("models", "register", lrRun, "--name", "penguin-clf", "--tracking-uri", server.url, "--workspace", ws, "--json"))["version"] as? Int == 2)
        _ = try ok("models", "alias", "penguin-clf@champion", "1", "--workspace", ws)
        let moved = try object(try ok("models", "alias", "penguin-clf@champion", "2", "--tracking-uri", server.url, "--workspace", ws, "--json"))
        #expect(moved["from_version"] as? Int == 1 && moved["to_version"] as? Int == 2)
        let model = try object(try ok("models", "show", "penguin-clf", "--workspace", ws, "--json"))
        #expect((model["aliases"] as? [String: Int]) == ["champion": 2])
        #expect((model["alias_history"] as? [[String: Any]])?.compactMap { $0["to_version"] as? Int } == [1, 2])
        let lineage = try #require(model["lineage"] as? [[String: Any]])
        let dataset = try #require(((lineage.first?["datasets"] as? [[String: Any]])?.first)?["workspace_version"] as? [String: Any])
        #expect(dataset["content_sha256"] as? String == sha && dataset["reference"] as? String == "penguins:1")
        #expect((dataset["source_path"] as? String)?.hasSuffix("examples/penguins.csv") == true)
        // Through the server the lineage resolves the same hash, for the run that read a file.
        let remote = try object(try ok("models", "show", "penguin-clf", "--tracking-uri", server.url, "--workspace", ws, "--json"))
        let remoteData = ((remote["lineage"] as? [[String: Any]])?.last?["datasets"] as? [[String: Any]])?.first?["workspace_version"] as? [String: Any]
        #expect(remoteData?["content_sha256"] as? String == sha)
        let text = try ok("models", "show", "penguin-clf", "--workspace", ws).stdout
        #expect(text.contains("→ dataset penguins:1 (sha256 \(sha))"))

        let modelPage = try Self.get(server.url + "/ui/models/penguin-clf")
        #expect(modelPage.body.contains(sha) && modelPage.body.contains("@champion"))
        let versionPage = try Self.get(server.url + "/ui/models/penguin-clf/versions/1")
        #expect(versionPage.body.contains("plots/confusion_matrix.svg") && versionPage.body.contains(sha))

        // Evaluate records a run too.
        let evaluated = try object(try ok("evaluate", "--model", cli.dir.appendingPathComponent("gbdt.pulk").path, "--data", "penguins",
                                          "--experiment", "e2e", "--workspace", ws, "--json"))
        let evalRun = try #require(evaluated["run_id"] as? String)
        let evalPage = try Self.get(server.url + "/ui/runs/\(evalRun)")
        #expect(evalPage.body.contains("eval_accuracy"))
    }

    static let mlflowServer = ProcessInfo.processInfo.environment["PULK_MLFLOW_SERVER"]

    /// `pulk train --tracking-uri` into a real `mlflow server`; MLflow's own client then reads the run,
    /// its curves, input, artifacts and the version `pulk models register` made (Tests/oracle/mlflow_reads_pulk_run.py).
    @Test(.enabled(if: mlflowServer != nil && python != nil))
    func trainsIntoMLflowServer() throws {
        let port = Int.random(in: 20_000..<32_000), url = "http://127.0.0.1:\(port)"
        let dir = cli.dir.appendingPathComponent("mlflow").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let server = Process()
        // Process starts it as a process-group leader: killing the group takes its uvicorn and job workers too.
        server.executableURL = URL(fileURLWithPath: Self.mlflowServer!)
        server.arguments = ["server", "--backend-store-uri", "sqlite:///\(dir)/mlflow.db", "--artifacts-destination", "\(dir)/artifacts",
                            "--host", "127.0.0.1", "--port", String(port), "--workers", "1"]
        var env = ProcessInfo.processInfo.environment
        env["MLFLOW_DISABLE_TELEMETRY"] = "true"
        server.environment = env
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            kill(-server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        var up = false, last = ""
        for _ in 0..<900 where !up {
            last = (try? LiveServer.curl(url + "/health")) ?? ""
            if last.hasSuffix(" 200") { up = true } else { usleep(100_000) }
        }
        try #require(up, "mlflow server did not start: \(last)")
        let ws = cli.dir.appendingPathComponent("ws").path
        _ = try ok("data", "add", cli.penguins, "--name", "penguins", "--workspace", ws)
        let trained = try object(try ok("train", "--data", "penguins", "--target", "species", "--model", "gbdt", "--param", "num_iterations=15", "--cv", "3",
                                        "--experiment", "interop", "--run-name", "gbdt", "--tracking-uri", url, "--workspace", ws, "--json"))
        let run = try #require(trained["run_id"] as? String)
        _ = try ok("models", "register", run, "--name", "from-pulk", "--tracking-uri", url, "--workspace", ws)
        _ = try ok("models", "alias", "from-pulk@champion", "1", "--tracking-uri", url, "--workspace", ws)
        let shown = try object(try ok("models", "show", "from-pulk", "--tracking-uri", url, "--workspace", ws, "--json"))
        #expect((shown["aliases"] as? [String: Int]) == ["champion": 1])
        #expect(((shown["lineage"] as? [[String: Any]])?.first?["datasets"] as? [[String: Any]])?.first?["name"] as? String == "penguins")
        let listed = try #require(try ok("runs", "list", "--experiment", "interop", "--tracking-uri", url, "--workspace", ws, "--json").json() as? [[String: Any]])
        #expect(listed.compactMap { $0["run_id"] as? String } == [run])
        let read = try PulkCLI.execute(Self.python!, [PulkCLI.repoRoot.appendingPathComponent("Tests/oracle/mlflow_reads_pulk_run.py").path, url, run, "from-pulk"])
        #expect(read.status == 0 && read.stdout.contains("\"ok\": true"), "\(read.stderr.suffix(3000))")
    }

    @Test("--no-track records nothing; a bad tracking URI fails before training")
    func noTrack() throws {
        let ws = cli.dir.appendingPathComponent("ws").path
        let r = try object(try ok("train", "--data", cli.penguins, "--target", "species", "--model", "naive-bayes", "--no-track", "--workspace", ws, "--json"))
        #expect(r["run_id"] == nil)
        let bad = try cli.run("train", "--data", cli.penguins, "--target", "species", "--model", "naive-bayes", "--workspace", ws, env: ["MLFLOW_TRACKING_URI": "file:///tmp/mlruns"])
        #expect(bad.status != 0 && bad.stderr.contains("--tracking-uri http://HOST:PORT"))
        let missing = try cli.run("models", "show", "nope", "--workspace", ws)
        #expect(missing.status != 0 && missing.stderr.contains("No registered model named 'nope'"))
        let register = try cli.run("models", "register", "0123456789abcdef", "--name", "m", "--workspace", ws)
        #expect(register.status != 0 && register.stderr.contains("No run with id"))
        let alias = try cli.run("models", "alias", "no-at-sign", "1", "--workspace", ws)
        #expect(alias.status != 0 && alias.stderr.contains("NAME@ALIAS"))
    }

    /// Headless Chromium over the main pages of a seeded server (Tests/oracle/browser_check.py): no
    /// console messages or failed loads, no horizontal scrolling at 1366 px, labelled fields, named
    /// charts; screenshots in .build/screenshots.
    @Test(.enabled(if: chromium != nil && python != nil))
    func browser() throws {
        let server = LiveServer(cli: cli)
        let ws = server.workspace
        _ = try ok("data", "add", cli.penguins, "--name", "penguins", "--workspace", ws)
        let a = try #require(try object(try ok("train", "--data", "penguins", "--target", "species", "--model", "gbdt", "--param", "num_iterations=30",
                                               "--cv", "3", "--experiment", "browser", "--run-name", "gbdt", "--workspace", ws, "--json"))["run_id"] as? String)
        let b = try #require(try object(try ok("train", "--data", "penguins", "--target", "body_mass_g", "--model", "ridge", "--experiment", "browser",
                                               "--run-name", "ridge", "--workspace", ws, "--json"))["run_id"] as? String)
        _ = try ok("models", "register", a, "--name", "penguins", "--workspace", ws)
        _ = try ok("models", "alias", "penguins@champion", "1", "--workspace", ws)
        _ = try ok("endpoints", "create", "penguins", "--log-sample", "1", "--workspace", ws)
        _ = try ok("deploy", "penguins", "--model", "penguins@champion", "--workspace", ws)
        _ = try ok("webhooks", "create", "ci", "--url", "https://ci.example.com/hooks/pulk", "--event", "model_version.created",
                   "--event", "model_version_alias.created", "--description", "redeploy on new versions", "--workspace", ws)
        let started = try server.start()
        defer { started.terminate(); started.waitUntilExit() }
        // A few requests into the serving log.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, (try? LiveServer.curl(server.url + "/endpoints/penguins/ready"))?.hasSuffix(" 200") != true { usleep(100_000) }
        for _ in 0..<5 {
            _ = try LiveServer.curl(server.url + "/endpoints/penguins/score", method: "POST", json: """
            {"records": [{"island": "Biscoe", "bill_length_mm": 45.2, "bill_depth_mm": 14.8, "flipper_length_mm": 212, "body_mass_g": 5200, "sex": "female", "year": 2008}]}
            """)
        }
        // A run with 100,000 points of one metric: the page must still load, drawn from at most 2,002 of them.
        let api = server.url + "/api/2.0/mlflow"
        let expId = try #require(((try JSONSerialization.jsonObject(with: Data(try Self.get(api + "/experiments/get-by-name?experiment_name=browser").body.utf8))
            as? [String: Any])?["experiment"] as? [String: Any])?["experiment_id"] as? String)
        let big = try #require((try Self.post(api + "/runs/create", ["experiment_id": expId, "run_name": "100k points"])["run"] as? [String: Any]).flatMap {
            ($0["info"] as? [String: Any])?["run_id"] as? String })
        for batch in 0..<100 {
            let metrics = (0..<1000).map { i -> [String: Any] in
                let step = batch * 1000 + i
                return ["key": "loss", "value": 1 / Double(step + 1) + (step == 54_321 ? 3 : 0), "timestamp": 1_700_000_000_000 + step, "step": step]
            }
            _ = try Self.post(api + "/runs/log-batch", ["run_id": big, "metrics": metrics])
        }
        let bigPage = try Self.get(server.url + "/ui/runs/\(big)")
        #expect(bigPage.status == 200 && bigPage.body.contains("100000 points, drawn as"))
        #expect(bigPage.body.utf8.count < 400_000, "the page stays small: \(bigPage.body.utf8.count) bytes")

        // The page's own forms, replayed as its script sends them (same-origin JSON): a tag, a description, a deletion and its undoing.
        let runPage = try Self.get(server.url + "/ui/runs/\(b)").body
        #expect(try Self.submit(runPage, label: "Set a tag", fields: ["key": "reviewed", "value": "yes"], server: server.url) == 200)
        #expect(try Self.submit(runPage, label: "Run description", fields: ["value": "ridge on every column"], server: server.url) == 200)
        #expect(try Self.submit(runPage, label: "Delete run", fields: [:], server: server.url) == 200)
        let deletedList = try Self.get(server.url + "/ui/experiments/\(expId)?view=deleted").body
        #expect(deletedList.contains("Restore run ridge"))
        #expect(try Self.submit(deletedList, label: "Restore run ridge", fields: [:], server: server.url) == 200)
        let edited = try Self.get(server.url + "/ui/runs/\(b)").body
        #expect(edited.contains("ridge on every column") && edited.contains(">reviewed<") && !edited.contains("This run is deleted"))
        let modelPage = try Self.get(server.url + "/ui/models/penguins").body
        #expect(try Self.submit(modelPage, label: "Model description", fields: ["description": "Species from measurements"], server: server.url) == 200)
        #expect(try Self.get(server.url + "/ui/models/penguins").body.contains("Species from measurements"))
        // MLflow's links are fragments; the landing page carries the script that follows them.
        #expect(try Self.get(server.url + "/").body.contains("location.replace('/ui/runs/'+m[1])"))

        let pages = ["/", "/ui/experiments/\(expId)", "/ui/runs/\(a)", "/ui/runs/\(b)", "/ui/runs/\(big)", "/ui/compare?run=\(a)&run=\(b)",
                     "/ui/datasets", "/ui/datasets/penguins", "/ui/models", "/ui/models/penguins", "/ui/models/penguins/versions/1",
                     "/ui/runs", "/ui/experiments/\(expId)?view=deleted", "/ui/runs/\(a)?x=time&smooth=0.6&scale=log", "/ui/endpoints", "/ui/endpoints/penguins",
                     "/#/experiments/\(expId)/runs/\(a)", "/ui/webhooks"]
        let shots = PulkCLI.repoRoot.appendingPathComponent(".build/screenshots").path
        let report = try Self.check(pages.map { server.url + $0 }, out: shots)
        #expect(report.status == 0, "browser problems: \(report.output.prefix(4000))")
        let results = try #require(try JSONSerialization.jsonObject(with: Data(report.output.utf8)) as? [[String: Any]])
        #expect(results.count == 2 * pages.count, "every page at 1366 and 1920 wide")
        for r in results {
            #expect((r["problems"] as? [Any])?.isEmpty == true, "\(r["url"] ?? "") at \(r["width"] ?? ""): \(r["problems"] ?? "")")
            #expect(FileManager.default.fileExists(atPath: r["screenshot"] as? String ?? ""))
        }
        #expect((results[2]["images"] as? Int ?? 0) >= 4, "the run page shows its evaluation plots")
        #expect((results[4]["svgs"] as? Int ?? 0) >= 1, "the 100k-point run is charted")
        #expect((results[15]["svgs"] as? Int ?? 0) >= 1, "the endpoint page charts its logged requests")
        #expect((results[16]["url"] as? String ?? "").hasSuffix("/ui/runs/\(a)") || (results[16]["svgs"] as? Int ?? 0) >= 1, "MLflow's run link lands on the run")
    }

    /// Sends what a page's form labelled `label` sends: its fixed values and `fields` as JSON to its
    /// API path, from the page's own origin. Returns the HTTP status.
    static func submit(_ page: String, label: String, fields: [String: String], server: String) throws -> Int {
        let escaped = label.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "'", with: "&#39;")
        guard let labelRange = page.range(of: "aria-label=\"\(escaped)\">"),
              let formStart = page.range(of: "<form class=\"api\"", options: .backwards, range: page.startIndex..<labelRange.lowerBound) else {
            Issue.record("no form labelled \(label)")
            return 0
        }
        let tag = String(page[formStart.lowerBound..<labelRange.upperBound])
        func attribute(_ name: String) -> String? {
            guard let r = tag.range(of: "\(name)=\""), let end = tag[r.upperBound...].firstIndex(of: "\"") else { return nil }
            return String(tag[r.upperBound..<end]).replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
        }
        var body = (try JSONSerialization.jsonObject(with: Data((attribute("data-fixed") ?? "{}").utf8)) as? [String: Any]) ?? [:]
        for (k, v) in fields { body[k] = v }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", attribute("data-method") ?? "POST", server + (attribute("data-api") ?? ""),
                       "-H", "Content-Type: application/json", "-H", "Origin: \(server)", "-H", "Sec-Fetch-Site: same-origin",
                       "--data-binary", String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let code = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return Int(code) ?? 0
    }

    /// The browser check itself can fail: a page with a console error, an exception, a missing image,
    /// an unlabelled field and a too-wide layout is reported on each count.
    @Test(.enabled(if: chromium != nil && python != nil))
    func browserCheckCatchesProblems() throws {
        let page = cli.file("bad.html", """
        <!DOCTYPE html><html><head><title>bad</title></head><body><h1>bad</h1><div style="width:3000px">wide</div>
        <input type="text" name="q"><img src="missing.png"><script>console.error("boom"); nope();</script>
        <p style="width:80px;white-space:nowrap;overflow:hidden">a sentence far too long for its narrow box</p>
        <svg width="100" height="50" aria-label="clipped"><text x="-40" y="20">-1.234567e-05</text></svg>
        <a href="#x" tabindex="-1">hidden from the keyboard</a><button></button></body></html>
        """)
        let report = try Self.check(["file://" + page], out: cli.dir.appendingPathComponent("shots").path)
        #expect(report.status == 1)
        for needle in ["console.error: boom", "uncaught exception", "img without alt", "unlabelled input q", "px wide", "html has no lang",
                       "text overflows its box", "chart text outside its chart", "not reachable by keyboard", "control without an accessible name"] {
            #expect(report.output.contains(needle), "not reported: \(needle)")
        }
    }

    static func check(_ urls: [String], out: String) throws -> (status: Int32, output: String) {
        let r = try PulkCLI.execute(python!, [PulkCLI.repoRoot.appendingPathComponent("Tests/oracle/browser_check.py").path, "--chromium", chromium!, "--out", out] + urls)
        return (r.status, r.stdout + r.stderr)
    }
}
