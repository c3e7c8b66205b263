import Foundation
import Hummingbird
import NIOCore
import PulkProfile
import PulkStore
import PulkTracking
import PulkWorkspace
import PulkFrame

extension WebUI {
    // MARK: Experiments

    func experiments(_ request: Request) async throws -> String {
        let list = try await store.searchExperiments(view: .activeOnly, filter: nil, orderBy: ["last_update_time DESC"], maxResults: 1000, pageToken: nil).items
        let rows = list.map { e in
            ["<a href=\"/ui/experiments/\(HTML.enc(e.experimentId))\">\(HTML.esc(e.name))</a>", HTML.esc(e.experimentId), HTML.time(e.creationTime),
             HTML.time(e.lastUpdateTime), "<span class=\"mono\">\(HTML.esc(e.artifactLocation))</span>"]
        }
        let body = list.isEmpty ? "<p>No experiments yet. <code>pulk train --data FILE --target COL --model gbdt</code> records the first run.</p>"
            : HTML.table(["Name", "ID", "Created", "Last update", "Artifacts"], rows)
        return HTML.page("Experiments", section: .experiments, body: body)
    }

    // MARK: Runs table

    /// A column of the runs table: `metrics.KEY`, `params.KEY` or `tags.KEY`.
    struct Column: Hashable {
        var kind: String
        var key: String
        init?(_ text: String) {
            guard let dot = text.firstIndex(of: "."), ["metrics", "params", "tags"].contains(String(text[..<dot])) else { return nil }
            kind = String(text[..<dot])
            key = String(text[text.index(after: dot)...])
            if key.isEmpty { return nil }
        }
        var id: String { "\(kind).\(key)" }
        /// The column in the search grammar (backquoted: keys may hold dots or spaces).
        var orderKey: String { "\(kind).`\(key)`" }
        func value(_ run: Run) -> String {
            switch kind {
            case "metrics": return run.metrics.first { $0.key == key }.map { HTML.number($0.value) } ?? ""
            case "params": return run.params.first { $0.key == key }.map { HTML.esc($0.value) } ?? ""
            default: return run.tags.first { $0.key == key }.map { HTML.esc($0.value) } ?? ""
            }
        }
    }

    func searchPage(_ experimentId: String, filter: String, order: String, max: Int, token: String?) async -> Result<Page<Run>, StoreError> {
        do {
            return .success(try await store.searchRuns(experimentIds: [experimentId], filter: filter.isEmpty ? nil : filter, view: .activeOnly,
                                                       maxResults: max, orderBy: order.isEmpty ? [] : [order], pageToken: token))
        } catch { return .failure(error) }
    }

    func runs(experimentId: String, _ request: Request) async throws -> String {
        let q = Self.query(request)
        let experiment = try await store.experiment(id: experimentId)
        let filter = q["filter"]?.first ?? "", order = q["order"]?.first ?? "", token = q["page_token"]?.first.flatMap { $0.isEmpty ? nil : $0 }
        let max = Swift.min(Swift.max(Int(q["max"]?.first ?? "") ?? Self.pageSize, 1), 1000)
        var problem = "", items: [Run] = [], nextToken: String?
        switch await searchPage(experimentId, filter: filter, order: order, max: max, token: token) {
        case .success(let found): (items, nextToken) = (found.items, found.nextPageToken)
        case .failure(let e):
            // A filter or order the grammar refuses is shown on the page; anything else is the server's fault.
            if e.code == .internalError { throw e }
            problem = e.message
        }
        // Columns: the ones asked for, else the test metrics most runs on the page share and the model.
        var chosen = (q["col"] ?? []).compactMap(Column.init)
        if chosen.isEmpty {
            var counts: [String: Int] = [:]
            for r in items { for m in r.metrics where m.key.hasPrefix("test_") || m.key.hasPrefix("eval_") { counts[m.key, default: 0] += 1 } }
            chosen = [Column("params.model")!] + counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(4)
                .map(\.key).sorted().compactMap { Column("metrics." + $0) }
        }
        var keys = Set(chosen.map(\.id))
        for r in items {
            for m in r.metrics { keys.insert("metrics." + m.key) }
            for p in r.params { keys.insert("params." + p.key) }
        }
        let available = keys.sorted()
        let base = "/ui/experiments/\(HTML.enc(experimentId))"
        let keep: [(String, String)] = [("filter", filter), ("max", max == Self.pageSize ? "" : String(max))] + chosen.map { ("col", $0.id) }

        func sortLink(_ label: String, _ key: String) -> String {
            let descending = order == "\(key) DESC"
            let next = descending ? "\(key) ASC" : "\(key) DESC"
            let mark = order == "\(key) DESC" ? " ▼" : order == "\(key) ASC" ? " ▲" : ""
            let sort = mark.isEmpty ? "none" : descending ? "descending" : "ascending"
            return "<a href=\"\(HTML.href(base, keep + [("order", next)]))\" aria-label=\"Sort by \(HTML.esc(label))\" data-sort=\"\(sort)\">\(HTML.esc(label))\(mark)</a>"
        }
        var header = ["<span class=\"sr-only\" aria-label=\"Select\">✓</span>", sortLink("Run", "attributes.run_name"), "Status",
                      sortLink("Started", "attributes.start_time"), "Duration"]
        header += chosen.map { sortLink($0.key, $0.orderKey) }
        let numeric = Set(chosen.enumerated().filter { $0.element.kind == "metrics" }.map { $0.offset + 5 })
        let rows = items.map { r -> [String] in
            let name = r.info.runName.isEmpty ? String(r.info.runId.prefix(8)) : r.info.runName
            return ["<input type=\"checkbox\" name=\"run\" value=\"\(HTML.esc(r.info.runId))\" aria-label=\"Select run \(HTML.esc(name))\">",
                    "<a href=\"/ui/runs/\(HTML.enc(r.info.runId))\">\(HTML.esc(name))</a>",
                    "<span class=\"\(r.info.status.rawValue)\">\(r.info.status.rawValue)</span>", HTML.time(r.info.startTime),
                    HTML.duration(r.info.startTime, r.info.endTime)] + chosen.map { $0.value(r) }
        }
        var body = """
        <form class="bar" method="get" action="\(base)" role="search">
        <label for="filter">Search runs (MLflow grammar)<input type="search" id="filter" name="filter" value="\(HTML.esc(filter))" placeholder="metrics.test_accuracy > 0.9 and params.model = 'gbdt'"></label>
        \(chosen.map { "<input type=\"hidden\" name=\"col\" value=\"\(HTML.esc($0.id))\">" }.joined())
        <input type="hidden" name="order" value="\(HTML.esc(order))"><button type="submit">Search</button>
        \(filter.isEmpty && order.isEmpty ? "" : "<a href=\"\(HTML.href(base, chosen.map { ("col", $0.id) }))\">Clear</a>")
        </form>
        <details><summary>Columns (\(chosen.count) of \(available.count))</summary><form method="get" action="\(base)">
        <input type="hidden" name="filter" value="\(HTML.esc(filter))"><input type="hidden" name="order" value="\(HTML.esc(order))"><div class="cols">
        \(available.enumerated().map { i, id in "<label><input type=\"checkbox\" name=\"col\" id=\"col\(i)\" value=\"\(HTML.esc(id))\"\(chosen.contains { $0.id == id } ? " checked" : "")> \(HTML.esc(id))</label>" }.joined())
        </div><button type="submit">Show these columns</button></form></details>
        """
        if !problem.isEmpty { body += "<p class=\"error\" role=\"alert\">\(HTML.esc(problem))</p>" }
        body += "<form id=\"cmp\" method=\"get\" action=\"/ui/compare\"><p><button type=\"submit\" disabled>Compare selected</button> "
            + "<span class=\"muted\">\(items.count) run\(items.count == 1 ? "" : "s") on this page\(token == nil ? "" : " (not the first)")</span></p>"
        body += HTML.table(header, rows, numeric: numeric) + "</form>"
        var links: [String] = []
        if token != nil { links.append("<a href=\"\(HTML.href(base, keep + [("order", order)]))\">First page</a>") }
        if let next = nextToken { links.append("<a rel=\"next\" href=\"\(HTML.href(base, keep + [("order", order), ("page_token", next)]))\">Next \(max) runs →</a>") }
        if !links.isEmpty { body += "<p>" + links.joined(separator: " · ") + "</p>" }
        body += """
        <script>(function(){var f=document.getElementById('cmp');if(!f)return;var b=f.querySelector('button');
        function u(){var n=f.querySelectorAll('input[name=run]:checked').length;b.disabled=n<1||n>\(Self.maxCompared);b.textContent=n>\(Self.maxCompared)?'Compare (at most \(Self.maxCompared))':'Compare '+n+' selected';}
        f.addEventListener('change',u);u();})();</script>
        """
        return HTML.page("Runs of \(experiment.name)", section: .experiments, breadcrumbs: [("Experiments", "/"), (experiment.name, "")], body: body)
    }

    // MARK: One run

    func run(id: String) async throws -> String {
        let run = try await store.run(id: id)
        let experiment = try await store.experiment(id: run.info.experimentId)
        let tag = Dictionary(run.tags.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        var body = "<div class=\"kv\">" + [
            ("Run ID", "<span class=\"mono\">\(HTML.esc(run.info.runId))</span>"),
            ("Status", "<span class=\"\(run.info.status.rawValue)\">\(run.info.status.rawValue)</span>"),
            ("Experiment", "<a href=\"/ui/experiments/\(HTML.enc(experiment.experimentId))\">\(HTML.esc(experiment.name))</a>"),
            ("Started", HTML.time(run.info.startTime)), ("Duration", HTML.duration(run.info.startTime, run.info.endTime)),
            ("User", HTML.esc(run.info.userId)), ("Source", HTML.esc(tag["mlflow.source.name"] ?? "–")),
            ("Artifacts", "<span class=\"mono\">\(HTML.esc(run.info.artifactUri))</span>"),
        ].map { "<b>\($0.0)</b><span>\($0.1)</span>" }.joined() + "</div>"

        // Histories: charted when a metric has more than one point.
        var charts: [String] = []
        var pointCounts: [String: Int] = [:]
        for key in Self.chartCandidates(run.metrics) {
            let history = try await tracking.metricHistory(runId: id, key: key)
            pointCounts[key] = history.count
            if history.count > 1 { charts.append(chart(key, [(run.info.runName, history)])) }
        }
        // Test, validation and cross-validation figures first; baselines folded away beside them.
        let metricRow = { (m: Metric) -> [String] in [HTML.esc(m.key), HTML.number(m.value), String(m.step), pointCounts[m.key].map(String.init) ?? "–"] }
        let sortedMetrics = run.metrics.sorted { $0.key < $1.key }
        let baselines = sortedMetrics.filter { $0.key.hasPrefix("baseline_") }, main = sortedMetrics.filter { !$0.key.hasPrefix("baseline_") }
        body += "<h2>Metrics</h2>" + HTML.table(["Name", "Latest value", "Step", "Points"], main.map(metricRow), numeric: [1, 2, 3])
        if !baselines.isEmpty {
            body += "<details><summary>Baseline metrics (\(baselines.count))</summary>" + HTML.table(["Name", "Value", "Step", "Points"], baselines.map(metricRow), numeric: [1, 2, 3]) + "</details>"
        }
        if !charts.isEmpty { body += "<h2>Charts</h2><div class=\"cards\">" + charts.joined() + "</div>" }
        let (plots, files) = try await artifactSection(run)
        body += plots
        body += "<h2>Parameters</h2>" + (run.params.isEmpty ? "<p class=\"muted\">None</p>" : HTML.table(["Name", "Value"], run.params.sorted { $0.key < $1.key }.map {
            [HTML.esc($0.key), "<span class=\"wrap\">\(HTML.esc($0.value))</span>"]
        }))
        if !run.io.datasetInputs.isEmpty {
            body += "<h2>Inputs</h2>" + HTML.table(["Dataset", "Digest", "Context", "Source"], run.io.datasetInputs.map { d in
                let local = LocalTracking.workspaceVersion(d.dataset, datasets)
                let name = local.map { "<a href=\"/ui/datasets/\(HTML.enc($0.name))\">\(HTML.esc($0.reference))</a>" } ?? HTML.esc(d.dataset.name)
                return [name, "<span class=\"mono\">\(HTML.esc(d.dataset.digest))</span>", HTML.esc(d.tags.first { $0.key == "mlflow.data.context" }?.value ?? ""),
                        "<span class=\"mono\">\(HTML.esc(d.dataset.source))</span>"]
            })
        }
        body += files
        body += "<h2>Tags</h2>" + HTML.table(["Name", "Value"], run.tags.sorted { $0.key < $1.key }.map { [HTML.esc($0.key), HTML.esc(String($0.value.prefix(300)))] })
        let name = run.info.runName.isEmpty ? String(run.info.runId.prefix(8)) : run.info.runName
        return HTML.page("Run \(name)", section: .experiments,
                         breadcrumbs: [("Experiments", "/"), (experiment.name, "/ui/experiments/\(HTML.enc(experiment.experimentId))"), (name, "")], body: body)
    }

    /// The metrics whose histories are fetched to be charted, at most `maxCharts`: those whose latest
    /// point has a step past 0 (curves, folds) first, then the rest; baselines never (one point each).
    static func chartCandidates(_ metrics: [Metric]) -> [String] {
        let latest = Dictionary(metrics.map { ($0.key, $0.step) }, uniquingKeysWith: { a, b in max(a, b) })
        let keys = latest.keys.filter { !$0.hasPrefix("baseline_") }
        let stepped = keys.filter { latest[$0]! > 0 }.sorted(), flat = keys.filter { latest[$0]! == 0 }.sorted()
        return Array((stepped + flat).prefix(maxCharts)).sorted()
    }

    /// A metric's histories drawn as one chart (one line per run), each downsampled on the server.
    func chart(_ key: String, _ histories: [(String, [Metric])]) -> String {
        var series: [SVGChart.Series] = [], points = 0, drawn = 0
        for (name, history) in histories {
            let sorted = history.sorted { $0.step != $1.step ? $0.step < $1.step : $0.timestamp < $1.timestamp }
            let d = Downsample.minMax(x: sorted.map { Double($0.step) }, y: sorted.map(\.value), buckets: Self.chartBuckets)
            points += sorted.count
            drawn += d.x.count
            series.append(SVGChart.Series(name: name, x: d.x, y: d.y))
        }
        let note = drawn < points ? "\(points) points, drawn as \(drawn) (min and max per step range)" : "\(points) points"
        return "<figure class=\"card\" id=\"chart-\(HTML.esc(key))\">" + SVGChart.lines(series, title: key, xLabel: "step", yLabel: key)
            + "<figcaption class=\"muted\">\(note)</figcaption></figure>"
    }

    // MARK: Artifacts

    static let textExtensions: Set<String> = ["json", "txt", "csv", "yaml", "yml", "md", "log", "py", "toml", "ini", "cfg", "tsv"]
    static let inlineTextLimit = 64 << 10

    /// The run's images as a "Plots" section, and its files (text shown inline) as "Artifacts".
    func artifactSection(_ run: Run) async throws -> (plots: String, files: String) {
        guard let root = try? artifacts.key(ofLocation: run.info.artifactUri) else {
            // An experiment created with its own artifact location (s3:, a path, …): not this server's to show.
            return ("", "<h2>Artifacts</h2><p class=\"muted\">Kept at <span class=\"mono\">\(HTML.esc(run.info.artifactUri))</span>, which this server does not serve.</p>")
        }
        guard let files = try? await tracking.artifactFiles(run.info), !files.isEmpty else { return ("", "<h2>Artifacts</h2><p class=\"muted\">None</p>") }
        var images: [String] = [], texts: [String] = [], rows: [[String]] = []
        for path in files {
            let link = "/ui/artifacts/\(HTML.enc(run.info.runId))/" + path.split(separator: "/").map { HTML.enc(String($0)) }.joined(separator: "/")
            let download = "/api/2.0/mlflow-artifacts/artifacts/" + (root + "/" + path).split(separator: "/").map { HTML.enc(String($0)) }.joined(separator: "/")
            let url = try artifacts.resolve(root + "/" + path)
            let size = ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int) ?? 0
            let ext = (path as NSString).pathExtension.lowercased()
            rows.append(["<a href=\"\(link)\">\(HTML.esc(path))</a>", formatBytes(size), "<a href=\"\(download)\" download>download</a>"])
            if ext == "svg" || ext == "png" {
                images.append("<figure class=\"card\"><img src=\"\(link)\" alt=\"\(HTML.esc(path))\" loading=\"lazy\"><figcaption class=\"muted\">\(HTML.esc(path))</figcaption></figure>")
            } else if (Self.textExtensions.contains(ext) || path.hasSuffix("MLmodel")), size <= Self.inlineTextLimit,
                      let data = FileManager.default.contents(atPath: url.path) {
                texts.append("<details><summary>\(HTML.esc(path))</summary><pre>\(HTML.esc(String(decoding: data, as: UTF8.self)))</pre></details>")
            }
        }
        let plots = images.isEmpty ? "" : "<h2>Plots</h2><div class=\"cards\">" + images.joined() + "</div>"
        return (plots, "<h2>Artifacts</h2>" + texts.joined() + HTML.table(["File", "Size", ""], rows, numeric: [1]))
    }

    /// Serves one artifact of a run for the UI: images and text shown in the browser, HTML sandboxed
    /// (uploaded files never run script on this origin), anything else downloaded.
    func artifact(runId: String, path: String, context: BasicRequestContext) async throws -> Response {
        let run = try await store.run(id: runId)
        let key = try artifacts.key(ofLocation: run.info.artifactUri) + "/" + path
        let url = try artifacts.resolve(key)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue else {
            throw PageError(status: 404, message: "Run \(runId) has no artifact file '\(path)'")
        }
        let ext = (path as NSString).pathExtension.lowercased()
        var headers: HTTPFields = [.init("X-Content-Type-Options")!: "nosniff"]
        switch ext {
        case "svg":
            headers[.contentType] = "image/svg+xml"
            headers[.init("Content-Security-Policy")!] = "default-src 'none'; style-src 'unsafe-inline'"
        case "png": headers[.contentType] = "image/png"
        case "html", "htm":
            headers[.contentType] = "text/html; charset=utf-8"
            headers[.init("Content-Security-Policy")!] = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        case _ where Self.textExtensions.contains(ext) || path.hasSuffix("MLmodel"): headers[.contentType] = "text/plain; charset=utf-8"
        default:
            headers[.contentType] = "application/octet-stream"
            headers[.contentDisposition] = "attachment; filename=\"\((path as NSString).lastPathComponent.replacingOccurrences(of: "\"", with: ""))\""
        }
        let body = try await FileIO().loadFile(path: url.path, context: context)
        return Response(status: .ok, headers: headers, body: body)
    }

    // MARK: Compare

    func compare(_ request: Request) async throws -> String {
        let q = Self.query(request)
        var ids: [String] = []
        for v in (q["run"] ?? []) + (q["runs"] ?? []).flatMap({ $0.split(separator: ",").map(String.init) }) where !v.isEmpty && !ids.contains(v) { ids.append(v) }
        guard !ids.isEmpty else { throw PageError(status: 400, message: "Choose runs to compare: select them in a runs table, or pass ?run=ID&run=ID") }
        guard ids.count <= Self.maxCompared else { throw PageError(status: 400, message: "At most \(Self.maxCompared) runs can be compared; \(ids.count) were chosen") }
        var runs: [Run] = []
        for id in ids { runs.append(try await store.run(id: id)) }
        let names = runs.map { $0.info.runName.isEmpty ? String($0.info.runId.prefix(8)) : $0.info.runName }
        let header = ["Name"] + zip(runs, names).map { r, n in "<a href=\"/ui/runs/\(HTML.enc(r.info.runId))\">\(HTML.esc(n))</a>" }
        func diffTable(_ maps: [[String: String]], _ caption: String) -> String {
            let keys = Set(maps.flatMap(\.keys)).sorted()
            var s = "<div class=\"scroll\"><table><caption class=\"muted\" style=\"text-align:left;padding:6px 10px\">\(caption)</caption><thead><tr>"
                + header.map { "<th scope=\"col\">\($0)</th>" }.joined() + "</tr></thead><tbody>"
            for k in keys {
                let values = maps.map { $0[k] }
                let differs = Set(values.map { $0 ?? "\u{0}" }).count > 1
                s += "<tr class=\"\(differs ? "diff" : "same")\"><th scope=\"row\">\(HTML.esc(k))</th>" + values.map { "<td class=\"wrap\">\(HTML.esc($0 ?? "–"))</td>" }.joined() + "</tr>"
            }
            return s + "</tbody></table></div>"
        }
        let params = runs.map { Dictionary($0.params.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }) }
        let metrics = runs.map { Dictionary($0.metrics.map { ($0.key, HTML.number($0.value)) }, uniquingKeysWith: { a, _ in a }) }
        var body = "<p><label><input type=\"checkbox\" id=\"only-diff\"> Show only rows that differ</label> <span class=\"muted\">(differing rows are highlighted)</span></p>"
        let main = metrics.map { $0.filter { !$0.key.hasPrefix("baseline_") } }, baselines = metrics.map { $0.filter { $0.key.hasPrefix("baseline_") } }
        body += "<h2>Metrics</h2>" + diffTable(main, "Latest value of each metric")
        if baselines.contains(where: { !$0.isEmpty }) {
            body += "<details><summary>Baseline metrics</summary>" + diffTable(baselines, "The baselines each run was trained beside") + "</details>"
        }
        body += "<h2>Parameters</h2>" + diffTable(params, "Parameters of each run")
        // Curves: every metric with more than one point in some run, one line per run.
        var charts: [String] = []
        for key in Self.chartCandidates(runs.flatMap(\.metrics)) {
            var histories: [(String, [Metric])] = []
            for (r, n) in zip(runs, names) where r.metrics.contains(where: { $0.key == key }) {
                histories.append((n, try await tracking.metricHistory(runId: r.info.runId, key: key)))
            }
            if histories.contains(where: { $0.1.count > 1 }) { charts.append(chart(key, histories)) }
        }
        if !charts.isEmpty { body.insert(contentsOf: "<h2>Curves</h2><div class=\"cards\">" + charts.joined() + "</div>", at: body.range(of: "<h2>Metrics</h2>")!.lowerBound) }
        body += """
        <script>(function(){var c=document.getElementById('only-diff');c.addEventListener('change',function(){
        document.querySelectorAll('tr.same').forEach(function(r){r.hidden=c.checked;});});})();</script>
        """
        let experiment = try await store.experiment(id: runs[0].info.experimentId)
        return HTML.page("Compare \(runs.count) runs", section: .experiments,
                         breadcrumbs: [("Experiments", "/"), (experiment.name, "/ui/experiments/\(HTML.enc(experiment.experimentId))"), ("Compare", "")], body: body)
    }
}
