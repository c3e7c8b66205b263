import ArgumentParser
import Foundation
import PulkStore
import PulkTracking

/// `pulk deploy`: puts a registered model version behind an endpoint (or writes what runs it elsewhere).
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Deploy a registered model to an endpoint: `pulk deploy churn --model churn@champion --deployment blue --traffic 100`.",
        discussion: """
            A deployment on MODEL@ALIAS follows the alias: when it moves, the server loads the new version (the change is recorded).
            A new deployment takes no live traffic unless --traffic says so (the first one takes 100%); the other deployments' shares
            shrink in proportion. --mirror PERCENT copies requests to it instead, answers logged only.
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
        let reference = try ModelReference(parsing: model)
        if case .file = reference { throw PulkFailure(message: "Deploy a registered model (MODEL@ALIAS or MODEL:VERSION); `pulk serve FILE` serves a model file") }
        if !emit.isEmpty { return try await emitFiles(reference) }
        let s = try await store.open(common)
        let version = try await reference.version(try store.client(s, common))!
        let current: Endpoint
        do { current = try await s.endpoint(name: endpoint) } catch where error.code == .resourceDoesNotExist {
            current = try await trackedAsync { () async throws(StoreError) in
                try await s.createEndpoint(name: endpoint, description: "", settings: EndpointSettings(), user: currentUser)
            }
            if !common.json { print("Created endpoint \(endpoint)") }
        } catch { throw PulkFailure(message: error.description) }
        let refText: String
        switch reference {
        case .alias(_, let alias): refText = "@" + alias
        default: refText = String(version.version)
        }
        let existing = current.deployments.first { $0.name == deployment }
        let othersLive = current.deployments.filter { $0.name != deployment && $0.traffic > 0 }
        let share = mirror != nil ? 0 : (traffic ?? existing?.traffic ?? (othersLive.isEmpty ? 100 : 0))
        let d = Deployment(name: deployment, model: version.name, reference: refText, version: String(version.version), traffic: share,
                           mirror: mirror ?? 0, maxBatch: batching.maxBatch, maxWaitMicros: batching.maxBatch > 0 ? batching.maxWaitUs : 0)
        var deployments = Self.rescale(current.deployments.filter { $0.name != deployment }, to: 100 - share)
        if let at = current.deployments.firstIndex(where: { $0.name == deployment }) { deployments.insert(d, at: min(at, deployments.count)) } else { deployments.append(d) }
        let message = "\(deployment): \(version.name) version \(version.version)\(refText.hasPrefix("@") ? " (follows \(refText))" : ""), "
            + (d.mirror > 0 ? "mirror \(d.mirror)%" : "traffic \(share)%")
        let updated = try await trackedAsync { () async throws(StoreError) in
            try await s.setDeployments(endpoint: endpoint, deployments, kind: "deploy", message: message, user: currentUser)
        }
        if common.json { print(Output.json(EndpointView(updated))); return }
        print("Deployed to \(endpoint): \(message)")
        print("Traffic: " + updated.deployments.map(EndpointsCommand.List.describe).joined(separator: ", "))
        print("A running `pulk server` on this store answers POST /endpoints/\(endpoint)/score within a second.")
    }

    /// Shares of the live deployments scaled to add up to `total` (largest remainders get the rounding).
    static func rescale(_ deployments: [Deployment], to total: Int) -> [Deployment] {
        let live = deployments.reduce(0) { $0 + $1.traffic }
        guard live > 0 else { return deployments }
        let exact = deployments.map { Double($0.traffic) * Double(total) / Double(live) }
        var shares = exact.map { Int($0.rounded(.down)) }
        let order = exact.indices.sorted { (exact[$0] - Double(shares[$0]), deployments[$1].traffic) > (exact[$1] - Double(shares[$1]), deployments[$0].traffic) }
        for k in order.prefix(total - shares.reduce(0, +)) { shares[k] += 1 }
        return zip(deployments, shares).map { d, s in
            var d = d
            d.traffic = d.traffic > 0 ? s : 0
            return d
        }
    }

    func emitFiles(_ reference: ModelReference) async throws {
        let kinds = Set(emit)
        if let bad = kinds.subtracting(["dockerfile", "kubernetes"]).first { throw ValidationError("--emit takes dockerfile or kubernetes, not '\(bad)'") }
        try tracked { () throws(StoreError) in try EndpointRules.checkName(endpoint, what: "endpoint") }
        let resolved = try await reference.resolve(try store.client(try await store.open(common), common))
        let folder = URL(fileURLWithPath: out ?? "deploy-\(endpoint)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var written: [String] = []
        func write(_ name: String, _ bytes: [UInt8]) throws {
            try Data(bytes).write(to: folder.appendingPathComponent(name), options: .atomic)
            written.append(folder.appendingPathComponent(name).path)
        }
        try write("model.pulk", resolved.bytes)
        let spec = DeploymentFiles(endpoint: endpoint, model: resolved.name, version: resolved.version, port: containerPort,
                                   maxBatch: batching.maxBatch, maxWaitUs: batching.maxWaitUs)
        // The manifests run the image the Dockerfile builds, so it comes with either.
        try write("Dockerfile", Array(spec.dockerfile.utf8))
        if kinds.contains("kubernetes") { try write("kubernetes.yaml", Array(spec.kubernetes.utf8)) }
        if common.json { print(Output.json(["files": written])); return }
        print("Wrote " + written.joined(separator: ", "))
        print("Build from a Pulk checkout: docker build -f \(folder.path)/Dockerfile --build-context model=\(folder.path) -t \(spec.image) .")
    }
}

/// The files `pulk deploy --emit` writes: a Dockerfile that builds `pulk` and serves the model with
/// `pulk serve`, and Kubernetes manifests (Deployment with probes and resources, Service).
struct DeploymentFiles {
    var endpoint: String
    var model: String
    var version: String
    var port: Int
    var maxBatch: Int
    var maxWaitUs: Int

    var image: String { "pulk-\(endpoint):\(version)" }

    var serveArguments: [String] {
        var a = ["serve", "/srv/model.pulk", "--host", "0.0.0.0", "--port", String(port), "--name", endpoint, "--log-level", "notice"]
        if maxBatch > 0 { a += ["--max-batch", String(maxBatch), "--max-wait-us", String(maxWaitUs)] }
        return a
    }

    var dockerfile: String {
        let cmd = (["/usr/local/bin/pulk"] + serveArguments).map { "\"\($0)\"" }.joined(separator: ", ")
        return """
        # Serves \(model) version \(version) as endpoint \(endpoint) with `pulk serve` (written by `pulk deploy --emit`).
        # Build from a Pulk source checkout, with this folder as the `model` context:
        #   docker build -f PATH/Dockerfile --build-context model=PATH -t \(image) .
        FROM swift:6.1-bookworm AS build
        RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-dev zlib1g-dev && rm -rf /var/lib/apt/lists/*
        WORKDIR /src
        COPY . .
        RUN swift build -c release --product pulk --static-swift-stdlib && cp "$(swift build -c release --show-bin-path)/pulk" /usr/local/bin/pulk

        FROM debian:bookworm-slim
        RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-0 zlib1g libcurl4 libxml2 ca-certificates && rm -rf /var/lib/apt/lists/* \\
            && useradd --system --uid 10001 pulk
        COPY --from=build /usr/local/bin/pulk /usr/local/bin/pulk
        COPY --from=model model.pulk /srv/model.pulk
        USER 10001
        EXPOSE \(port)
        ENTRYPOINT [\(cmd)]

        """
    }

    var kubernetes: String {
        let args = serveArguments.map { "\"\($0)\"" }.joined(separator: ", ")
        return """
        # Runs \(model) version \(version) as endpoint \(endpoint) (written by `pulk deploy --emit kubernetes`).
        # Push the image built from the Dockerfile beside this file, then: kubectl apply -f kubernetes.yaml
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: pulk-\(endpoint)
          labels:
            app.kubernetes.io/name: pulk-\(endpoint)
            app.kubernetes.io/component: serving
            pulk.dev/model: "\(model)"
            pulk.dev/model-version: "\(version)"
        spec:
          replicas: 2
          selector:
            matchLabels:
              app.kubernetes.io/name: pulk-\(endpoint)
          strategy:
            type: RollingUpdate
            rollingUpdate:
              maxUnavailable: 0
              maxSurge: 1
          template:
            metadata:
              labels:
                app.kubernetes.io/name: pulk-\(endpoint)
                app.kubernetes.io/component: serving
              annotations:
                prometheus.io/scrape: "true"
                prometheus.io/port: "\(port)"
                prometheus.io/path: /metrics
            spec:
              terminationGracePeriodSeconds: 30
              securityContext:
                runAsNonRoot: true
                runAsUser: 10001
              containers:
                - name: pulk
                  image: \(image)
                  args: [\(args)]
                  ports:
                    - name: http
                      containerPort: \(port)
                  readinessProbe:
                    httpGet:
                      path: /ready
                      port: http
                    periodSeconds: 5
                    failureThreshold: 2
                  livenessProbe:
                    httpGet:
                      path: /health
                      port: http
                    initialDelaySeconds: 5
                    periodSeconds: 10
                  lifecycle:
                    preStop:
                      exec:
                        command: ["/bin/sh", "-c", "sleep 5"]
                  resources:
                    requests:
                      cpu: 500m
                      memory: 256Mi
                    limits:
                      cpu: "2"
                      memory: 1Gi
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: pulk-\(endpoint)
          labels:
            app.kubernetes.io/name: pulk-\(endpoint)
        spec:
          selector:
            app.kubernetes.io/name: pulk-\(endpoint)
          ports:
            - name: http
              port: 80
              targetPort: http

        """
    }
}
