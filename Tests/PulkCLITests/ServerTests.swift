import Foundation
import Testing

/// A `pulk server` on a random loopback port, over a workspace of its own.
struct LiveServer {
    struct StartFailure: Error, CustomStringConvertible { let description: String }
    let cli: PulkCLI
    /// More `pulk server` options (`--store-uri …`).
    var options: [String] = []
    /// The command that serves: `pulk server`, or `pulk serve MODEL`.
    var command = ["server"]
    /// Below Linux's ephemeral range (32768 and up), where outgoing connections of the other tests could hold it.
    let port = Int.random(in: 20_000..<32_000)
    var workspace: String { cli.dir.appendingPathComponent("ws").path }
    var url: String { "http://127.0.0.1:\(port)" }

    /// The server's stdout and stderr (request logs): a file, so a long test never fills a pipe
    /// nobody reads and stalls the server.
    var log: URL { cli.dir.appendingPathComponent("server-\(port).log") }

    /// Starts the server and waits for /health; if it exits or never answers, throws with its log.
    func start() throws -> Process {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        let server = try cli.start(command + ["--port", String(port), "--workspace", workspace] + options, output: output)
        try Self.awaitHealth(server, url: url, log: log)
        return server
    }

    /// Waits for `server`'s /health; if it exits or never answers, stops it and throws with its log.
    static func awaitHealth(_ server: Process, url: String, log: URL) throws {
        // A loaded CI machine (the whole suite runs in parallel) can take a while; give up early
        // only when the server has exited.
        let deadline = Date().addingTimeInterval(90)
        while Date() < deadline && server.isRunning {
            if try curl("\(url)/health") == "OK 200" { return }
            usleep(50_000)
        }
        if server.isRunning { server.terminate() }
        server.waitUntilExit()
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw StartFailure(description: "pulk server did not start (exit \(server.terminationStatus)): \(text.suffix(3000))")
    }

    /// A new run in the Default experiment, through MLflow's API; its id.
    func createRun(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let created = try Self.curl("\(url)/api/2.0/mlflow/runs/create", method: "POST", json: "{\"experiment_id\": \"0\"}")
        let run = try #require(try JSONSerialization.jsonObject(with: Data(created.dropLast(4).utf8)) as? [String: Any], sourceLocation: sourceLocation)
        return try #require((run["run"] as? [String: Any]).flatMap { $0["info"] as? [String: Any] }?["run_id"] as? String, sourceLocation: sourceLocation)
    }

    /// Runs a Python client script with `url` as its argument; returns its stdout.
    func python(_ interpreter: String, _ script: String) throws -> String {
        let r = try PulkCLI.execute(interpreter, [PulkCLI.repoRoot.appendingPathComponent(script).path, url])
        #expect(r.status == 0, "\(script): \(r.stderr.suffix(3000))")
        return r.stdout
    }

    /// Body and status of a request, via curl (as a user would check): `BODY STATUS`. A server that
    /// accepts and never answers fails the request after 120 s (status 000) instead of hanging the suite.
    @discardableResult
    static func curl(_ url: String, method: String = "GET", json: String? = nil, dataFile: String? = nil, headers: [String] = []) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        var args = ["-s", "--max-time", "120", "-w", " %{http_code}", "-X", method, url]
        for h in headers { args += ["-H", h] }
        if let json { args += ["-H", "Content-Type: application/json", "--data-binary", json] }
        if let dataFile { args += ["-H", "Content-Type: application/json", "--data-binary", "@" + dataFile] }
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return text
    }
}

@Suite("pulk server: end to end")
struct ServerTests {
    let cli = PulkCLI()
    static let python3 = ProcessInfo.processInfo.environment["PULK_PYTHON"]
    static let python2 = ProcessInfo.processInfo.environment["PULK_PYTHON_MLFLOW2"]

    /// The real mlflow 3.x client (Tests/oracle/mlflow_client.py): tracking, artifacts, sklearn
    /// log_model, the registry with aliases, and pyfunc loading through the server.
    @Test(.enabled(if: python3 != nil))
    func mlflow3ClientTalksToPulkServer() throws {
        let live = LiveServer(cli: cli)
        let server = try live.start()
        defer { server.terminate(); server.waitUntilExit() }
        #expect(try live.python(Self.python3!, "Tests/oracle/mlflow_client.py").contains("\"ok\": true"))
        // Bad requests are 4xx with MLflow's error body, never a 500.
        let traversal = try LiveServer.curl("\(live.url)/api/2.0/mlflow-artifacts/artifacts/1/..%2F..%2Fetc/passwd")
        #expect(traversal.hasPrefix("{\"error_code\":\"INVALID_PARAMETER_VALUE\"") && traversal.hasSuffix(" 400"), "\(traversal)")
        let missing = try LiveServer.curl("\(live.url)/api/2.0/mlflow/runs/get?run_id=nope")
        #expect(missing.contains("RESOURCE_DOES_NOT_EXIST") && missing.hasSuffix(" 404"), "\(missing)")
        let noEndpoint = try LiveServer.curl("\(live.url)/api/2.0/mlflow/no-such-thing", method: "POST", json: "{}")
        #expect(noEndpoint.contains("ENDPOINT_NOT_FOUND") && noEndpoint.hasSuffix(" 404"), "\(noEndpoint)")
        let notJSON = try LiveServer.curl("\(live.url)/api/2.0/mlflow/runs/create", method: "POST", json: "[1, 2")
        #expect(notJSON.contains("BAD_REQUEST") && notJSON.hasSuffix(" 400"), "\(notJSON)")
        let badSource = try LiveServer.curl("\(live.url)/api/2.0/mlflow/model-versions/create", method: "POST",
                                            json: "{\"name\": \"x\", \"source\": \"file:///etc\"}")
        #expect(badSource.hasSuffix(" 404") || badSource.hasSuffix(" 400"), "\(badSource)")
        // A body over the limit (16 MiB by default) gets 413.
        let big = cli.file("big.json", "{\"name\": \"" + String(repeating: "x", count: 17 << 20) + "\"}")
        let tooLarge = try LiveServer.curl("\(live.url)/api/2.0/mlflow/experiments/create", method: "POST", dataFile: big)
        #expect(tooLarge.hasSuffix(" 413"), "\(tooLarge.suffix(200))")
        // Prometheus metrics: request counts and latency histograms per route.
        let metrics = try LiveServer.curl("\(live.url)/metrics")
        #expect(metrics.contains("hb_requests") && metrics.contains("/api/2.0/mlflow/runs/log-batch") && metrics.contains("_bucket"), "\(metrics.prefix(2000))")
    }

    /// The MLflow 2.x client (Tests/oracle/mlflow2_client.py): 2.x model logging, registry, aliases, stages.
    @Test(.enabled(if: python2 != nil))
    func mlflow2ClientTalksToPulkServer() throws {
        let live = LiveServer(cli: cli)
        let server = try live.start()
        defer { server.terminate(); server.waitUntilExit() }
        #expect(try live.python(Self.python2!, "Tests/oracle/mlflow2_client.py").contains("\"ok\": true"))
    }

    /// Pulk's native API against its OpenAPI 3.1 document (Tests/oracle/native_api.py): the document is
    /// valid, every documented route answers what it documents, and lineage reaches the dataset's hash.
    @Test(.enabled(if: python3 != nil))
    func nativeAPIMatchesItsOpenAPIDocument() throws {
        let live = LiveServer(cli: cli)
        let add = try cli.run("data", "add", cli.penguins, "--name", "penguins", "--workspace", live.workspace)
        #expect(add.status == 0, "\(add.stderr)")
        // With accounts on, so the account routes answer what they document (the script signs in with the token).
        _ = try cli.ok(["users", "add", "admin", "--role", "admin", "--password-stdin", "--workspace", live.workspace], input: "admin-password\n")
        let token = try cli.ok(["tokens", "create", "--user", "admin", "--workspace", live.workspace]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try live.start()
        defer { server.terminate(); server.waitUntilExit() }
        let r = try PulkCLI.execute(Self.python3!, [PulkCLI.repoRoot.appendingPathComponent("Tests/oracle/native_api.py").path, live.url, token])
        #expect(r.status == 0 && r.stdout.contains("\"ok\": true"), "\(r.stderr.suffix(3000))")
    }

    /// Artifacts stream: a 256 MiB upload and download leave the server's peak resident memory far
    /// below the file's size (a server that held bodies whole would pass 256 MiB), and the bytes
    /// come back identical.
    @Test func largeArtifactsStreamThroughConstantMemory() throws {
        let live = LiveServer(cli: cli)
        let server = try live.start()
        defer { server.terminate(); server.waitUntilExit() }
        let path = cli.dir.appendingPathComponent("big.bin").path
        let size = 256 << 20
        var block = [UInt8](repeating: 0, count: 1 << 20)
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        for i in 0..<(size >> 20) {
            for k in stride(from: 0, to: block.count, by: 4096) { block[k] = UInt8(truncatingIfNeeded: i &* 31 &+ k >> 12) }
            handle.write(Data(block))
        }
        try handle.close()
        let url = "\(live.url)/api/2.0/mlflow-artifacts/artifacts/0/run/artifacts/big.bin"
        #expect(try Self.shell("curl -s -o /dev/null -w '%{http_code}' -T \(path) \(url)") == "200")
        let back = cli.dir.appendingPathComponent("back.bin").path
        #expect(try Self.shell("curl -s -o \(back) -w '%{http_code}' \(url)") == "200")
        #expect(try Self.shell("cmp -s \(path) \(back) && echo same") == "same")
        let status = try String(contentsOfFile: "/proc/\(server.processIdentifier)/status", encoding: .utf8)
        let peakKB = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? .max
        #expect(peakKB < 160 << 10, "peak resident memory \(peakKB) KB for a 256 MiB artifact")
    }

    static func shell(_ command: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The same mlflow 3.x client against a server keeping its store in PostgreSQL (a fresh database
    /// in the cluster scripts/test starts).
    @Test(.enabled(if: python3 != nil && ProcessInfo.processInfo.environment["PULK_POSTGRES_URL"] != nil))
    func mlflow3ClientOnPostgreSQL() throws {
        let admin = ProcessInfo.processInfo.environment["PULK_POSTGRES_URL"]!
        let name = "pulk_server_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        #expect(try Self.shell("psql '\(admin)' -q -c 'CREATE DATABASE \(name)' && echo created") == "created")
        var url = URLComponents(string: admin)!
        url.path = "/" + name
        let live = LiveServer(cli: cli, options: ["--store-uri", url.string!])
        let server = try live.start()
        defer { server.terminate(); server.waitUntilExit() }
        #expect(try live.python(Self.python3!, "Tests/oracle/mlflow_client.py").contains("\"ok\": true"))
        // The web UI over the same PostgreSQL store: every experiment's runs table, and each run's page.
        let home = try LiveServer.curl(live.url + "/")
        #expect(home.hasSuffix(" 200"))
        let experiments = Set(home.matches(of: /\/ui\/experiments\/([0-9]+)/).map { String($0.1) })
        #expect(!experiments.isEmpty)
        for id in experiments {
            let table = try LiveServer.curl(live.url + "/ui/experiments/\(id)")
            #expect(table.hasSuffix(" 200") && !table.contains("role=\"alert\""), "experiment \(id)")
            for run in Set(table.matches(of: /\/ui\/runs\/([0-9a-f]{32})/).map { String($0.1) }).prefix(5) {
                #expect(try LiveServer.curl(live.url + "/ui/runs/\(run)").hasSuffix(" 200"), "run \(run)")
            }
        }
    }

    /// The real mlflow client's webhook API (Tests/oracle/mlflow_webhooks.py): create, list, update,
    /// test, delete, and signed deliveries of registry events to a local receiver.
    @Test(.enabled(if: python3 != nil))
    func mlflowClientWebhooks() throws {
        let live = LiveServer(cli: cli, options: ["--allow-http-webhooks", "--allow-private-webhooks"])
        let server = try live.start()
        defer { server.terminate(); server.waitUntilExit() }
        #expect(try live.python(Self.python3!, "Tests/oracle/mlflow_webhooks.py").contains("\"ok\": true"))
    }

    /// SIGTERM lets requests in flight finish: an upload still arriving when the signal comes lands
    /// whole and is acknowledged, then the server exits cleanly.
    @Test func sigtermLetsInFlightRequestsFinish() throws {
        let live = LiveServer(cli: cli)
        let server = try live.start()
        let path = cli.dir.appendingPathComponent("slow.bin").path
        _ = FileManager.default.createFile(atPath: path, contents: Data((0..<(8 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) }))
        let upload = Process()
        upload.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        upload.arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--limit-rate", "2M", "-T", path,
                            "\(live.url)/api/2.0/mlflow-artifacts/artifacts/0/run/artifacts/slow.bin"]
        let out = Pipe()
        upload.standardOutput = out
        try upload.run()
        // Wait until the server is receiving the upload (its temporary file exists), then signal.
        let folder = URL(fileURLWithPath: live.workspace).appendingPathComponent("artifacts/0/run/artifacts").path
        var receiving = false
        for _ in 0..<400 where !receiving {
            receiving = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).contains { $0.hasPrefix(".pulk-upload-") }
            if !receiving { usleep(10_000) }
        }
        #expect(receiving, "the upload never started")
        kill(server.processIdentifier, SIGTERM)
        let code = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        upload.waitUntilExit()
        server.waitUntilExit()
        #expect(code == "200")
        #expect(server.terminationStatus == 0)
        #expect(try Self.shell("cmp -s \(path) \(folder)/slow.bin && echo same") == "same")
    }

    /// An acknowledged write survives `kill -9` of the server (SQLite in WAL mode).
    @Test func acknowledgedWritesSurviveKill9() throws {
        let live = LiveServer(cli: cli)
        var server = try live.start()
        let id = try live.createRun()
        for step in 0..<20 {
            let ack = try LiveServer.curl("\(live.url)/api/2.0/mlflow/runs/log-metric", method: "POST",
                                          json: "{\"run_id\": \"\(id)\", \"key\": \"loss\", \"value\": \(step), \"timestamp\": 1, \"step\": \(step)}")
            #expect(ack == "{} 200")
        }
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        server = try live.start()
        defer { server.terminate(); server.waitUntilExit() }
        let history = try LiveServer.curl("\(live.url)/api/2.0/mlflow/metrics/get-history?run_id=\(id)&metric_key=loss")
        let metrics = (try JSONSerialization.jsonObject(with: Data(history.dropLast(4).utf8)) as? [String: Any])?["metrics"] as? [[String: Any]]
        #expect(metrics?.count == 20, "\(history.prefix(300))")
    }

    /// Under load: four writers send log-batch requests (10 metrics each) without pause; once each has
    /// 30 answers the server is killed with SIGKILL, mid-request. Three cycles; after each restart every
    /// acknowledged batch is there whole, and the audit trail's hash chain is intact.
    @Test func acknowledgedWritesSurviveKill9UnderLoad() throws {
        let live = LiveServer(cli: cli)
        var server = try live.start()
        let id = try live.createRun()
        let dir = cli.dir.appendingPathComponent("load").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var acked = 0
        for cycle in 0..<3 {
            // Writer w of this cycle logs keys m0…m9 at steps cycle*100000 + w*10000 + n; an answer 200 appends n to its file.
            let writers = (0..<4).map { w -> Process in
                let base = cycle * 100_000 + w * 10_000
                let script = """
                    n=0; while [ $n -lt 5000 ]; do step=$((\(base) + n)); \
                    body=$(printf '{"run_id":"\(id)","metrics":['; for k in 0 1 2 3 4 5 6 7 8 9; do [ $k -gt 0 ] && printf ','; printf '{"key":"m%d","value":%d,"timestamp":1,"step":%d}' $k $step $step; done; printf ']}'); \
                    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "$body" \(live.url)/api/2.0/mlflow/runs/log-batch) || break; \
                    [ "$code" = 200 ] && echo $step >> \(dir)/acked-\(cycle)-\(w); n=$((n + 1)); done
                    """
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/bin/bash")
                p.arguments = ["-c", script]
                try? p.run()
                return p
            }
            // Kill once every writer has been answered 30 times (or one gave up): requests are in flight.
            let deadline = Date().addingTimeInterval(120)
            func count(_ w: Int) -> Int { ((try? String(contentsOfFile: "\(dir)/acked-\(cycle)-\(w)", encoding: .utf8)) ?? "").split(separator: "\n").count }
            while Date() < deadline, (0..<4).contains(where: { count($0) < 30 }), writers.allSatisfy(\.isRunning) { usleep(20_000) }
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
            for p in writers { p.waitUntilExit() }
            server = try live.start()
            acked += (0..<4).map(count).reduce(0, +)
            // Every acknowledged batch is there with all ten metrics.
            let history = try LiveServer.curl("\(live.url)/api/2.0/mlflow/metrics/get-history?run_id=\(id)&metric_key=m9&max_results=100000")
            let metrics = (try JSONSerialization.jsonObject(with: Data(history.dropLast(4).utf8)) as? [String: Any])?["metrics"] as? [[String: Any]] ?? []
            let stored = Set(metrics.compactMap { ($0["step"] as? NSNumber)?.intValue })
            for w in 0..<4 {
                let steps = ((try? String(contentsOfFile: "\(dir)/acked-\(cycle)-\(w)", encoding: .utf8)) ?? "").split(separator: "\n").compactMap { Int($0) }
                let lost = steps.filter { !stored.contains($0) }
                #expect(lost.isEmpty, "cycle \(cycle), writer \(w): \(lost.count) acknowledged batches lost, e.g. \(lost.prefix(5))")
            }
            let first = try LiveServer.curl("\(live.url)/api/2.0/mlflow/metrics/get-history?run_id=\(id)&metric_key=m0&max_results=100000")
            #expect(first.components(separatedBy: "\"step\"").count == history.components(separatedBy: "\"step\"").count, "a batch stored in part")
        }
        defer { server.terminate(); server.waitUntilExit() }
        #expect(acked >= 3 * 4 * 30)
        let verified = try cli.ok(["audit", "--verify", "--server", live.url])
        #expect(verified.stdout.contains("is intact"), "\(verified.stdout)")
    }
}
