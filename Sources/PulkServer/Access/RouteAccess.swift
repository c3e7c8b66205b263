import HTTPTypes
import PulkStore

/// What one route needs from its caller: a role, and a permission on the resource it touches (found
/// in the body, the query or the path), and how its changes are audited. One table for every route
/// of the server; a route missing from it is open to reads by any signed-in user and to changes by
/// admins only, so a new route fails closed until it is listed.
struct RouteAccess: Sendable {
    /// Where the resource the route touches is named.
    enum Target: Sendable, Equatable {
        /// Nothing single: the role decides.
        case none
        /// `experiment_id` in the body or query.
        case experiment
        /// `run_id` (or `run_uuid`) in the body or query: the run's experiment.
        case run
        /// `name` in the body or query: a registered model.
        case registeredModel
        /// The `{model_id}` path segment: the logged model's experiment.
        case loggedModel
        /// The path segment after a prefix: a registered model's or an endpoint's name, an experiment
        /// id, a run id (its experiment).
        case pathModel, pathEndpoint, pathExperiment, pathRun
        /// The artifact path's first segment: an experiment id (MLflow lays runs out as EXPERIMENT/RUN/artifacts).
        case artifactPath
    }

    var role: Role
    var permission: Permission
    var target: Target
    /// The audit trail's name for the change; nil: not a change.
    var action: String?
    /// Whether the trail keeps the resource as it was before and after (state changes), not just
    /// what was sent (data appended: metrics, params, artifacts).
    var snapshot = false

    static func read(_ target: Target = .none) -> RouteAccess { .init(role: .reader, permission: .read, target: target, action: nil) }
    static func change(_ action: String, _ target: Target, _ permission: Permission = .edit, role: Role = .reader, snapshot: Bool = true) -> RouteAccess {
        .init(role: role, permission: permission, target: target, action: action, snapshot: snapshot)
    }
    static func create(_ action: String, role: Role = .contributor) -> RouteAccess {
        .init(role: role, permission: .read, target: .none, action: action, snapshot: false)
    }
    static let adminOnly = RouteAccess(role: .admin, permission: .manage, target: .none, action: "unlisted")

    /// MLflow's routes (after `/api/2.0/mlflow/` or `/ajax-api/2.0/mlflow/`).
    static let mlflow: [String: RouteAccess] = [
        "experiments/create": .create("experiments/create"),
        "experiments/delete": .change("experiments/delete", .experiment, .manage),
        "experiments/restore": .change("experiments/restore", .experiment, .manage),
        "experiments/update": .change("experiments/rename", .experiment, .manage),
        "experiments/set-experiment-tag": .change("experiments/set-tag", .experiment),
        "experiments/delete-experiment-tag": .change("experiments/delete-tag", .experiment),
        "experiments/get": .read(.experiment),
        "experiments/get-by-name": .read(),
        "experiments/search": .read(),
        "runs/create": .change("runs/create", .experiment, snapshot: false),
        "runs/update": .change("runs/update", .run),
        "runs/delete": .change("runs/delete", .run, .manage),
        "runs/restore": .change("runs/restore", .run, .manage),
        "runs/set-tag": .change("runs/set-tag", .run, snapshot: false),
        "runs/delete-tag": .change("runs/delete-tag", .run, snapshot: false),
        "runs/log-metric": .change("runs/log-metric", .run, snapshot: false),
        "runs/log-parameter": .change("runs/log-parameter", .run, snapshot: false),
        "runs/log-batch": .change("runs/log-batch", .run, snapshot: false),
        "runs/log-inputs": .change("runs/log-inputs", .run, snapshot: false),
        "runs/outputs": .change("runs/log-outputs", .run, snapshot: false),
        "runs/log-model": .change("runs/log-model", .run, snapshot: false),
        "runs/get": .read(.run),
        "runs/search": .read(),
        "metrics/get-history": .read(.run),
        "logged-models": .change("logged-models/create", .experiment, snapshot: false),
        "logged-models/search": .read(),
        "registered-models/create": .create("registered-models/create"),
        "registered-models/rename": .change("registered-models/rename", .registeredModel, .manage),
        "registered-models/delete": .change("registered-models/delete", .registeredModel, .manage),
        "registered-models/update": .change("registered-models/update", .registeredModel),
        "registered-models/set-tag": .change("registered-models/set-tag", .registeredModel),
        "registered-models/delete-tag": .change("registered-models/delete-tag", .registeredModel),
        "registered-models/alias": .change("registered-models/alias", .registeredModel, role: .deployer),
        "registered-models/get": .read(.registeredModel),
        "registered-models/get-latest-versions": .read(.registeredModel),
        "registered-models/search": .read(),
        "model-versions/create": .change("model-versions/create", .registeredModel, snapshot: false),
        "model-versions/update": .change("model-versions/update", .registeredModel),
        "model-versions/delete": .change("model-versions/delete", .registeredModel, .manage),
        "model-versions/set-tag": .change("model-versions/set-tag", .registeredModel),
        "model-versions/delete-tag": .change("model-versions/delete-tag", .registeredModel),
        "model-versions/transition-stage": .change("model-versions/transition-stage", .registeredModel, role: .deployer),
        "model-versions/get": .read(.registeredModel),
        "model-versions/get-download-uri": .read(.registeredModel),
        "model-versions/search": .read(),
        // What MLflow's UI and client use beside the API (MLflowUIRoutes); bulk histories check each run.
        "get-artifact": .read(.run),
        "model-versions/get-artifact": .read(.registeredModel),
        "artifacts/list": .read(.run),
        "metrics/get-history-bulk": .read(),
        "metrics/get-history-bulk-interval": .read(),
        "experiments/search-datasets": .read(),
        "upload-artifact": .change("artifacts/upload", .run, snapshot: false),
    ]

    static let mlflowPrefixes = ["/api/2.0/mlflow/", "/ajax-api/2.0/mlflow/"]
    static let artifactsPrefix = "/api/2.0/mlflow-artifacts/artifacts"
    static let native = "/api/pulk/v1/"

    /// The rule for a request; nil for what needs no credentials at all.
    static func rule(_ method: HTTPRequest.Method, _ path: String) -> RouteAccess? {
        let mutating = method != .get && method != .head
        if ["/health", "/version", "/login", "/logout", "/api/pulk/v1/openapi.json", "/endpoints/openapi.json", "/favicon.ico"].contains(path) { return nil }
        // MLflow's downloads outside its API prefix.
        if path == "/get-artifact" { return .read(.run) }
        if path == "/model-versions/get-artifact" { return .read(.registeredModel) }
        // Scoring (mostly answered ahead of the router) is the endpoints' own: not the tracking server's accounts.
        if ["/score", "/invocations", "/ping", "/ready"].contains(path) { return nil }
        if path.hasPrefix("/endpoints/"), ["score", "invocations", "ready"].contains(path.split(separator: "/").last ?? "") { return nil }
        for prefix in mlflowPrefixes where path.hasPrefix(prefix) {
            let rest = String(path.dropFirst(prefix.count))
            if method == .get, rest == "registered-models/alias" { return .read(.registeredModel) }
            if rest == "webhooks" || rest.hasPrefix("webhooks/") {
                // Registry-wide hooks name outside URLs and hold secrets: admins only, reads included.
                let verb = rest.hasSuffix("/test") ? "test" : method == .post ? "create" : method == .delete ? "delete" : "update"
                return RouteAccess(role: .admin, permission: .manage, target: .none, action: mutating ? "webhooks/\(verb)" : nil)
            }
            if let rule = mlflow[rest] { return rule }
            if rest.hasPrefix("logged-models/") {
                if rest.hasSuffix("/search") { return .read() }
                if !mutating { return .read(.loggedModel) }
                return .change(method == .delete && !rest.contains("/tags") ? "logged-models/delete" : "logged-models/update", .loggedModel,
                               method == .delete && !rest.contains("/tags") ? .manage : .edit, snapshot: false)
            }
            return mutating ? adminOnly : .read()
        }
        if path.hasPrefix(artifactsPrefix) {
            return mutating ? .change(method == .delete ? "artifacts/delete" : "artifacts/upload", .artifactPath, snapshot: false) : .read(.artifactPath)
        }
        if path.hasPrefix(native) {
            let rest = path.dropFirst(native.count)
            if rest.hasPrefix("users") || rest.hasPrefix("tokens") || rest.hasPrefix("grants") || rest.hasPrefix("audit") || rest == "whoami" {
                // The access routes check their caller themselves (a user manages their own tokens).
                return RouteAccess(role: .reader, permission: .read, target: .none, action: nil)
            }
            if rest.hasPrefix("endpoints") {
                let parts = rest.split(separator: "/")
                if !mutating { return .read(parts.count > 1 ? .pathEndpoint : .none) }
                if parts.count == 1 { return .create("endpoints/create", role: .deployer) }
                let verb = parts.count > 2 ? String(parts[2]) : (method == .delete ? "delete" : "update")
                return .change("endpoints/\(verb)", .pathEndpoint, method == .delete && parts.count == 2 ? .manage : .edit, role: .deployer)
            }
            if rest.hasPrefix("models/") { return mutating ? adminOnly : .read(.pathModel) }
            if rest == "automl" || rest.hasPrefix("automl/") {
                // Starting a search writes runs (contributors); cancelling is checked against the search's owner by the route.
                guard mutating else { return .read() }
                return .create(rest.hasSuffix("/cancel") ? "automl/cancel" : "automl/start")
            }
            if rest == "monitors" || rest.hasPrefix("monitors/") {
                // Monitors watch endpoints: deployers set them up and run them; anyone who reads sees them.
                guard mutating else { return .read() }
                let parts = rest.split(separator: "/")
                let verb = parts.count > 2 ? String(parts[2]) : (method == .delete ? "delete" : parts.count == 1 ? "create" : "update")
                return .create("monitors/\(verb)", role: .deployer)
            }
            if rest == "drift" {
                // A drift report reads datasets (and a model) and writes nothing: a reader's.
                return .read()
            }
            if rest.hasPrefix("datasets") {
                // Datasets have no owners or grants: removing versions (refused while anything uses them) is an admin's.
                if method == .delete { return .create("datasets/delete", role: .admin) }
                return mutating ? .create("datasets/add-version") : .read()
            }
            return mutating ? adminOnly : .read()
        }
        // The web UI's pages (its changes go through the API above) and anything else.
        if mutating { return adminOnly }
        if path.hasPrefix("/ui/experiments/") { return .read(.pathExperiment) }
        if path.hasPrefix("/ui/runs/") || path.hasPrefix("/ui/artifacts/") { return .read(.pathRun) }
        if path.hasPrefix("/ui/models/") { return .read(.pathModel) }
        if path.hasPrefix("/ui/endpoints/") { return .read(.pathEndpoint) }
        if path == "/ui/webhooks" { return RouteAccess(role: .admin, permission: .manage, target: .none, action: nil) }
        return .read()
    }
}
