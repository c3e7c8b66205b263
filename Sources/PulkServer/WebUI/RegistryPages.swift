import PulkApp
import Foundation
import PulkFrame
import PulkStore
import PulkTracking
import PulkWorkspace

extension WebUI {
    func workspace() throws -> DatasetStore {
        guard let datasets else { throw PageError(status: 404, message: "This server has no workspace, so it has no datasets; start it with --workspace DIR") }
        return datasets
    }

    /// A workspace call whose errors become pages: 404 for what does not exist, 400 otherwise.
    static func workspaceCall<T>(_ body: () throws(WorkspaceError) -> T) throws(PageError) -> T {
        do { return try body() } catch {
            switch error {
            case .datasetNotFound, .versionNotFound: throw PageError(status: 404, message: error.description)
            default: throw PageError(status: 400, message: error.description)
            }
        }
    }

    static func runLink(_ runId: String, _ name: String? = nil) -> String {
        "<a class=\"mono\" href=\"/ui/runs/\(HTML.enc(runId))\">\(HTML.esc(name ?? String(runId.prefix(12))))</a>"
    }

    // MARK: Datasets

    func datasetList() throws -> String {
        let store = try workspace()
        let list = try Self.workspaceCall { () throws(WorkspaceError) in try store.list() }
        let body = list.isEmpty ? "<p>No datasets yet. <code>pulk data add FILE --name NAME</code> registers one.</p>"
            : HTML.table(["Name", "Versions", "Latest", "Rows (latest)", "Updated", "Description"], list.map { d in
                ["<a href=\"/ui/datasets/\(HTML.enc(d.name))\">\(HTML.esc(d.name))</a>", String(d.versionCount), String(d.latestVersion),
                 String(d.latestRowCount), HTML.time(d.updatedAt), HTML.esc(d.description ?? "")]
            }, numeric: [1, 2, 3])
        return HTML.page("Datasets", section: .datasets, body: body)
    }

    func dataset(name: String) async throws -> String {
        let store = try workspace()
        let (versions, recorded) = try Self.workspaceCall { () throws(WorkspaceError) -> ([DatasetVersion], [[DatasetUse]]) in
            let versions = try store.versions(of: name)
            return (versions, try versions.map { (v) throws(WorkspaceError) in try store.uses(of: v) })
        }
        // Runs read a version through their dataset inputs (`DatasetReaders`).
        let found = try await DatasetReaders(store: self.store).uses(of: versions, recorded: recorded)
        let uses = Dictionary(uniqueKeysWithValues: zip(versions.map(\.version), found))
        var body = HTML.table(["Version", "Rows", "Columns", "Size", "Content SHA-256", "Source", "Added", "Profile", "Used by"], versions.reversed().map { v in
            let profile = "/api/pulk/v1/datasets/\(HTML.enc(v.name))/versions/\(v.version)/profile?format=html"
            let used = (uses[v.version] ?? []).map { u in u.kind == "run" ? Self.runLink(u.referrer) : HTML.esc("\(u.kind) \(u.referrer)") }
            return ["<b id=\"v\(v.version)\">\(v.version)</b>", String(v.rowCount), String(v.columnCount), formatBytes(v.sizeBytes),
                    "<span class=\"mono\" title=\"\(HTML.esc(v.contentSHA256))\">\(HTML.esc(String(v.contentSHA256.prefix(16))))…</span>",
                    "<span class=\"pill\">\(HTML.esc(v.format))</span> <span class=\"mono\">\(HTML.esc(v.sourcePath))</span>"
                        + (v.readOptions["sql"].map { "<br><code class=\"mono\" title=\"the query this version snapshots\">\(HTML.esc($0))</code>" } ?? ""),
                    HTML.time(v.createdAt),
                    "<a href=\"\(profile)\">profile report</a>", used.isEmpty ? "–" : used.joined(separator: " ")]
        }, numeric: [1, 2, 3])
        if let latest = versions.last {
            body += "<h2>Schema of version \(latest.version)</h2>" + HTML.table(["Column", "Type"], latest.schema.fields.map { [HTML.esc($0.name), $0.type.rawValue] })
        }
        return HTML.page("Dataset \(name)", section: .datasets, breadcrumbs: [("Datasets", "/ui/datasets"), (name, "")], body: body)
    }

    // MARK: Models

    func modelList() async throws -> String {
        let models = try await store.searchRegisteredModels(filter: nil, orderBy: ["name ASC"], maxResults: 1000, pageToken: nil).items
            .filter { RequestIdentity.can(.registeredModel, $0.name) }
        let body = models.isEmpty ? "<p>No registered models yet. <code>pulk models register RUN_ID --name NAME</code> registers a run's model.</p>"
            : HTML.table(["Name", "Latest version", "Aliases", "Updated", "Description"], models.map { m in
                ["<a href=\"/ui/models/\(HTML.enc(m.name))\">\(HTML.esc(m.name))</a>", m.latestVersions.map { String($0.version) }.max() ?? "–",
                 m.aliases.sorted { $0.key < $1.key }.map { "<span class=\"pill\">@\(HTML.esc($0.key)) → \($0.value)</span>" }.joined(),
                 HTML.time(m.lastUpdatedTime), HTML.esc(m.description)]
            })
        return HTML.page("Models", section: .models, body: body)
    }

    func lineageChain(_ l: Lineage) -> String {
        var nodes = ["<span class=\"node\">\(HTML.esc(l.modelVersion.name)) v\(l.modelVersion.version)</span>"]
        if let r = l.run { nodes.append("<span class=\"node\">run " + Self.runLink(r.runId, r.runName.isEmpty ? nil : r.runName) + "</span>") }
        for d in l.datasets {
            let context = d.context.isEmpty ? "" : " <span class=\"muted\">(\(HTML.esc(d.context)))</span>"
            if let w = d.workspaceVersion {
                let name = w.reference.split(separator: ":").first.map(String.init) ?? w.reference
                nodes.append("<span class=\"node\">dataset <a href=\"/ui/datasets/\(HTML.enc(name))\">\(HTML.esc(w.reference))</a>\(context)</span>")
                nodes.append("<span class=\"node mono\" title=\"content SHA-256\">sha256 \(HTML.esc(w.contentSHA256))</span>")
                nodes.append("<span class=\"node mono\">\(HTML.esc(w.sourcePath))</span>")
            } else {
                nodes.append("<span class=\"node\">dataset \(HTML.esc(d.name))\(context) <span class=\"mono\">\(HTML.esc(d.digest))</span></span>")
            }
        }
        return "<div class=\"chain\" role=\"list\" aria-label=\"Lineage of version \(l.modelVersion.version)\">"
            + nodes.map { $0.replacingOccurrences(of: "<span class=\"node", with: "<span role=\"listitem\" class=\"node") }.joined(separator: "<span aria-hidden=\"true\">→</span>") + "</div>"
    }

    /// Description, tags and deletion of a registered model or a version, through MLflow's API
    /// (`kind`: registered-models or model-versions).
    static func editSection(kind: String, fixed: [String: String], description: String, tags: [Tag], deleteLabel: String, confirm: String,
                            then: String) -> String {
        let what = kind == "registered-models" ? "Model" : "Version"
        var s = "<div class=\"split\"><section><h2>Description</h2>"
        s += HTML.apiForm("/api/2.0/mlflow/\(kind)/update", method: "PATCH", fixed: fixed,
                          fields: "<textarea name=\"description\" aria-label=\"\(what) description\">\(HTML.esc(description))</textarea>",
                          button: "Save description", label: "\(what) description")
        s += "</section><section><h2>Tags</h2>"
        s += tags.isEmpty ? "<p class=\"muted\">None</p>" : HTML.table(["Name", "Value", ""], tags.sorted { $0.key < $1.key }.map { t in
            var key = fixed
            key["key"] = t.key
            return [HTML.esc(t.key), "<span class=\"wrap\">\(HTML.esc(t.value))</span>",
                    HTML.apiForm("/api/2.0/mlflow/\(kind)/delete-tag", method: "DELETE", fixed: key, fields: "", button: "Remove",
                                 label: "Remove tag \(t.key)", danger: true)]
        })
        s += HTML.apiForm("/api/2.0/mlflow/\(kind)/set-tag", fixed: fixed,
                          fields: "<input type=\"text\" name=\"key\" aria-label=\"Tag name\" placeholder=\"name\" required><input type=\"text\" name=\"value\" aria-label=\"Tag value\" placeholder=\"value\">",
                          button: "Set tag", label: "Set a tag")
        s += "</section></div><h2>Delete</h2>"
        s += HTML.apiForm("/api/2.0/mlflow/\(kind)/delete", method: "DELETE", fixed: fixed, fields: "", button: deleteLabel, confirm: confirm,
                          label: deleteLabel, danger: true, then: then)
        return s
    }

    func model(name: String) async throws -> String {
        let model = try await store.registeredModel(name: name)
        let versions = try await store.modelVersions(name: name)
        let history = try await store.aliasHistory(name: name, alias: nil)
        var body = "<div class=\"kv\"><b>Aliases</b><span>" + (model.aliases.isEmpty ? "none" : model.aliases.sorted { $0.key < $1.key }.map {
            "<span class=\"pill\">@\(HTML.esc($0.key)) → v\($0.value)</span>"
        }.joined()) + "</span><b>Description</b><span>\(HTML.esc(model.description.isEmpty ? "–" : model.description))</span></div>"
        var rows: [[String]] = [], lineages: [String] = []
        var metricKeys: [String] = []
        var runs: [String: Run] = [:]
        for v in versions where !v.runId.isEmpty { runs[v.runId] = try? await store.run(id: v.runId) }
        metricKeys = Array(Set(runs.values.flatMap { $0.metrics.map(\.key).filter { $0.hasPrefix("test_") } })).sorted().prefix(4).map { $0 }
        for v in versions.reversed() {
            let run = runs[v.runId]
            rows.append(["<a href=\"/ui/models/\(HTML.enc(name))/versions/\(v.version)\">v\(v.version)</a>",
                         v.aliases.sorted().map { "<span class=\"pill\">@\(HTML.esc($0))</span>" }.joined(), v.currentStage.rawValue,
                         v.runId.isEmpty ? "–" : Self.runLink(v.runId, run?.info.runName), HTML.time(v.creationTime)]
                + metricKeys.map { k in run?.metrics.first { $0.key == k }.map { HTML.number($0.value) } ?? "–" })
            lineages.append(lineageChain(try await Lineage.of(v, client: tracking)))
        }
        body += "<h2>Versions</h2>" + HTML.table(["Version", "Aliases", "Stage", "Run", "Created"] + metricKeys.map(HTML.esc), rows,
                                                numeric: Set(metricKeys.indices.map { $0 + 5 }))
        body += "<h2>Alias history</h2>" + (history.isEmpty ? "<p class=\"muted\">No alias has been set.</p>" : HTML.table(["Time", "Alias", "From", "To", "By"], history.reversed().map {
            [HTML.time($0.time), "@" + HTML.esc($0.alias), $0.fromVersion.map { "v\($0)" } ?? "–", $0.toVersion.map { "v\($0)" } ?? "(deleted)", HTML.esc($0.user)]
        }))
        body += "<h2>Lineage</h2>" + lineages.joined()
        body += Self.editSection(kind: "registered-models", fixed: ["name": name], description: model.description, tags: model.tags,
                                 deleteLabel: "Delete model", confirm: "Delete the model \(name) with all its versions?", then: "/ui/models")
        return HTML.page("Model \(name)", section: .models, breadcrumbs: [("Models", "/ui/models"), (name, "")], body: body)
    }

    func modelVersion(name: String, version: String) async throws -> String {
        let v = try await store.modelVersion(name: name, version: version)
        let lineage = try await Lineage.of(v, client: tracking)
        var body = "<div class=\"kv\">" + [
            ("Source", "<span class=\"mono\">\(HTML.esc(v.source))</span>"), ("Stage", v.currentStage.rawValue),
            ("Aliases", v.aliases.isEmpty ? "none" : v.aliases.sorted().map { "<span class=\"pill\">@\(HTML.esc($0))</span>" }.joined()),
            ("Created", HTML.time(v.creationTime)), ("By", HTML.esc(v.userId)), ("Status", HTML.esc(v.status)),
        ].map { "<b>\($0.0)</b><span>\($0.1)</span>" }.joined() + "</div>"
        body += "<h2>Lineage</h2>" + lineageChain(lineage)
        if !v.runId.isEmpty, let run = try? await store.run(id: v.runId) {
            let shown = run.metrics.filter { $0.key.hasPrefix("test_") || $0.key.hasPrefix("baseline_") || $0.key.hasPrefix("cv_") || $0.key.hasPrefix("eval_") }
            body += "<h2>Evaluation metrics</h2>" + HTML.table(["Metric", "Value"], shown.sorted { $0.key < $1.key }.map { [HTML.esc($0.key), HTML.number($0.value)] }, numeric: [1])
            let plots = ((try? await tracking.artifactFiles(run.info)) ?? []).filter { $0.hasSuffix(".svg") }
            if !plots.isEmpty {
                body += "<h2>Evaluation plots</h2><div class=\"cards\">" + plots.map { p in
                    let link = "/ui/artifacts/\(HTML.enc(run.info.runId))/" + p.split(separator: "/").map { HTML.enc(String($0)) }.joined(separator: "/")
                    return "<figure class=\"card\"><img src=\"\(link)\" alt=\"\(HTML.esc(p))\" loading=\"lazy\"><figcaption class=\"muted\">\(HTML.esc(p))</figcaption></figure>"
                }.joined() + "</div>"
            }
        }
        body += Self.editSection(kind: "model-versions", fixed: ["name": name, "version": String(v.version)], description: v.description, tags: v.tags,
                                 deleteLabel: "Delete version", confirm: "Delete version \(v.version) of \(name)? Aliases on it go with it.",
                                 then: "/ui/models/\(HTML.enc(name))")
        return HTML.page("\(name) version \(v.version)", section: .models,
                         breadcrumbs: [("Models", "/ui/models"), (name, "/ui/models/\(HTML.enc(name))"), ("v\(v.version)", "")], body: body)
    }
}
