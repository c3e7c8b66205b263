import ArgumentParser
import Foundation
import PulkApp
import PulkStore
import PulkEndpoints

/// `pulk deploy`: puts a registered model version behind an endpoint (or writes what runs it elsewhere).
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Deploy a registered model to an endpoint: `pulk deploy churn --model churn@champion --deployment blue --traffic 100`.",
        discussion: """
            A deployment on MODEL@ALIAS follows the alias: when it moves, the server loads the new version (the change is recorded). \
            A new deployment takes no live traffic unless --traffic says so (the first one takes 100%); the other deployments' shares \
            shrink in proportion. --mirror PERCENT copies requests to it instead, answers logged only. \
            --emit dockerfile|kubernetes writes files to run `pulk serve` of this model elsewhere, and changes no endpoint.
            """)

    @Argument(help: "The endpoint (created with default settings when missing).") var endpoint: String
    @Option(help: "MODEL@ALIAS (follows the alias) or MODEL:VERSION.") var model: String
    @Option(help: "The deployment's name.") var deployment = "blue"
    @Option(help: "Percent of live traffic for this deployment (default: 100 for the first deployment, else its current share or 0).") var traffic: Int?
    @Option(help: "Percent of requests mirrored to this deployment instead (answers only logged).") var mirror: Int?
    @OptionGroup var batching: BatchingOptions
    @Option(help: "Write deployment files instead: dockerfile, kubernetes (repeatable).") var emit: [String] = []
    @Option(help: "Folder for --emit files (default: ./deploy-ENDPOINT).") var out: String?
    @Option(help: "Port the emitted container listens on.") var containerPort = 8080
    @OptionGroup var store: StoreOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let bench = try common.workbench(store: store)
        if !emit.isEmpty {
            let (written, spec) = try await Deploying.emit(Set(emit), endpoint: endpoint, model: model, folder: URL(fileURLWithPath: out ?? "deploy-\(endpoint)"),
                                                           port: containerPort, maxBatch: batching.maxBatch, maxWaitUs: batching.maxWaitUs, on: bench)
            if common.json { print(Output.json(["files": written])); return }
            print("Wrote " + written.joined(separator: ", "))
            let folder = URL(fileURLWithPath: out ?? "deploy-\(endpoint)").path
            print("Build from a Pulk checkout: docker build -f \(folder)/Dockerfile --build-context model=\(folder) -t \(spec.image) .")
            return
        }
        let request = DeployRequest(endpoint: endpoint, model: model, deployment: deployment, traffic: traffic, mirror: mirror,
                                    maxBatch: batching.maxBatch, maxWaitMicros: batching.maxWaitUs)
        let deployed = try await Deploying.deploy(request, on: bench)
        if deployed.created && !common.json { print("Created endpoint \(endpoint)") }
        if common.json { print(Output.json(EndpointView(deployed.endpoint))); return }
        print("Deployed to \(endpoint): \(deployed.message)")
        print("Traffic: " + deployed.endpoint.deployments.map(EndpointsCommand.List.describe).joined(separator: ", "))
        print("A running `pulk server` on this store answers POST /endpoints/\(endpoint)/score within a second.")
    }
}
