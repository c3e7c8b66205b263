public import Foundation
import PulkStore
import PulkEndpoints

/// The files `pulk deploy --emit` writes: a Dockerfile that builds `pulk` and serves the model with
/// `pulk serve`, and Kubernetes manifests (Deployment with probes and resources, Service).
public struct DeploymentFiles: Sendable {
    public var endpoint: String
    public var model: String
    public var version: String
    public var port: Int
    public var maxBatch: Int
    public var maxWaitUs: Int

    public init(endpoint: String, model: String, version: String, port: Int, maxBatch: Int, maxWaitUs: Int) {
        self.endpoint = endpoint
        self.model = model
        self.version = version
        self.port = port
        self.maxBatch = maxBatch
        self.maxWaitUs = maxWaitUs
    }

    public var image: String { "pulk-\(endpoint):\(version)" }

    public var serveArguments: [String] {
        var a = ["serve", "/srv/model.pulk", "--host", "0.0.0.0", "--port", String(port), "--name", endpoint, "--log-level", "notice"]
        if maxBatch > 0 { a += ["--max-batch", String(maxBatch), "--max-wait-us", String(maxWaitUs)] }
        return a
    }

    public var dockerfile: String {
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

    public var kubernetes: String {
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

extension Deploying {
    /// Writes what runs a registered model elsewhere with `pulk serve` (`pulk deploy --emit`): the
    /// model file and a Dockerfile, and with `kubernetes` the manifests; no endpoint changes.
    /// Returns the paths written.
    public static func emit(_ kinds: Set<String>, endpoint: String, model: String, folder: URL, port: Int, maxBatch: Int, maxWaitUs: Int,
                            on bench: Workbench) async throws -> (files: [String], spec: DeploymentFiles) {
        if let bad = kinds.subtracting(["dockerfile", "kubernetes"]).sorted().first {
            throw AppError.invalid("--emit takes dockerfile or kubernetes, not '\(bad)'")
        }
        try EndpointRules.checkName(endpoint, what: "endpoint")
        let reference = try registered(model)
        let resolved = try await reference.resolve(try await bench.registryClient())
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var written: [String] = []
        func write(_ name: String, _ bytes: [UInt8]) throws {
            try Data(bytes).write(to: folder.appendingPathComponent(name), options: .atomic)
            written.append(folder.appendingPathComponent(name).path)
        }
        try write("model.pulk", resolved.bytes)
        let spec = DeploymentFiles(endpoint: endpoint, model: resolved.name, version: resolved.version, port: port, maxBatch: maxBatch, maxWaitUs: maxWaitUs)
        // The manifests run the image the Dockerfile builds, so it comes with either.
        try write("Dockerfile", Array(spec.dockerfile.utf8))
        if kinds.contains("kubernetes") { try write("kubernetes.yaml", Array(spec.kubernetes.utf8)) }
        return (written, spec)
    }
}
