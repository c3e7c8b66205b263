import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// Deployment end to end: register, deploy, score over HTTP (Pulk's API and MLflow's client), follow
/// an alias, split traffic, roll back, read the serving log, `pulk serve`, `pulk score`, `--emit`.
@Suite("Deployment: end to end")
struct ServingCLITests {
    let cli = PulkCLI()
    static let python = ProcessInfo.processInfo.environment["PULK_PYTHON"]

    /// `pulk ARGS`, expected to succeed.
    func ok(_ args: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> PulkCLI.Result {
        try cli.ok(args, sourceLocation: sourceLocation)
    }

    func object(_ r: PulkCLI.Result, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        try PulkCLI.object(r, sourceLocation: sourceLocation)
    }

    func registered(_ ws: String) throws { try cli.registeredPenguins(ws) }

    static let row = #"{"island": "Biscoe", "bill_length_mm": 45.2, "bill_depth_mm": 14.8, "flipper_length_mm": 212, "body_mass_g": 5200, "sex": "female", "year": 2008}"#

    static func score(_ url: String) throws -> [String: Any] {
        let reply = try LiveServer.curl(url, method: "POST", json: "{\"records\": [\(row)]}")
        #expect(reply.hasSuffix(" 200"), "\(reply)")
        return (try? JSONSerialization.jsonObject(with: Data(reply.dropLast(4).utf8))) as? [String: Any] ?? [:]
    }

    @Test("Endpoints on pulk server: deploy, score, MLflow's client, alias follow, traffic, rollback, serving log")
    func endpointsOnTheServer() throws {
        let server = LiveServer(cli: cli)
        let ws = server.workspace
        try registered(ws)
        _ = try ok("endpoints", "create", "penguins", "--log-sample", "1", "--workspace", ws)
        let deployed = try object(try ok("deploy", "penguins", "--model", "penguins@champion", "--workspace", ws, "--json"))
        #expect((deployed["deployments"] as? [[String: Any]])?.first?["traffic"] as? Int == 100)
        let started = try server.start()
        defer { started.terminate(); started.waitUntilExit() }
        let url = server.url + "/endpoints/penguins/score"
        let first = try Self.score(url)
        #expect(first["deployment"] as? String == "blue" && first["version"] as? String == "1")
        #expect((first["probabilities"] as? [[Double]])?.first?.count == 3)

        if let python = Self.python {
            let r = try PulkCLI.execute(python, [PulkCLI.repoRoot.appendingPathComponent("Tests/oracle/mlflow_scoring_client.py").path,
                                                 "127.0.0.1", String(server.port), cli.penguins, "/endpoints/penguins"])
            #expect(r.status == 0, "\(r.stderr.suffix(2000))")
            let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            #expect(o["shapes_agree"] as? Bool == true)
            // The same labels `pulk predict` writes for those rows.
            _ = try ok("predict", "--model", cli.dir.appendingPathComponent("gbdt.pulk").path, "--data", cli.penguins,
                       "--out", cli.dir.appendingPathComponent("p.csv").path, "--workspace", ws)
            let expected = try String(contentsOf: cli.dir.appendingPathComponent("p.csv"), encoding: .utf8)
                .split(separator: "\n").dropFirst().prefix(40).map { String($0.split(separator: ",")[0]) }
            #expect(o["predictions"] as? [String] == expected)
        }

        // The alias moves: the server follows within its reconcile interval and records the change.
        _ = try ok("models", "alias", "penguins@champion", "2", "--workspace", ws)
        var version = ""
        let deadline = Date().addingTimeInterval(30)
        while version != "2" && Date() < deadline {
            version = try Self.score(url)["version"] as? String ?? ""
            if version != "2" { usleep(100_000) }
        }
        #expect(version == "2")
        let shown = try object(try ok("endpoints", "show", "penguins", "--workspace", ws, "--json"))
        let events = try #require(shown["events"] as? [[String: Any]])
        #expect(events.contains { $0["kind"] as? String == "alias" && ($0["message"] as? String ?? "").contains("version 1 → 2") })

        // A green deployment, 50/50, then rolled back to blue alone.
        _ = try ok("deploy", "penguins", "--model", "penguins:1", "--deployment", "green", "--traffic", "50", "--workspace", ws)
        let split = try object(try ok("endpoints", "show", "penguins", "--workspace", ws, "--json"))
        let shares = ((split["endpoint"] as? [String: Any])?["deployments"] as? [[String: Any]])?.map { "\($0["name"]!)=\($0["traffic"]!)" }
        #expect(shares == ["blue=50", "green=50"])
        var answered = Set<String>()
        let until = Date().addingTimeInterval(30)
        while answered.count < 2 && Date() < until { answered.insert(try Self.score(url)["deployment"] as? String ?? "") }
        #expect(answered == ["blue", "green"])
        _ = try ok("endpoints", "traffic", "penguins", "blue=100", "--workspace", ws)
        _ = try ok("endpoints", "rollback", "penguins", "--workspace", ws)
        let back = try object(try ok("endpoints", "show", "penguins", "--workspace", ws, "--json"))
        #expect(((back["endpoint"] as? [String: Any])?["deployments"] as? [[String: Any]])?.map { $0["traffic"] as? Int } == [50, 50])
        // Refusals: a bad split, an unknown deployment, a model that is not registered.
        let badSplit = try cli.run("endpoints", "traffic", "penguins", "blue=60", "green=60", "--workspace", ws)
        #expect(badSplit.status != 0 && badSplit.stderr.contains("add up to 100%"))
        let unknown = try cli.run("endpoints", "traffic", "penguins", "red=100", "--workspace", ws)
        #expect(unknown.status != 0 && unknown.stderr.contains("no deployment 'red'"))
        let noModel = try cli.run("deploy", "penguins", "--model", "nope@champion", "--workspace", ws)
        #expect(noModel.status != 0 && noModel.stderr.contains("No registered model named 'nope'"))

        // Settings change without touching the deployments; a bad value is refused.
        let set = try object(try ok("endpoints", "set", "penguins", "--max-rows", "2", "--workspace", ws, "--json"))
        #expect((set["settings"] as? [String: Any])?["max_rows"] as? Int == 2 && (set["settings"] as? [String: Any])?["log_sample"] as? Double == 1)
        let badSetting = try cli.run("endpoints", "set", "penguins", "--unseen-categories", "maybe", "--workspace", ws)
        #expect(badSetting.status != 0 && badSetting.stderr.contains("allow or reject"))

        // Sampled requests reached the serving log (written in batches about every second).
        var logged = 0
        let logDeadline = Date().addingTimeInterval(30)
        while logged == 0 && Date() < logDeadline {
            logged = (try? JSONSerialization.jsonObject(with: Data(try ok("endpoints", "logs", "penguins", "--workspace", ws, "--json").stdout.utf8)) as? [Any])?.count ?? 0
            if logged == 0 { usleep(200_000) }
        }
        #expect(logged > 0)
        let metrics = try LiveServer.curl(server.url + "/metrics")
        #expect(metrics.contains("pulk_serving_requests_total{endpoint=\"penguins\",deployment=\"blue\",status=\"2xx\"}"))
        #expect(metrics.contains("pulk_serving_request_duration_seconds_bucket"))
    }

    @Test("pulk serve answers the scoring API and /invocations, and drains on SIGTERM")
    func serveStandalone() throws {
        var server = LiveServer(cli: cli)
        try registered(server.workspace)
        server.command = ["serve", "penguins@champion"]
        server.options = ["--max-batch", "16", "--max-wait-us", "500"]
        let process = try server.start()
        #expect(try Self.score(server.url + "/score")["version"] as? String == "1")
        let mlflow = try LiveServer.curl(server.url + "/invocations", method: "POST", json: "{\"dataframe_split\": {\"columns\": [\"island\"], \"data\": [[\"Biscoe\"]]}}")
        #expect(mlflow.hasSuffix(" 400") && mlflow.contains("Missing column 'year'"))
        #expect(try LiveServer.curl(server.url + "/ready").hasSuffix(" 200"))
        #expect(try LiveServer.curl(server.url + "/metrics").contains("pulk_serving_batch_rows_bucket"))
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        // The default level (info) logs every request; notice turns the request log off.
        #expect(try String(contentsOf: server.log, encoding: .utf8).contains("hb.request.path=/score"))
        var quiet = LiveServer(cli: cli)
        quiet.command = ["serve", "penguins@champion"]
        quiet.options = ["--log-level", "notice"]
        let quietProcess = try quiet.start()
        #expect(try Self.score(quiet.url + "/score")["version"] as? String == "1")
        kill(quietProcess.processIdentifier, SIGTERM)
        quietProcess.waitUntilExit()
        #expect(try !String(contentsOf: quiet.log, encoding: .utf8).contains("hb.request"))
        let missing = try cli.run("serve", "nope@x", "--workspace", server.workspace)
        #expect(missing.status != 0 && missing.stderr.contains("No registered model named 'nope'"))
        // A standalone model server has no endpoint to keep a serving log for: said, not ignored.
        let logged = try cli.run("serve", "penguins@champion", "--log-sample", "1", "--workspace", server.workspace)
        #expect(logged.status != 0 && logged.stderr.contains("pulk serve keeps no serving log"), "\(logged.stderr)")
    }

    @Test("pulk score streams a file or a dataset, registers the predictions and records lineage")
    func batchScoring() throws {
        let ws = cli.dir.appendingPathComponent("ws").path
        try registered(ws)
        let out = cli.dir.appendingPathComponent("scored.csv").path
        let scored = try object(try ok("score", "--model", "penguins@champion", "--data", "penguins", "--out", out, "--register-as", "penguin-scores",
                                       "--chunk-rows", "50", "--workspace", ws, "--json"))
        #expect(scored["rows"] as? Int == 344 && scored["output_dataset"] as? String == "penguin-scores:1")
        // Identical to `pulk predict` on the whole file, chunked or not.
        let whole = cli.dir.appendingPathComponent("whole.csv").path
        _ = try ok("predict", "--model", cli.dir.appendingPathComponent("gbdt.pulk").path, "--data", cli.penguins, "--out", whole, "--workspace", ws)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == (try String(contentsOfFile: whole, encoding: .utf8)))
        let fromFile = cli.dir.appendingPathComponent("file.csv").path
        _ = try ok("score", "--model", cli.dir.appendingPathComponent("gbdt.pulk").path, "--data", cli.penguins, "--out", fromFile,
                   "--block-bytes", "1500", "--no-track", "--workspace", ws)
        #expect(try String(contentsOfFile: fromFile, encoding: .utf8) == (try String(contentsOfFile: whole, encoding: .utf8)))
        // The run: the model version, the input dataset and the output dataset.
        let runId = try #require(scored["run_id"] as? String)
        let run = try object(try ok("runs", "show", runId, "--workspace", ws, "--json"))
        let params = run["params"] as? [String: String] ?? [:]
        #expect(params["model_name"] == "penguins" && params["model_version"] == "1", "\(run)")
        let contexts = (run["inputs"] as? [[String: Any]] ?? []).map { "\($0["name"] ?? ""):\($0["context"] ?? "")" }.sorted()
        #expect(contexts == ["penguin-scores:predictions", "penguins:scoring"], "\(run["inputs"] ?? "")")
        // Bad input names the problem; nothing is left behind.
        let bad = cli.file("bad.csv", "island,bill_length_mm\nBiscoe,long\n")
        let failed = try cli.run("score", "--model", "penguins:1", "--data", bad, "--out", cli.dir.appendingPathComponent("never.csv").path, "--workspace", ws)
        #expect(failed.status != 0 && failed.stderr.contains("Missing column 'year'"))
        #expect(!FileManager.default.fileExists(atPath: cli.dir.appendingPathComponent("never.csv").path))
        // A bad value far into a file read in many blocks is named by the file's line.
        let good = "Biscoe,45.2,14.8,212,5200,female,2008\n"
        let late = cli.file("late.csv", "island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year\n"
            + String(repeating: good, count: 3000) + "Biscoe,long,14.8,212,5200,female,2008\n")
        let lateFailure = try cli.run("score", "--model", "penguins:1", "--data", late, "--out", cli.dir.appendingPathComponent("never.csv").path,
                                      "--block-bytes", "2000", "--no-track", "--workspace", ws)
        #expect(lateFailure.status != 0 && lateFailure.stderr.contains("late.csv:3002, column 'bill_length_mm': 'long'"), "\(lateFailure.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.dir.path).allSatisfy { !$0.contains("pulk-partial") })
    }

    @Test("deploy --emit writes a Dockerfile and Kubernetes manifests with probes and resources")
    func emit() throws {
        let ws = cli.dir.appendingPathComponent("ws").path
        try registered(ws)
        let folder = cli.dir.appendingPathComponent("deploy").path
        _ = try ok("deploy", "penguins", "--model", "penguins@champion", "--emit", "dockerfile", "--emit", "kubernetes", "--out", folder, "--workspace", ws)
        let docker = try String(contentsOfFile: folder + "/Dockerfile", encoding: .utf8)
        #expect(docker.contains("\"serve\", \"/srv/model.pulk\", \"--host\", \"0.0.0.0\", \"--port\", \"8080\", \"--name\", \"penguins\""))
        #expect(docker.contains("COPY --from=model model.pulk /srv/model.pulk") && docker.contains("USER 10001"))
        #expect(FileManager.default.contentsEqual(atPath: folder + "/model.pulk", andPath: cli.dir.appendingPathComponent("gbdt.pulk").path))
        // The endpoint was not touched.
        #expect(try cli.run("endpoints", "show", "penguins", "--workspace", ws).status != 0)
        guard let python = Self.python else { return }
        let check = cli.file("check.py", """
            import sys, yaml
            docs = list(yaml.safe_load_all(open(sys.argv[1])))
            assert [d["kind"] for d in docs] == ["Deployment", "Service"], docs
            c = docs[0]["spec"]["template"]["spec"]["containers"][0]
            assert c["readinessProbe"]["httpGet"]["path"] == "/ready" and c["livenessProbe"]["httpGet"]["path"] == "/health"
            assert c["resources"]["requests"]["cpu"] and c["resources"]["limits"]["memory"]
            assert c["args"][:2] == ["serve", "/srv/model.pulk"] and c["ports"][0]["containerPort"] == 8080
            assert docs[1]["spec"]["selector"] == docs[0]["spec"]["selector"]["matchLabels"]
            print("ok")
            """)
        let r = try PulkCLI.execute(python, [check, folder + "/kubernetes.yaml"])
        #expect(r.stdout.contains("ok"), "\(r.stderr)")
    }

    /// `--server URL`: a laptop with no database URI trains into the server, registers, deploys and
    /// manages the endpoint through the server's API; the server scores it.
    @Test("The CLI against a remote pulk server: train, register, deploy, traffic, endpoints, score")
    func commandsAgainstARemoteServer() throws {
        let server = LiveServer(cli: cli)
        let started = try server.start()
        defer { started.terminate(); started.waitUntilExit() }
        let laptop = cli.dir.appendingPathComponent("laptop").path
        // The data goes to the server; the laptop trains on the server's version of it.
        let added = try object(try ok("data", "add", cli.penguins, "--name", "penguins", "--server", server.url, "--workspace", laptop, "--json"))
        #expect(added["created"] as? Bool == true && (added["version"] as? [String: Any])?["row_count"] as? Int == 344)
        let listed0 = try ok("data", "list", "--server", server.url, "--workspace", laptop)
        #expect(listed0.stdout.contains("penguins"))
        let run = try #require(try object(try ok("train", "--data", "penguins", "--target", "species", "--model", "gbdt", "--no-profile", "--out",
                                                 cli.dir.appendingPathComponent("remote.pulk").path, "--server", server.url, "--workspace", laptop,
                                                 "--json"))["run_id"] as? String)
        _ = try ok("models", "register", run, "--name", "penguins", "--server", server.url, "--workspace", laptop)
        // The server records who moved the alias and deployed: the client's OS user, without authentication.
        let moved = try cli.run("models", "alias", "penguins@champion", "1", "--server", server.url, "--workspace", laptop, env: ["USER": "ana-laptop"])
        #expect(moved.status == 0, "\(moved.stderr)")
        let history = try ok("models", "show", "penguins", "--server", server.url, "--workspace", laptop, "--json").stdout
        #expect(history.contains("\"ana-laptop\""), "\(history)")
        // Models listed, described and tagged on the server.
        _ = try ok("models", "describe", "penguins", "Palmer penguins' species", "--server", server.url, "--workspace", laptop)
        _ = try ok("models", "tag", "penguins:1", "stage=candidate", "--server", server.url, "--workspace", laptop)
        let models = try PulkCLI.array(try ok("models", "list", "--server", server.url, "--workspace", laptop, "--json"))
        #expect(models.first?["description"] as? String == "Palmer penguins' species" && models.first?["latest_version"] as? Int == 1, "\(models)")
        let deployed = try object(try cli.ok(["deploy", "penguins", "--model", "penguins@champion", "--server", server.url, "--workspace", laptop, "--json"],
                                             env: ["USER": "ana-laptop"]))
        #expect((deployed["deployments"] as? [[String: Any]])?.first?["traffic"] as? Int == 100)
        // PULK_SERVER works as --server does.
        let endpointHistory = try ok("endpoints", "show", "penguins", "--server", server.url, "--workspace", laptop, "--json").stdout
        #expect(endpointHistory.contains("\"ana-laptop\""), "\(endpointHistory)")
        let listed = try cli.run("endpoints", "list", "--workspace", laptop, "--json", env: ["PULK_SERVER": server.url])
        #expect(listed.status == 0 && listed.stdout.contains("\"penguins\""), "\(listed.stderr)")
        let refused = try cli.run("deploy", "penguins", "--model", "penguins@nope", "--server", server.url, "--workspace", laptop)
        #expect(refused.status != 0 && refused.stderr.contains("has no alias 'nope'"), "\(refused.stderr)")
        // The server's endpoint host picks the deployment up and scores.
        var version = ""
        let deadline = Date().addingTimeInterval(30)
        while version != "1" && Date() < deadline {
            version = (try? LiveServer.curl(server.url + "/endpoints/penguins/ready")).map { $0.hasSuffix(" 200") ? "1" : "" } ?? ""
            if version != "1" { usleep(100_000) }
        }
        #expect(try Self.score(server.url + "/endpoints/penguins/score")["version"] as? String == "1")
        // Batch scoring reads the server's dataset and registers the predictions there, derived from it.
        _ = try ok("score", "--model", "penguins@champion", "--data", "penguins", "--out", cli.dir.appendingPathComponent("remote-scores.csv").path,
                   "--register-as", "penguin-scores", "--server", server.url, "--workspace", laptop)
        let scores = try object(try ok("data", "show", "penguin-scores", "--server", server.url, "--workspace", laptop, "--json"))
        #expect(scores["derived_from"] as? [String] == ["penguins:1"])
        let profiled = try ok("data", "profile", "penguins", "--server", server.url, "--workspace", laptop)
        #expect(profiled.stdout.contains("344"))
        #expect((try? FileManager.default.contentsOfDirectory(atPath: laptop + "/blobs/sha256"))?.isEmpty ?? true)
        let shown = try object(try ok("endpoints", "show", "penguins", "--server", server.url, "--workspace", laptop, "--json"))
        #expect(((shown["events"] as? [[String: Any]])?.map { $0["kind"] as? String }) == ["create", "deploy"])
        // Nothing of the server's landed in the laptop's workspace.
        #expect(!FileManager.default.fileExists(atPath: laptop + "/artifacts"))
        let both = try cli.run("endpoints", "list", "--server", server.url, "--store-uri", "postgresql://x@127.0.0.1/y", "--workspace", laptop)
        #expect(both.status != 0 && both.stderr.contains("--server and --store-uri"), "\(both.stderr)")
    }
}

extension PulkCLI {
    /// Trains GBDT and logistic models into the workspace and registers them as penguins versions 1 and 2; champion → 1.
    func registeredPenguins(_ ws: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        _ = try ok(["data", "add", penguins, "--name", "penguins", "--workspace", ws], sourceLocation: sourceLocation)
        for (model, out) in [("gbdt", "gbdt.pulk"), ("logistic", "logistic.pulk")] {
            let trained = try ok(["train", "--data", "penguins", "--target", "species", "--model", model, "--no-profile",
                                  "--out", dir.appendingPathComponent(out).path, "--workspace", ws, "--json"], sourceLocation: sourceLocation)
            let run = try #require(try PulkCLI.object(trained, sourceLocation: sourceLocation)["run_id"] as? String)
            _ = try ok(["models", "register", run, "--name", "penguins", "--workspace", ws], sourceLocation: sourceLocation)
        }
        _ = try ok(["models", "alias", "penguins@champion", "1", "--workspace", ws], sourceLocation: sourceLocation)
    }
}
