import Foundation
import Testing

/// Schemathesis over Pulk's OpenAPI documents (the native API's and the scoring API's) against a live `pulk server` with data in it: every
/// documented route gets its examples, boundary values and fuzzed inputs, and none may answer 5xx
/// (Tests/oracle/requirements-schemathesis.txt; scripts/test installs it).
@Suite("API fuzzing")
struct APIFuzzTests {
    let cli = PulkCLI()
    static let schemathesis = ProcessInfo.processInfo.environment["PULK_SCHEMATHESIS"]

    @Test("No documented route answers 5xx to schemathesis's generated requests", .enabled(if: schemathesis != nil), .timeLimit(.minutes(10)))
    func noServerErrors() throws {
        let server = LiveServer(cli: cli)
        let ws = server.workspace
        // Something for the routes to find: a dataset, runs, a registered model with an alias, an endpoint.
        _ = try cli.ok(["data", "add", cli.penguins, "--name", "penguins", "--workspace", ws])
        let run = try #require(try PulkCLI.object(try cli.ok(["train", "--data", "penguins", "--target", "species", "--model", "naive-bayes", "--no-profile",
                                                                "--workspace", ws, "--json"]))["run_id"] as? String)
        _ = try cli.ok(["models", "register", run, "--name", "penguins", "--workspace", ws])
        _ = try cli.ok(["models", "alias", "penguins@champion", "1", "--workspace", ws])
        _ = try cli.ok(["endpoints", "create", "penguins", "--workspace", ws])
        _ = try cli.ok(["deploy", "penguins", "--model", "penguins@champion", "--workspace", ws])
        // Accounts on, schemathesis signed in as an admin: the account routes get exercised too.
        _ = try cli.ok(["users", "add", "admin", "--role", "admin", "--password-stdin", "--workspace", ws], input: "admin-password\n")
        let token = try cli.ok(["tokens", "create", "--user", "admin", "--workspace", ws]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let started = try server.start()
        defer { started.terminate(); started.waitUntilExit() }
        // The scoring API's own document (serving routes) first, while penguins is the only endpoint
        // (the native run below makes endpoints without deployments, whose scoring is a legitimate 503):
        // its answers checked against it by a script, then schemathesis with every answer's status,
        // content type and schema checked too.
        if let python = ProcessInfo.processInfo.environment["PULK_PYTHON"] {
            let script = try PulkCLI.execute(python, [PulkCLI.repoRoot.appendingPathComponent("Tests/oracle/scoring_api.py").path, server.url, token])
            #expect(script.status == 0 && script.stdout.contains("\"ok\": true"), "\(script.stderr.suffix(3000))")
        }
        let scoring = try PulkCLI.execute(Self.schemathesis!, [
            "run", server.url + "/endpoints/openapi.json", "--url", server.url,
            "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--phases", "examples,coverage,fuzzing", "--max-examples", "50",
            "--header", "Authorization: Bearer \(token)", "--workers", "2", "--max-time", "60", "--seed", "1", "--no-color",
        ])
        #expect(scoring.status == 0, "schemathesis over the scoring API:\n\(scoring.stdout.suffix(6000))\n\(scoring.stderr.suffix(2000))")
        #expect(scoring.stdout.contains("Selected: 5/5") && scoring.stdout.contains("Tested: 5"), "\(scoring.stdout.suffix(2000))")

        let report = cli.dir.appendingPathComponent("schemathesis").path
        let r = try PulkCLI.execute(Self.schemathesis!, [
            "run", server.url + "/api/pulk/v1/openapi.json", "--url", server.url + "/api/pulk/v1",
            "--checks", "not_a_server_error", "--phases", "examples,coverage,fuzzing", "--max-examples", "25",
            "--header", "Authorization: Bearer \(token)", "--workers", "2", "--max-time", "120", "--seed", "1", "--report", "junit", "--report-dir", report, "--no-color",
        ])
        #expect(r.status == 0, "schemathesis found server errors:\n\(r.stdout.suffix(6000))\n\(r.stderr.suffix(2000))")
        // It really ran: thousands of cases over every documented operation (a wrong base URL would answer 404s only).
        let generated = r.stdout.components(separatedBy: "\n").first { $0.contains(" generated, ") }
        let count = generated.flatMap { Int($0.trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") } ?? 0
        #expect(count > 1000, "\(r.stdout.suffix(2000))")
        let lines = r.stdout.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let selected = lines.first { $0.hasPrefix("Selected: ") }?.dropFirst(10).split(separator: "/").first.map(String.init)
        let tested = lines.first { $0.hasPrefix("Tested: ") }.map { String($0.dropFirst(8)) }
        #expect(selected != nil && selected == tested, "every documented operation tested: \(selected ?? "?") selected, \(tested ?? "?") tested")
    }
}
