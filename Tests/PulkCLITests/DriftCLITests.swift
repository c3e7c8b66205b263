import Foundation
import Testing

/// `pulk drift`: two datasets compared column by column, with a model's predictions and importance,
/// the HTML report, and the misuses a user makes first.
@Suite("Drift: end to end")
struct DriftCLITests {
    let cli = PulkCLI()

    /// Penguins with the bill 4 mm longer and every island "Biscoe": two features drift, the rest not.
    func shiftedPenguins() throws -> String {
        let lines = try String(contentsOfFile: cli.penguins, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let bill = header.firstIndex(of: "bill_length_mm")!, island = header.firstIndex(of: "island")!
        var out = [String(lines[0])]
        for line in lines.dropFirst() where !line.isEmpty {
            var cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if let v = Double(cells[bill]) { cells[bill] = String(v + 4) }
            cells[island] = "Biscoe"
            out.append(cells.joined(separator: ","))
        }
        return cli.file("shifted.csv", out.joined(separator: "\n") + "\n")
    }

    @Test func filesComparedWithAReport() throws {
        let shifted = try shiftedPenguins()
        let html = cli.dir.appendingPathComponent("drift.html").path
        let text = try cli.ok(["drift", "--reference", cli.penguins, "--current", shifted, "--html", html]).stdout
        #expect(text.contains("bill_length_mm") && text.contains("HTML report: \(html)"), "\(text)")
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>") && page.contains("bill_length_mm") && !page.contains("<script"))

        let report = try #require(try PulkCLI.object(try cli.ok(["drift", "--reference", cli.penguins, "--current", shifted, "--json"]))["features"] as? [[String: Any]])
        let drifted = Set(report.filter { $0["drifted"] as? Bool == true }.compactMap { $0["name"] as? String })
        #expect(drifted == ["bill_length_mm", "island"], "\(drifted)")
        let bill = try #require(report.first { $0["name"] as? String == "bill_length_mm" })
        #expect(bill["method"] as? String == "ks", "344 reference rows: Kolmogorov–Smirnov")
        #expect((bill["quality"] as? [String: Any])?["out_of_range"] as? Int ?? 0 > 0)

        // one method and threshold chosen by the user
        let chosen = try PulkCLI.object(try cli.ok(["drift", "--reference", cli.penguins, "--current", shifted, "--columns", "bill_length_mm,island",
                                                    "--method-for", "bill_length_mm=psi", "--threshold-for", "bill_length_mm=0.2", "--json"]))
        let features = try #require(chosen["features"] as? [[String: Any]])
        #expect(features.count == 2)
        let psi = try #require(features.first { $0["name"] as? String == "bill_length_mm" })
        #expect(psi["method"] as? String == "psi" && psi["threshold"] as? Double == 0.2)
    }

    /// With a registered model: the reference is its training data (from lineage), its predictions
    /// are compared, and the features carry its importance.
    @Test func aModelsTrainingDataIsTheDefaultReference() throws {
        _ = try cli.ok(["data", "add", cli.penguins, "--name", "penguins"])
        let trained = try PulkCLI.object(try cli.ok(["train", "--data", "penguins", "--target", "species", "--model", "gbdt", "--param", "num_iterations=20", "--json"]))
        let run = try #require(trained["run_id"] as? String)
        _ = try cli.ok(["models", "register", run, "--name", "species"])
        let report = try PulkCLI.object(try cli.ok(["drift", "--model", "species:1", "--current", try shiftedPenguins(), "--json"]))
        #expect(report["reference"] as? String == "penguins:1")
        let predictions = try #require(report["predictions"] as? [[String: Any]])
        #expect(predictions.map { $0["name"] as? String } .contains("prediction"))
        #expect((report["target"] as? [String: Any])?["name"] as? String == "species")
        let features = try #require(report["features"] as? [[String: Any]])
        #expect(features.contains { $0["importance"] as? Double == 1 })
        #expect(!features.contains { $0["name"] as? String == "species" }, "the target is not a feature")
    }

    /// An endpoint's serving log as the current window: the requests it answered, read as the
    /// deployed model reads them, against the data that model was trained on.
    @Test func anEndpointsServingLogAgainstItsTrainingData() throws {
        let server = LiveServer(cli: cli)
        let ws = server.workspace
        try cli.registeredPenguins(ws)
        _ = try cli.ok(["endpoints", "create", "penguins", "--log-sample", "1", "--workspace", ws])
        _ = try cli.ok(["deploy", "penguins", "--model", "penguins@champion", "--workspace", ws])
        let started = try server.start()
        defer { started.terminate(); started.waitUntilExit() }
        // Every 8th penguin, its bill 12 mm longer, one request each.
        let lines = try String(contentsOfFile: cli.penguins, encoding: .utf8).split(separator: "\n").map(String.init)
        let names = lines[0].split(separator: ",").map(String.init)
        var sent = 0
        var truths: [(String, String)] = []
        for line in lines.dropFirst().enumerated().filter({ $0.offset % 8 == 0 }).map(\.element) {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let fields = zip(names, cells).filter { $0.0 != "species" }.map { name, cell -> String in
                if cell == "NA" { return "\"\(name)\": null" }
                if name == "bill_length_mm" { return "\"\(name)\": \(Double(cell)! + 12)" }
                return Double(cell) != nil ? "\"\(name)\": \(cell)" : "\"\(name)\": \"\(cell)\""
            }
            let reply = try LiveServer.curl(server.url + "/endpoints/penguins/score", method: "POST", json: "{\"records\": [{\(fields.joined(separator: ", "))}]}")
            #expect(reply.hasSuffix(" 200"), "\(reply)")
            let answer = (try? JSONSerialization.jsonObject(with: Data(reply.dropLast(4).utf8))) as? [String: Any]
            if let id = answer?["request_id"] as? String { truths.append((id, cells[0])) }
            sent += 1
        }
        var logged = 0
        let deadline = Date().addingTimeInterval(30)
        while logged < sent && Date() < deadline {
            logged = (try? JSONSerialization.jsonObject(with: Data(try cli.ok(["endpoints", "logs", "penguins", "--limit", "1000", "--workspace", ws, "--json"]).stdout.utf8)) as? [Any])?.count ?? 0
            if logged < sent { usleep(200_000) }
        }
        #expect(logged == sent)
        let report = try PulkCLI.object(try cli.ok(["drift", "--endpoint", "penguins", "--since", "1h", "--workspace", ws, "--json"]))
        #expect(report["reference"] as? String == "penguins:1", "the champion's training data")
        #expect(report["current"] as? String == "endpoint penguins (\(sent) logged requests)")
        #expect(report["current_rows"] as? Int == sent)
        let features = try #require(report["features"] as? [[String: Any]])
        #expect(features.first { $0["name"] as? String == "bill_length_mm" }?["drifted"] as? Bool == true)
        #expect((report["predictions"] as? [[String: Any]])?.contains { $0["name"] as? String == "prediction" } == true)
        let traffic = try #require(report["traffic"] as? [String: Any])
        #expect(traffic["requests"] as? Int == sent && traffic["errors"] as? Int == 0 && (traffic["latency_p99_ms"] as? Double ?? 0) > 0, "\(traffic)")
        // The true species of every request, sent back as feedback: the monitor's window reports realized accuracy.
        #expect(truths.count == sent)
        let feedbackFile = cli.file("truth.csv", "request_id,truth\n" + truths.map { "\($0.0),\($0.1)" }.joined(separator: "\n") + "\n")
        let fed = try cli.ok(["feedback", "add", "--endpoint", "penguins", "--data", feedbackFile, "--workspace", ws]).stdout
        #expect(fed.contains("Sent \(sent) true values for endpoint penguins: \(sent) new"), "\(fed)")
        let missing = try cli.run(["feedback", "add", "--endpoint", "penguins", "--data", feedbackFile, "--truth", "species", "--workspace", ws])
        #expect(missing.status != 0 && missing.stderr.contains("has no column 'species' (--truth)"), "\(missing.stderr)")
        // A monitor of the endpoint: a window computed now, shown, its report written; paused, listed, deleted.
        let created = try cli.ok(["monitor", "create", "penguins-drift", "--endpoint", "penguins", "--window", "1h", "--every", "30m", "--workspace", ws]).stdout
        #expect(created.contains("Created monitor penguins-drift of endpoint penguins: a 1h window every 30m"), "\(created)")
        let window = try PulkCLI.object(try cli.ok(["monitor", "run", "penguins-drift", "--workspace", ws, "--json"]))
        #expect(window["status"] as? String == "ok" && window["rows"] as? Int == sent, "\(window)")
        let realized = try #require(try JSONSerialization.jsonObject(with: Data((window["performance"] as? String ?? "{}").utf8)) as? [String: Double])
        #expect(realized["rows_with_truth"] == Double(sent) && (realized["accuracy"] ?? 0) > 0.5, "bills 12 mm longer fool the model only partly: \(realized)")
        #expect(realized["f1_weighted"] != nil && realized["requests"] == Double(sent) && realized["error_rate"] == 0, "\(realized)")
        let id = try #require(window["id"] as? String)
        _ = try cli.ok(["monitor", "run", "penguins-drift", "--workspace", ws])  // a second window, for the trend charts
        let shown = try cli.ok(["monitor", "show", "penguins-drift", "--workspace", ws]).stdout
        #expect(shown.contains(id) && shown.contains("bill_length_mm"), "\(shown)")
        let html = cli.dir.appendingPathComponent("window.html").path
        _ = try cli.ok(["monitor", "show", "penguins-drift", "--run", id, "--html", html, "--workspace", ws])
        #expect(try String(contentsOfFile: html, encoding: .utf8).contains("bill_length_mm"))
        // The endpoint's page shows the monitor (a heat strip whose cells open each window's report),
        // checked in headless Chromium when the test venv and Chromium are there.
        let page = try LiveServer.curl(server.url + "/ui/endpoints/penguins")
        #expect(page.contains("<h2>Monitoring</h2>") && page.contains("heatstrip") && page.contains("/ui/monitors/penguins-drift/runs/\(id)"), "\(page.suffix(3000))")
        #expect(page.contains("Accuracy per window") && page.contains("Share of drifted features"), "\(page.suffix(3000))")
        #expect(page.contains("Share of each predicted class per window") && page.contains("Latency of the logged requests"), "\(page.suffix(3000))")
        let windowPage = try LiveServer.curl(server.url + "/ui/monitors/penguins-drift/runs/\(id)")
        #expect(windowPage.contains("bill_length_mm") && windowPage.hasSuffix(" 200"))
        if TrackedTrainingTests.python != nil && TrackedTrainingTests.chromium != nil {
            let report = try TrackedTrainingTests.check([server.url + "/ui/endpoints/penguins", server.url + "/ui/monitors/penguins-drift/runs/\(id)"],
                                                        out: cli.dir.appendingPathComponent("shots").path)
            #expect(report.status == 0, "browser problems: \(report.output.prefix(3000))")
        }
        _ = try cli.ok(["monitor", "pause", "penguins-drift", "--workspace", ws])
        #expect(try cli.ok(["monitor", "list", "--workspace", ws]).stdout.contains("paused"))
        let runs = try #require(try JSONSerialization.jsonObject(with: Data(try cli.ok(["runs", "list", "--experiment", "monitor/penguins-drift", "--workspace", ws, "--json"]).stdout.utf8)) as? [[String: Any]])
        #expect(runs.count == 2, "each window is a tracking run too")
        let bad = try cli.run(["monitor", "create", "x", "--endpoint", "penguins", "--window", "soon", "--workspace", ws])
        #expect(bad.status != 0 && bad.stderr.contains("--window takes a period"))
        _ = try cli.ok(["monitor", "delete", "penguins-drift", "--workspace", ws])
        #expect(try cli.run(["monitor", "show", "penguins-drift", "--workspace", ws]).stderr.contains("No monitor named 'penguins-drift'"))

        _ = try cli.ok(["endpoints", "create", "quiet", "--workspace", ws])
        let empty = try cli.run(["drift", "--endpoint", "quiet", "--workspace", ws])
        #expect(empty.status != 0 && empty.stderr.contains("endpoint quiet has no logged answered request"), "\(empty.stderr)")
        let unknown = try cli.run(["drift", "--endpoint", "nope", "--workspace", ws])
        #expect(unknown.status != 0 && unknown.stderr.contains("nope"), "\(unknown.stderr)")
    }

    @Test(arguments: [
        (["--reference", "REF"], "Give the current data with --current NAME|FILE, or --endpoint NAME"),
        (["--reference", "REF", "--current", "CUR", "--since", "1h"], "--since applies to --endpoint"),
        (["--endpoint", "x", "--since", "soon"], "--since takes a period"),
        (["--current", "CUR"], "no reference data"),
        (["--reference", "REF", "--current", "CUR", "--method", "magic"], "Unknown drift method 'magic'"),
        (["--reference", "REF", "--current", "CUR", "--method-for", "island"], "--method-for takes COLUMN=VALUE"),
        (["--reference", "REF", "--current", "CUR", "--drift-share", "2"], "--drift-share must be between 0 and 1"),
        (["--reference", "REF", "--current", "CUR", "--columns", "nope"], "column 'nope' is not in the reference data"),
        (["--reference", "REF", "--current", "CUR", "--method-for", "island=ks"], "ks does not apply to categorical column 'island'"),
        (["--reference", "REF", "--current", "missing.csv"], "missing.csv"),
    ])
    func misuseIsAClearError(args: [String], message: String) throws {
        let shifted = try shiftedPenguins()
        let r = try cli.run(["drift"] + args.map { $0 == "REF" ? cli.penguins : $0 == "CUR" ? shifted : $0 })
        #expect(r.status != 0)
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }
}
