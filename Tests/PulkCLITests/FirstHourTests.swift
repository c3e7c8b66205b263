import Foundation
import Testing

/// What a new user meets first: every model-taking command takes every model form, servers print
/// their banner at once and say when a port is taken, and refusals say how to fix the input.
@Suite("First hour: consistent commands and errors that say how to fix")
struct FirstHourTests {
    let cli = PulkCLI()

    @Test("predict, evaluate and explain take NAME@ALIAS and NAME:VERSION as score and serve do")
    func everyModelForm() throws {
        let ws = cli.dir.appendingPathComponent("ws").path
        let run = try #require(try PulkCLI.object(try cli.ok(["train", "--data", cli.penguins, "--target", "species", "--model", "gbdt", "--no-profile",
                                                                "--out", cli.dir.appendingPathComponent("m.pulk").path, "--workspace", ws, "--json"]))["run_id"] as? String)
        _ = try cli.ok(["models", "register", run, "--name", "penguins", "--workspace", ws])
        _ = try cli.ok(["models", "alias", "penguins@champion", "1", "--workspace", ws])
        for model in ["penguins@champion", "penguins:1", "models:/penguins/1"] {
            let out = cli.dir.appendingPathComponent("p.csv").path
            _ = try cli.ok(["predict", "--model", model, "--data", cli.penguins, "--out", out, "--workspace", ws])
            #expect(try String(contentsOfFile: out, encoding: .utf8).hasPrefix("prediction,probability_Adelie"))
            let evaluated = try PulkCLI.object(try cli.ok(["evaluate", "--model", model, "--data", cli.penguins, "--no-track", "--workspace", ws, "--json"]))
            #expect((evaluated["metrics"] as? [[String: Any]])?.isEmpty == false)
            #expect(try cli.ok(["explain", "--model", model, "--workspace", ws]).stdout.contains("FEATURE"))
        }
        let missing = try cli.run("predict", "--model", "penguins@nope", "--data", cli.penguins, "--out", "x.csv", "--workspace", ws)
        #expect(missing.status != 0 && missing.stderr.contains("has no alias 'nope' (aliases: champion)"), "\(missing.stderr)")
        let noFile = try cli.run("evaluate", "--model", "gone.pulk", "--data", cli.penguins, "--workspace", ws)
        #expect(noFile.status != 0 && noFile.stderr.contains("gone.pulk: no such model file"), "\(noFile.stderr)")
    }

    @Test("Refusals say how to fix: short run prefixes, missing versions, misspelt models and parameters")
    func refusalsSayTheFix() throws {
        let ws = cli.dir.appendingPathComponent("ws").path
        let run = try #require(try PulkCLI.object(try cli.ok(["train", "--data", cli.penguins, "--target", "species", "--model", "naive-bayes", "--no-profile",
                                                                "--out", cli.dir.appendingPathComponent("m.pulk").path, "--workspace", ws, "--json"]))["run_id"] as? String)
        let short = try cli.run("models", "register", String(run.prefix(4)), "--name", "m", "--workspace", ws)
        #expect(short.status != 0 && short.stderr.contains("is too short to pick a run: give at least 6 characters"), "\(short.stderr)")
        _ = try cli.ok(["models", "register", String(run.prefix(8)), "--name", "m", "--workspace", ws])
        let absent = try cli.run("models", "alias", "m@champion", "9", "--workspace", ws)
        #expect(absent.status != 0 && absent.stderr.contains("Model 'm' has no version 9 (versions: 1)"), "\(absent.stderr)")
        let model = try cli.run("train", "--data", cli.penguins, "--target", "species", "--model", "gdbt", "--workspace", ws)
        #expect(model.status != 0 && model.stderr.contains("Did you mean gbdt?"), "\(model.stderr)")
        let param = try cli.run("train", "--data", cli.penguins, "--target", "species", "--model", "gbdt", "--param", "num_leave=8", "--workspace", ws)
        #expect(param.status != 0 && param.stderr.contains("Did you mean num_leaves?"), "\(param.stderr)")
    }

    @Test("Models, runs and experiments are listed, described, tagged and deleted from the CLI, with the API's refusals")
    func editAndDelete() throws {
        let ws = cli.dir.appendingPathComponent("ws").path
        func train() throws -> String {
            try #require(try PulkCLI.object(try cli.ok(["train", "--data", cli.penguins, "--target", "species", "--model", "naive-bayes", "--no-profile",
                                                         "--experiment", "edits", "--workspace", ws, "--json"]))["run_id"] as? String)
        }
        let first = try train(), second = try train()
        _ = try cli.ok(["models", "register", first, "--name", "penguins", "--workspace", ws])
        _ = try cli.ok(["models", "register", second, "--name", "penguins", "--workspace", ws])
        _ = try cli.ok(["models", "describe", "penguins", "Species from measurements", "--workspace", ws])
        _ = try cli.ok(["models", "describe", "penguins:2", "Retrained", "--workspace", ws])
        _ = try cli.ok(["models", "tag", "penguins", "team=field", "owner=ana", "--workspace", ws])
        let listed = try cli.ok(["models", "list", "--workspace", ws]).stdout
        #expect(listed.contains("penguins") && listed.contains("Species from measurements"), "\(listed)")
        let json = try PulkCLI.array(try cli.ok(["models", "list", "--filter", "tags.team = 'field'", "--workspace", ws, "--json"]))
        #expect(json.count == 1 && (json[0]["latest_version"] as? Int) == 2, "\(json)")
        _ = try cli.ok(["models", "delete", "penguins:1", "--workspace", ws])
        let gone = try cli.run("models", "alias", "penguins@champion", "1", "--workspace", ws)
        #expect(gone.status != 0 && gone.stderr.contains("versions: 2"), "\(gone.stderr)")
        let missing = try cli.run("models", "delete", "nothing-here", "--workspace", ws)
        #expect(missing.status != 0 && missing.stderr.contains("nothing-here"), "\(missing.stderr)")
        _ = try cli.ok(["runs", "tag", first, "reviewed=yes", "--description", "the first try", "--workspace", ws])
        let shown = try PulkCLI.object(try cli.ok(["runs", "show", first, "--workspace", ws, "--json"]))
        #expect((shown["tags"] as? [String: String])?["mlflow.note.content"] == "the first try")
        _ = try cli.ok(["runs", "delete", first, "--workspace", ws])
        #expect(!(try cli.ok(["runs", "list", "--experiment", "edits", "--workspace", ws]).stdout.contains(String(first.prefix(8)))))
        _ = try cli.ok(["experiments", "delete", "edits", "--workspace", ws])
        #expect(!(try cli.ok(["experiments", "list", "--workspace", ws]).stdout.contains("edits")))
    }

    @Test("predict and score copy chosen input columns before the predictions, ids as written")
    func keepColumns() throws {
        let ws = cli.dir.appendingPathComponent("ws").path
        // An id with leading zeros, a text column and a feature.
        var csv = "id,region,x,y\n"
        for i in 0..<40 { csv += "\(String(format: "%03d", i)),\(i % 2 == 0 ? "north" : "\"south, east\""),\(i),\(i * 2 + (i % 3))\n" }
        let data = cli.dir.appendingPathComponent("ids.csv").path
        try csv.write(toFile: data, atomically: true, encoding: .utf8)
        let model = cli.dir.appendingPathComponent("ids.pulk").path
        _ = try cli.ok(["train", "--data", data, "--target", "y", "--model", "ridge", "--no-profile", "--no-track", "--out", model, "--workspace", ws])
        let out = cli.dir.appendingPathComponent("p.csv").path
        for command in ["predict", "score"] {
            _ = try cli.ok([command, "--model", model, "--data", data, "--out", out, "--keep", "id,region", "--no-track", "--workspace", ws].filter { command == "score" || $0 != "--no-track" })
            let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
            #expect(lines.first == "id,region,prediction", "\(command): \(lines.first ?? "")")
            #expect(lines.count == 41)
            #expect(lines[1].hasPrefix("000,north,") && lines[2].hasPrefix("001,\"south, east\","), "\(command): \(lines[1]) \(lines[2])")
            _ = try cli.ok([command, "--model", model, "--data", data, "--out", out, "--keep-all", "--no-track", "--workspace", ws].filter { command == "score" || $0 != "--no-track" })
            #expect(try String(contentsOfFile: out, encoding: .utf8).hasPrefix("id,region,x,y,prediction\n000,north,0,0,"), "\(command)")
            let unknown = try cli.run(command, "--model", model, "--data", data, "--out", out, "--keep", "ID", "--workspace", ws)
            #expect(unknown.status != 0 && unknown.stderr.contains("ID") && unknown.stderr.contains("'id', 'region', 'x', 'y'"), "\(command): \(unknown.stderr)")
        }
        // A registered dataset keeps its columns too.
        _ = try cli.ok(["data", "add", data, "--name", "ids", "--workspace", ws])
        _ = try cli.ok(["score", "--model", model, "--data", "ids", "--out", out, "--keep", "region", "--no-track", "--workspace", ws])
        #expect(try String(contentsOfFile: out, encoding: .utf8).hasPrefix("region,prediction\nnorth,"))
        let both = try cli.run("predict", "--model", model, "--data", data, "--out", out, "--keep", "id", "--keep-all", "--workspace", ws)
        #expect(both.status != 0 && both.stderr.contains("--keep and --keep-all exclude each other"), "\(both.stderr)")
    }

    @Test("runs list chooses its columns from the runs' tasks and fits the terminal; runs show names the experiment and the seed used")
    func runsListColumns() throws {
        let ws = cli.dir.appendingPathComponent("ws").path
        let regression = try #require(try PulkCLI.object(try cli.ok(["train", "--data", cli.penguins, "--target", "body_mass_g", "--model", "ridge", "--no-profile",
                                                                       "--experiment", "mixed", "--workspace", ws, "--json"]))["run_id"] as? String)
        _ = try cli.ok(["train", "--data", cli.penguins, "--target", "species", "--model", "gbdt", "--param", "n_estimators=5", "--no-profile",
                        "--experiment", "mixed", "--cv", "3", "--workspace", ws])
        let listed = try cli.ok(["runs", "list", "--experiment", "mixed", "--workspace", ws]).stdout
        let header = try #require(listed.split(separator: "\n").first)
        #expect(header.contains("TASK") && header.contains("SCORE") && header.contains("ACCURACY") && header.contains("RMSE"), "\(listed)")
        #expect(listed.contains("rmse ") && listed.contains("accuracy "), "\(listed)")
        #expect(listed.contains(" cv") && listed.contains("(cv: the cross-validation mean)"), "\(listed)")
        let narrow = try cli.ok(["runs", "list", "--workspace", ws], env: ["COLUMNS": "80"]).stdout
        #expect(narrow.split(separator: "\n").allSatisfy { $0.count <= 80 }, "\(narrow)")
        #expect(narrow.contains(String(regression.prefix(8))) && !narrow.contains(regression))
        let chosen = try cli.ok(["runs", "list", "--columns", "name,params.alpha,metrics.test_r2,tags.pulk.task", "--experiment", "mixed", "--workspace", ws]).stdout
        #expect(chosen.hasPrefix("NAME") && chosen.contains("PULK.TASK") && chosen.contains("regression"), "\(chosen)")
        let bad = try cli.run("runs", "list", "--columns", "name,(x)", "--workspace", ws)
        #expect(bad.status != 0 && bad.stderr.contains("'(x)' is not a column"), "\(bad.stderr)")
        let shown = try cli.ok(["runs", "show", regression, "--workspace", ws]).stdout
        #expect(shown.contains("experiment mixed ("), "\(shown)")
        let gbdt = try cli.ok(["runs", "list", "--experiment", "mixed", "--json", "--workspace", ws])
        let params = try #require((try PulkCLI.array(gbdt)).first { ($0["params"] as? [String: String])?["model"] == "gbdt" }?["params"] as? [String: String])
        #expect(params["seed"] == "42" && params["run.seed"] == nil, "\(params)")
    }

    @Test("A server's banner reaches a pipe at once, and a port in use is named before anything starts")
    func bannerAndBusyPort() throws {
        let server = LiveServer(cli: cli)
        let process = try server.start()
        defer { process.terminate(); process.waitUntilExit() }
        // stdout is a file here, as under Docker or with `&` and a redirection.
        #expect(try String(contentsOf: server.log, encoding: .utf8).contains("pulk server on http://127.0.0.1:\(server.port)"))
        let busy = try cli.run("server", "--port", String(server.port), "--workspace", cli.dir.appendingPathComponent("other").path)
        #expect(busy.status != 0 && busy.stderr.contains("port \(server.port) is in use on 127.0.0.1; choose another with --port"), "\(busy.stderr)")
        #expect(!busy.stdout.contains("pulk server on"))
    }

    @Test("pulk train writes a model file only when asked, and never replaces one without saying so")
    func modelFileOnlyWhenAsked() throws {
        let ws = cli.dir.appendingPathComponent("ws").path
        let here = cli.dir.appendingPathComponent("model.pulk").path
        let tracked = try cli.ok(["train", "--data", cli.penguins, "--target", "species", "--model", "naive-bayes", "--no-profile", "--workspace", ws])
        #expect(tracked.stdout.contains("Model kept in the run as model/model.pulk"))
        #expect(!FileManager.default.fileExists(atPath: here))
        let untracked = try cli.ok(["train", "--data", cli.penguins, "--target", "species", "--model", "naive-bayes", "--no-track", "--workspace", ws])
        #expect(untracked.stdout.contains("Model written to model.pulk") && FileManager.default.fileExists(atPath: here))
        let again = try cli.run("train", "--data", cli.penguins, "--target", "species", "--model", "naive-bayes", "--no-track", "--workspace", ws)
        #expect(again.status != 0 && again.stderr.contains("model.pulk exists"), "\(again.stderr)")
        let named = try cli.ok(["train", "--data", cli.penguins, "--target", "species", "--model", "naive-bayes", "--no-track", "--out", "model.pulk",
                                "--workspace", ws])
        #expect(named.stdout.contains("Model written to model.pulk (it replaced the file that was there)"))
        let json = try PulkCLI.object(try cli.ok(["train", "--data", cli.penguins, "--target", "species", "--model", "naive-bayes", "--no-profile",
                                                  "--workspace", ws, "--json"]))
        #expect(json["out"] == nil && json["run_id"] is String)
    }

    @Test("Nothing silent: rows without a target are counted, a description that cannot apply is named")
    func nothingSilent() throws {
        let ws = cli.dir.appendingPathComponent("ws").path
        let csv = cli.dir.appendingPathComponent("gaps.csv").path
        var text = "x,y\n"
        for i in 0..<60 { text += "\(i),\(i % 7 == 0 ? "" : String(i % 2))\n" }
        try text.write(toFile: csv, atomically: true, encoding: .utf8)
        let trained = try cli.ok(["train", "--data", csv, "--target", "y", "--model", "logistic", "--no-profile", "--workspace", ws])
        #expect(trained.stdout.contains("Left out 9 rows with no value in y"), "\(trained.stdout)")
        let json = try PulkCLI.object(try cli.ok(["train", "--data", csv, "--target", "y", "--model", "logistic", "--no-profile", "--workspace", ws, "--json"]))
        #expect((json["report"] as? [String: Any])?["rows_without_target"] as? Int == 9)
        _ = try cli.ok(["data", "add", csv, "--name", "gaps", "--description", "first", "--workspace", ws])
        let again = try cli.ok(["data", "add", csv, "--name", "gaps", "--description", "second", "--workspace", ws])
        #expect(again.stderr.contains("The description was not applied: gaps:1 keeps its own (\"first\")"), "\(again.stderr)")
    }

    @Test("The first command says where it created the workspace; an empty folder is taken as one", .localWorkspace("the workspace's creation"))
    func workspaceCreation() throws {
        let first = try cli.ok(["data", "list"])
        #expect(first.stderr.contains("Created the workspace \(cli.dir.appendingPathComponent("pulk-workspace").path)"), "\(first.stderr)")
        let second = try cli.ok(["data", "list"])
        #expect(!second.stderr.contains("Created the workspace"))
        let empty = cli.dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let inEmpty = try cli.ok(["train", "--data", cli.penguins, "--target", "species", "--model", "naive-bayes", "--no-profile", "--workspace", empty.path])
        #expect(inEmpty.stderr.contains("Created the workspace \(empty.path)"), "\(inEmpty.stderr)")
    }

    @Test("pulk workspace info shows runs, models, endpoints and size beside the datasets")
    func workspaceInfo() throws {
        let ws = cli.dir.appendingPathComponent("ws").path
        _ = try cli.ok(["data", "add", cli.penguins, "--name", "penguins", "--workspace", ws])
        let run = try #require(try PulkCLI.object(try cli.ok(["train", "--data", "penguins", "--target", "species", "--model", "naive-bayes",
                                                                "--no-profile", "--workspace", ws, "--json"]))["run_id"] as? String)
        _ = try cli.ok(["models", "register", run, "--name", "penguins", "--workspace", ws])
        _ = try cli.ok(["endpoints", "create", "penguins", "--workspace", ws])
        let info = try PulkCLI.object(try cli.ok(["workspace", "info", "--workspace", ws, "--json"]))
        #expect(info["datasets"] as? Int == 1 && info["runs"] as? Int == 1 && info["registered_models"] as? Int == 1 && info["endpoints"] as? Int == 1)
        #expect((info["size_bytes"] as? Int ?? 0) > 10_000 && info["runs_capped"] as? Bool == false)
        let text = try cli.ok(["workspace", "info", "--workspace", ws]).stdout
        #expect(text.contains("Runs        1 in 1 experiment") && text.contains("Models      1 registered") && text.contains("Endpoints   1"), "\(text)")
    }
}
