import Foundation
import Testing

/// `pulk webhooks` on the workspace's store and against a server (MLflow's webhook API).
@Suite("pulk webhooks: end to end")
struct WebhookCLITests {
    let cli = PulkCLI()

    @Test func webhooksOnTheWorkspaceAndAServer() throws {
        let live = LiveServer(cli: cli, options: ["--allow-http-webhooks", "--allow-private-webhooks"])
        let ws = ["--workspace", live.workspace]
        // On the store the server will use: made here, delivered by the server.
        let made = try cli.ok(["webhooks", "create", "ci", "--url", "https://hooks.example.com/pulk", "--event", "model_version.created",
                               "--event", "model_version_alias.created", "--secret-stdin"] + ws, input: "s3cret\n")
        #expect(made.stdout.contains("Created webhook 'ci'") && made.stdout.contains("deliveries are signed"), "\(made.stdout)")
        let listed = try PulkCLI.array(try cli.ok(["webhooks", "list", "--json"] + ws))
        let id = try #require(listed.first?["id"] as? String)
        #expect(listed.count == 1 && listed[0]["events"] as? String == "model_version.created,model_version_alias.created" && listed[0]["secret"] == nil)
        for (args, message) in [(["webhooks", "create", "x", "--url", "ftp://h.example/x", "--event", "model_version.created"], "Invalid webhook URL scheme"),
                                (["webhooks", "create", "x", "--url", "https://h.example/x", "--event", "model.deleted"], "Invalid webhook event"),
                                (["webhooks", "create", "x", "--url", "https://h.example/x"], "at least one --event"),
                                (["webhooks", "update", id, "--enable", "--disable"], "not both"),
                                (["webhooks", "test", id], "--server URL")] {
            let r = try cli.finish(cli.start(args + ws))
            #expect(r.status != 0 && r.stderr.contains(message), "\(args): \(r.stderr)")
        }

        let server = try live.start()
        defer { server.terminate(); server.waitUntilExit() }
        let remote = ["--server", live.url]
        #expect(try PulkCLI.array(try cli.ok(["webhooks", "list", "--json"] + remote)).map { $0["id"] as? String } == [id])
        // Point it at a route of the server itself that answers a POST with 200, and send a test delivery.
        let target = live.url + "/api/2.0/mlflow/experiments/search"
        let updated = try cli.ok(["webhooks", "update", id, "--url", target, "--description", "self"] + remote)
        #expect(updated.stdout.contains("Updated webhook 'ci'") && updated.stdout.contains(target), "\(updated.stdout)")
        let tested = try cli.ok(["webhooks", "test", id, "--event", "model_version_alias.created"] + remote)
        #expect(tested.stdout.contains("Delivered: HTTP 200"), "\(tested.stdout)")
        _ = try cli.ok(["webhooks", "update", id, "--url", live.url + "/no-such-route"] + remote)
        let failed = try cli.finish(cli.start(["webhooks", "test", id] + remote))
        #expect(failed.status != 0 && failed.stdout.contains("Not delivered"), "\(failed.stdout) \(failed.stderr)")
        #expect(try PulkCLI.object(try cli.ok(["webhooks", "delete", id, "--json"] + remote))["deleted"] as? String == id)
        #expect(try cli.ok(["webhooks", "list"] + remote).stdout.contains("No webhooks"))
    }
}
