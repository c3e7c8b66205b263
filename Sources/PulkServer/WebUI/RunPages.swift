import Foundation
import Hummingbird
import NIOCore
import PulkProfile
import PulkStore
import PulkTracking
import PulkWorkspace
import PulkFrame
import PulkLearn

extension WebUI {
    // MARK: Experiments

    func experiments(_ request: Request) async throws -> String {
        let list = try await store.searchExperiments(view: .activeOnly, filter: nil, orderBy: ["last_update_time DESC"], maxResults: 1000, pageToken: nil).items
            .filter { RequestIdentity.can(.experiment, $0.experimentId) }
        let activity = try await store.experimentActivity()
        // Most recent activity first: the latest run, else the experiment's own last change.
        let latest = { (e: Experiment) -> Int64 in Swift.max(activity[e.experimentId]?.lastRunTime ?? 0, e.lastUpdateTime) }
        let rows = list.sorted { latest($0) != latest($1) ? latest($0) > latest($1) : $0.name < $1.name }.map { e in
            ["<a href=\"/ui/experiments/\(HTML.enc(e.experimentId))\">\(HTML.esc(e.name))</a>", String(activity[e.experimentId]?.runs ?? 0),
             HTML.time(latest(e)), HTML.time(e.creationTime), HTML.esc(e.experimentId),
             e.experimentId == "0" ? "" : HTML.apiForm("/api/2.0/mlflow/experiments/delete", fixed: ["experiment_id": e.experimentId], fields: "", button: "Delete",
                                                       confirm: "Delete the experiment \(e.name) and its runs? It can be restored below.", label: "Delete experiment \(e.name)", danger: true)]
        }
        var body = list.isEmpty ? "<p>No experiments yet. <code>pulk train --data FILE --target COL --model gbdt</code> records the first run.</p>"
            : "<p><a href=\"/ui/runs\">Search runs of every experiment</a></p>"
                + HTML.table(["Name", "Runs", "Last activity", "Created", "ID", "<span class=\"sr-only\">Delete</span>"], rows, numeric: [1])
        let deleted = try await store.searchExperiments(view: .deletedOnly, filter: nil, orderBy: ["last_update_time DESC"], maxResults: 1000, pageToken: nil).items
            .filter { RequestIdentity.can(.experiment, $0.experimentId) }
        if !deleted.isEmpty {
            body += "<details><summary>Deleted experiments (\(deleted.count))</summary>" + HTML.table(["Name", "ID", "Deleted", ""], deleted.map { e in
                [HTML.esc(e.name), HTML.esc(e.experimentId), HTML.time(e.lastUpdateTime),
                 HTML.apiForm("/api/2.0/mlflow/experiments/restore", fixed: ["experiment_id": e.experimentId], fields: "", button: "Restore", label: "Restore experiment \(e.name)")]
            }) + "</details>"
        }
        return HTML.page("Experiments", section: .experiments, body: body + Self.mlflowLinks)
    }

    /// MLflow's UI links are fragments (`/#/experiments/1/runs/ID`, `/#/models/NAME/versions/2`), which
    /// never reach a server: the landing page sends them on to the same page here.
    static let mlflowLinks = """
    <script>(function(){var h=location.hash,m;if(!h)return;
    if((m=h.match(/^#\\/experiments\\/[^\\/]+\\/runs\\/([^\\/?#]+)/)))location.replace('/ui/runs/'+m[1]);
    else if((m=h.match(/^#\\/experiments\\/([^\\/?#]+)/)))location.replace('/ui/experiments/'+m[1]);
    else if((m=h.match(/^#\\/models\\/([^\\/?#]+)\\/versions\\/([^\\/?#]+)/)))location.replace('/ui/models/'+m[1]+'/versions/'+m[2]);
    else if((m=h.match(/^#\\/models\\/([^\\/?#]+)/)))location.replace('/ui/models/'+m[1]);})();</script>
    """

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

    func searchPage(_ experimentIds: [String], filter: String, order: String, max: Int, token: String?, view: ViewType = .activeOnly) async -> Result<Page<Run>, StoreError> {
        guard !experimentIds.isEmpty else { return .success(Page(items: [], nextPageToken: nil)) }
        do {
            return .success(try await store.searchRuns(experimentIds: experimentIds, filter: filter.isEmpty ? nil : filter, view: view,
                                                       maxResults: max, orderBy: order.isEmpty ? [] : [order], pageToken: token))
        } catch { return .failure(error) }
    }

    /// The runs table of one experiment, or (`experimentId` nil) of every experiment; `?view=deleted`
    /// lists the deleted runs, each with a button that restores it.
    func runs(experimentId: String?, _ request: Request) async throws -> String {
        let q = Self.query(request)
        var experiment: Experiment?
        if let experimentId { experiment = try await store.experiment(id: experimentId) }
        let all = experimentId == nil
            ? try await store.searchExperiments(view: .activeOnly, filter: nil, orderBy: [], maxResults: 1000, pageToken: nil).items
                .filter { RequestIdentity.can(.experiment, $0.experimentId) } : []
        let experimentNames = Dictionary(all.map { ($0.experimentId, $0.name) }, uniquingKeysWith: { a, _ in a })
        let ids = experimentId.map { [$0] } ?? all.map(\.experimentId)
        let deletedView = q["view"]?.first == "deleted"
        let filter = q["filter"]?.first ?? "", order = q["order"]?.first ?? "", token = q["page_token"]?.first.flatMap { $0.isEmpty ? nil : $0 }
        let max = Swift.min(Swift.max(Int(q["max"]?.first ?? "") ?? Self.pageSize, 1), 1000)
        var problem = "", items: [Run] = [], nextToken: String?
        switch await searchPage(ids, filter: filter, order: order, max: max, token: token, view: deletedView ? .deletedOnly : .activeOnly) {
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
        let base = experimentId.map { "/ui/experiments/\(HTML.enc($0))" } ?? "/ui/runs"
        let keep: [(String, String)] = [("filter", filter), ("max", max == Self.pageSize ? "" : String(max)), ("view", deletedView ? "deleted" : "")]
            + chosen.map { ("col", $0.id) }

        func sortLink(_ label: String, _ key: String) -> String {
            let descending = order == "\(key) DESC"
            let next = descending ? "\(key) ASC" : "\(key) DESC"
            let mark = order == "\(key) DESC" ? " ▼" : order == "\(key) ASC" ? " ▲" : ""
            let sort = mark.isEmpty ? "none" : descending ? "descending" : "ascending"
            return "<a href=\"\(HTML.href(base, keep + [("order", next)]))\" aria-label=\"Sort by \(HTML.esc(label))\" data-sort=\"\(sort)\">\(HTML.esc(label))\(mark)</a>"
        }
        var header = ["<span class=\"sr-only\">Select</span>", sortLink("Run", "attributes.run_name")] + (experimentId == nil ? ["Experiment"] : [])
            + ["Status", sortLink("Started", "attributes.start_time"), "Duration"]
        header += chosen.map { sortLink($0.key, $0.orderKey) }
        let fixedColumns = experimentId == nil ? 6 : 5
        let numeric = Set(chosen.enumerated().filter { $0.element.kind == "metrics" }.map { $0.offset + fixedColumns })
        if deletedView { header.append("<span class=\"sr-only\">Restore</span>") }
        let rows = items.map { r -> [String] in
            let name = r.info.runName.isEmpty ? String(r.info.runId.prefix(8)) : r.info.runName
            var row = ["<input type=\"checkbox\" name=\"run\" value=\"\(HTML.esc(r.info.runId))\" aria-label=\"Select run \(HTML.esc(name))\">",
                       "<a href=\"/ui/runs/\(HTML.enc(r.info.runId))\">\(HTML.esc(name))</a>"]
            if experimentId == nil {
                let e = r.info.experimentId
                row.append("<a href=\"/ui/experiments/\(HTML.enc(e))\">\(HTML.esc(experimentNames[e] ?? e))</a>")
            }
            row += ["<span class=\"\(r.info.status.rawValue)\">\(r.info.status.rawValue)</span>", HTML.time(r.info.startTime),
                    HTML.duration(r.info.startTime, r.info.endTime)] + chosen.map { $0.value(r) }
            if deletedView {
                row.append(HTML.apiForm("/api/2.0/mlflow/runs/restore", fixed: ["run_id": r.info.runId], fields: "", button: "Restore", label: "Restore run \(name)"))
            }
            return row
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
        let other = deletedView ? "<a href=\"\(HTML.esc(base))\">Active runs</a>" : "<a href=\"\(HTML.href(base, [("view", "deleted")]))\">Deleted runs</a>"
        body = "<p>\(other)\(experimentId == nil ? "" : " · <a href=\"/ui/runs\">Search runs of every experiment</a>")</p>" + body
        let what = deletedView ? "Deleted runs" : "Runs"
        guard let experiment else {
            return HTML.page("\(what) of every experiment", section: .experiments, breadcrumbs: [("Experiments", "/"), ("Every experiment", "")], body: body)
        }
        return HTML.page("\(what) of \(experiment.name)", section: .experiments, breadcrumbs: [("Experiments", "/"), (experiment.name, "")], body: body)
    }

    // MARK: One run

    /// How a run page draws its charts: x axis, smoothing and y scale, from the query.
    struct ChartOptions {
        enum XAxis: String { case step, time }
        var x: XAxis = .step
        /// Exponential moving average weight, 0 (none) … 0.95.
        var smoothing = 0.0
        var logY = false

        init(_ q: [String: [String]] = [:]) {
            x = XAxis(rawValue: q["x"]?.first ?? "") ?? .step
            smoothing = Swift.min(Swift.max(Double(q["smooth"]?.first ?? "") ?? 0, 0), 0.95)
            if !smoothing.isFinite { smoothing = 0 }
            logY = q["scale"]?.first == "log"
        }

        /// The choices as a small form that reloads the page.
        func form(action: String, hidden: [(String, String)] = []) -> String {
            let smooth = [0, 0.3, 0.6, 0.8, 0.9, 0.95].map { v in
                "<option value=\"\(v)\"\(abs(v - smoothing) < 1e-9 ? " selected" : "")>\(v == 0 ? "none" : String(v))</option>" }.joined()
            return """
            <form class="chartopts" method="get" action="\(HTML.esc(action))" aria-label="Chart options">\(hidden.map { "<input type=\"hidden\" name=\"\(HTML.esc($0.0))\" value=\"\(HTML.esc($0.1))\">" }.joined())
            <label>x axis <select name="x"><option value="step"\(x == .step ? " selected" : "")>step</option><option value="time"\(x == .time ? " selected" : "")>wall time</option></select></label>
            <label>smoothing <select name="smooth">\(smooth)</select></label>
            <label><input type="checkbox" name="scale" value="log"\(logY ? " checked" : "")> log scale</label>
            <button type="submit">Redraw</button></form>
            """
        }
    }

    func run(id: String, _ request: Request? = nil) async throws -> String {
        let run = try await store.run(id: id)
        let experiment = try await store.experiment(id: run.info.experimentId)
        let options = ChartOptions(request.map(Self.query) ?? [:])
        let tag = Dictionary(run.tags.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        let runId = run.info.runId
        var body = ""
        if run.info.lifecycleStage == .deleted {
            body += "<div class=\"banner\" role=\"status\">This run is deleted: it is left out of lists and searches. "
                + HTML.apiForm("/api/2.0/mlflow/runs/restore", fixed: ["run_id": runId], fields: "", button: "Restore run", label: "Restore run") + "</div>"
        }
        body += "<div class=\"kv\">" + [
            ("Run ID", "<span class=\"mono\">\(HTML.esc(runId))</span>"),
            ("Status", "<span class=\"\(run.info.status.rawValue)\">\(run.info.status.rawValue)</span>"),
            ("Experiment", "<a href=\"/ui/experiments/\(HTML.enc(experiment.experimentId))\">\(HTML.esc(experiment.name))</a>"),
            ("Started", HTML.time(run.info.startTime)), ("Duration", HTML.duration(run.info.startTime, run.info.endTime)),
            ("User", HTML.esc(run.info.userId)), ("Source", HTML.esc(tag["mlflow.source.name"] ?? "–")),
            ("Artifacts", "<span class=\"mono\">\(HTML.esc(run.info.artifactUri))</span>"),
        ].map { "<b>\($0.0)</b><span>\($0.1)</span>" }.joined() + "</div>"
        // The description (MLflow's mlflow.note.content), editable in place.
        body += "<h2>Description</h2>" + HTML.apiForm("/api/2.0/mlflow/runs/set-tag", fixed: ["run_id": runId, "key": "mlflow.note.content"],
            fields: "<textarea name=\"value\" aria-label=\"Run description\" placeholder=\"What this run tried, and what it showed\">\(HTML.esc(tag["mlflow.note.content"] ?? ""))</textarea>",
            button: "Save description", label: "Run description")

        // Histories: charted when a metric has more than one point.
        var charts: [String] = []
        var pointCounts: [String: Int] = [:]
        for key in Self.chartCandidates(run.metrics) {
            let history = try await tracking.metricHistory(runId: id, key: key)
            pointCounts[key] = history.count
            if history.count > 1 { charts.append(chart(key, [(run.info.runName, history)], options: options)) }
        }
        // Test, validation and cross-validation figures beside the charts; baselines folded away.
        let metricRow = { (m: Metric) -> [String] in [HTML.esc(m.key), HTML.number(m.value), String(m.step), pointCounts[m.key].map(String.init) ?? "–"] }
        let sortedMetrics = run.metrics.sorted { $0.key < $1.key }
        let baselines = sortedMetrics.filter { $0.key.hasPrefix("baseline_") }, main = sortedMetrics.filter { !$0.key.hasPrefix("baseline_") }
        var left = "<h2>Metrics</h2>" + HTML.table(["Name", "Latest value", "Step", "Points"], main.map(metricRow), numeric: [1, 2, 3])
        if !baselines.isEmpty {
            left += "<details><summary>Baseline metrics (\(baselines.count))</summary>" + HTML.table(["Name", "Value", "Step", "Points"], baselines.map(metricRow), numeric: [1, 2, 3]) + "</details>"
        }
        let right = charts.isEmpty ? "<h2>Charts</h2><p class=\"muted\">No metric has more than one point.</p>"
            : "<h2>Charts</h2>" + options.form(action: "/ui/runs/\(HTML.enc(runId))") + "<div class=\"cards\">" + charts.joined() + "</div>"
        body += "<div class=\"split\"><section>\(left)</section><section>\(right)</section></div>"
        let (plots, files) = try await artifactSection(run)
        body += plots
        // Parameters with a filter box; inputs and tags beside them.
        var params = "<h2>Parameters (\(run.params.count))</h2>"
        if run.params.isEmpty { params += "<p class=\"muted\">None</p>" } else {
            if run.params.count > 8 {
                params += "<p><input type=\"search\" id=\"param-filter\" aria-label=\"Filter parameters\" placeholder=\"Filter parameters by name or value\"></p>"
            }
            params += "<div id=\"params\">" + HTML.table(["Name", "Value"], run.params.sorted { $0.key < $1.key }.map {
                [HTML.esc($0.key), "<span class=\"wrap\">\(HTML.esc($0.value))</span>"]
            }) + "</div>"
        }
        var side = ""
        if !run.io.datasetInputs.isEmpty {
            side += "<h2>Inputs</h2>" + HTML.table(["Dataset", "Digest", "Context"], run.io.datasetInputs.map { d in
                let local = LocalTracking.workspaceVersion(d.dataset, datasets)
                let name = local.map { "<a href=\"/ui/datasets/\(HTML.enc($0.name))\">\(HTML.esc($0.reference))</a>" } ?? HTML.esc(d.dataset.name)
                return [name, "<span class=\"mono\" title=\"\(HTML.esc(d.dataset.source))\">\(HTML.esc(String(d.dataset.digest.prefix(12))))</span>",
                        HTML.esc(d.tags.first { $0.key == "mlflow.data.context" }?.value ?? "")]
            })
        }
        let shownTags = run.tags.filter { $0.key != "mlflow.note.content" }.sorted { $0.key < $1.key }
        side += "<h2>Tags</h2>" + HTML.table(["Name", "Value", ""], shownTags.map { t in
            [HTML.esc(t.key), "<span class=\"wrap\">\(HTML.esc(String(t.value.prefix(300))))</span>",
             t.key.hasPrefix("mlflow.") ? "" : HTML.apiForm("/api/2.0/mlflow/runs/delete-tag", fixed: ["run_id": runId, "key": t.key], fields: "",
                                                            button: "Remove", label: "Remove tag \(t.key)", danger: true)]
        })
        side += HTML.apiForm("/api/2.0/mlflow/runs/set-tag", fixed: ["run_id": runId],
                             fields: "<input type=\"text\" name=\"key\" aria-label=\"Tag name\" placeholder=\"name\" required><input type=\"text\" name=\"value\" aria-label=\"Tag value\" placeholder=\"value\">",
                             button: "Set tag", label: "Set a tag")
        body += "<div class=\"split\"><section>\(params)</section><section>\(side)</section></div>"
        body += files
        if run.info.lifecycleStage != .deleted {
            body += "<h2>Delete</h2>" + HTML.apiForm("/api/2.0/mlflow/runs/delete", fixed: ["run_id": runId], fields: "", button: "Delete run",
                                                     confirm: "Delete this run? It can be restored from the experiment's deleted runs.", label: "Delete run", danger: true,
                                                     then: "/ui/experiments/\(HTML.enc(experiment.experimentId))")
        }
        body += """
        <script>(function(){var f=document.getElementById('param-filter');if(!f)return;f.addEventListener('input',function(){var q=f.value.toLowerCase();
        document.querySelectorAll('#params tbody tr').forEach(function(r){r.hidden=q!==''&&r.textContent.toLowerCase().indexOf(q)<0;});});})();</script>
        """
        let name = run.info.runName.isEmpty ? String(runId.prefix(8)) : run.info.runName
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
    /// Cross-validation folds (`cv_*` with a step per fold) are points over the fold number, never a line.
    func chart(_ key: String, _ histories: [(String, [Metric])], options: ChartOptions = ChartOptions()) -> String {
        let folds = key.hasPrefix("cv_") && !key.hasSuffix("_mean") && !key.hasSuffix("_std")
        var series: [SVGChart.Series] = [], points = 0, drawn = 0
        for (name, history) in histories {
            let sorted = history.sorted { $0.step != $1.step ? $0.step < $1.step : $0.timestamp < $1.timestamp }
            let first = sorted.first?.timestamp ?? 0
            let x = options.x == .time && !folds ? sorted.map { Double($0.timestamp - first) / 1000 } : sorted.map { Double($0.step) }
            var y = sorted.map(\.value)
            if options.smoothing > 0, !folds { y = Self.smooth(y, options.smoothing) }
            let d = Downsample.minMax(x: x, y: y, buckets: Self.chartBuckets)
            points += sorted.count
            drawn += d.x.count
            series.append(SVGChart.Series(name: name, x: d.x, y: d.y))
        }
        var note = drawn < points ? "\(points) points, drawn as \(drawn) (min and max per step range)" : "\(points) points"
        if options.smoothing > 0, !folds { note += "; smoothed (moving average weight \(options.smoothing))" }
        let xLabel = folds ? "fold" : options.x == .time ? "seconds since the first point" : "step"
        let svg = SVGChart.lines(series, title: key, xLabel: xLabel, yLabel: key, integerX: !folds && options.x == .step, markers: folds, logY: options.logY)
        return "<figure class=\"card\" id=\"chart-\(HTML.esc(key))\">" + svg + "<figcaption class=\"muted\">\(note)</figcaption></figure>"
    }

    /// An exponential moving average with TensorBoard's debiasing (the first values are not pulled to 0).
    static func smooth(_ values: [Double], _ weight: Double) -> [Double] {
        var last = 0.0, count = 0.0
        return values.map { v in
            guard v.isFinite else { return v }
            last = last * weight + (1 - weight) * v
            count += 1
            return last / (1 - pow(weight, count))
        }
    }

    // MARK: Compare

    func compare(_ request: Request) async throws -> String {
        let q = Self.query(request)
        var ids: [String] = []
        for v in (q["run"] ?? []) + (q["runs"] ?? []).flatMap({ $0.split(separator: ",").map(String.init) }) where !v.isEmpty && !ids.contains(v) { ids.append(v) }
        guard !ids.isEmpty else { throw PageError(status: 400, message: "Choose runs to compare: select them in a runs table, or pass ?run=ID&run=ID") }
        let options = ChartOptions(q)
        guard ids.count <= Self.maxCompared else { throw PageError(status: 400, message: "At most \(Self.maxCompared) runs can be compared; \(ids.count) were chosen") }
        var runs: [Run] = []
        for id in ids {
            let run = try await store.run(id: id)
            try RequestIdentity.requireRead(.experiment, run.info.experimentId)
            runs.append(run)
        }
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
            if histories.contains(where: { $0.1.count > 1 }) { charts.append(chart(key, histories, options: options)) }
        }
        if !charts.isEmpty {
            let controls = options.form(action: "/ui/compare", hidden: ids.map { ("run", $0) })
            body.insert(contentsOf: "<h2>Curves</h2>" + controls + "<div class=\"cards\">" + charts.joined() + "</div>", at: body.range(of: "<h2>Metrics</h2>")!.lowerBound)
        }
        body += """
        <script>(function(){var c=document.getElementById('only-diff');c.addEventListener('change',function(){
        document.querySelectorAll('tr.same').forEach(function(r){r.hidden=c.checked;});});})();</script>
        """
        let experiment = try await store.experiment(id: runs[0].info.experimentId)
        return HTML.page("Compare \(runs.count) runs", section: .experiments,
                         breadcrumbs: [("Experiments", "/"), (experiment.name, "/ui/experiments/\(HTML.enc(experiment.experimentId))"), ("Compare", "")], body: body)
    }
}
