import Foundation
import Hummingbird
import PulkApp
import PulkAutoML
import PulkProfile
import PulkStore
import PulkWorkspace
import PulkFrame

/// The AutoML pages: the searches with a form to start one, and a page per search whose leaderboard,
/// best-so-far curve and time per estimator update while it runs, without a reload.
extension WebUI {
    func registerAutoML(_ router: Router<BasicRequestContext>) {
        let ui = self
        router.get("/ui/automl") { _, _ in await ui.render { try await ui.automlList() } }
        router.get("/ui/automl/{id}") { _, context in await ui.render { try await ui.automlSearch(id: try context.parameters.require("id")) } }
        // The live part of a search's page, which the page's script fetches while the search runs.
        router.get("/ui/automl/{id}/live") { _, context in
            do {
                let html = try await ui.automlLive(try ui.searches().job(id: try context.parameters.require("id")))
                return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                                body: .init(byteBuffer: ByteBuffer(string: html)))
            } catch { return ui.errorPage(error) }
        }
    }

    func searches() throws -> AutoMLJobs {
        guard let automl else { throw PageError(status: 404, message: "This server runs no AutoML searches: it has no workspace with datasets.") }
        return automl
    }

    func automlList() async throws -> String {
        let page = try await searches().list(maxResults: 200, pageToken: nil)
        var body = "<p>Searches this server runs, one at a time, newest first. Each is recorded as a run with a child run per trial.</p>"
        body += "<h2>Start a search</h2>" + startForm()
        body += "<h2>Searches</h2>"
        if page.items.isEmpty {
            body += "<p class=\"muted\">None yet.</p>"
        } else {
            let rows: [[String]] = page.items.map { j in
                let link = "<a href=\"/ui/automl/\(HTML.enc(j.job.id))\">\(HTML.esc(String(j.job.id.prefix(8))))</a>"
                let best: String = j.best.map { HTML.number($0.score) + " (" + HTML.esc($0.model) + ")" } ?? "–"
                let budget: String = formatDouble(j.spec.timeBudget ?? 60) + " s"
                return [link, Self.status(j.job.status), HTML.esc(j.spec.data), HTML.esc(j.spec.target), HTML.esc(j.metric ?? "–"),
                        String(j.progress.trials.count), best, budget, HTML.esc(j.job.user), HTML.time(j.job.creationTime)]
            }
            body += HTML.table(["Search", "Status", "Data", "Target", "Metric", "Trials", "Best", "Budget", "Started by", "Created"], rows, numeric: [5, 7])
        }
        return HTML.page("AutoML", section: .automl, body: body)
    }

    /// The start form: the API's fields, numbers sent as numbers and empty ones left out; on
    /// success the browser goes to the new search's page.
    func startForm() -> String {
        func field(_ name: String, _ label: String, _ input: String) -> String { "<label>\(HTML.esc(label)) \(input)</label>" }
        let datasets = ((try? self.datasets?.list()) ?? []).map(\.name)
        let dataInput = datasets.isEmpty
            ? "<input type=\"text\" name=\"data\" required placeholder=\"NAME or NAME:VERSION\">"
            : "<select name=\"data\" required>" + datasets.map { "<option>\(HTML.esc($0))</option>" }.joined() + "</select>"
        return """
        <form id="automl-start" class="bar" aria-label="Start an AutoML search">
        \(field("data", "Dataset", dataInput))
        \(field("target", "Target column", "<input type=\"text\" name=\"target\" required style=\"width:180px\">"))
        \(field("task", "Task", "<select name=\"task\" style=\"width:auto\"><option>auto</option><option>binary</option><option>multiclass</option><option>regression</option></select>"))
        \(field("metric", "Metric (optional)", "<input type=\"text\" name=\"metric\" style=\"width:140px\" placeholder=\"by task\">"))
        \(field("time_budget", "Time budget (s)", "<input type=\"number\" name=\"time_budget\" value=\"60\" min=\"1\" style=\"width:100px\">"))
        \(field("max_trials", "Max trials", "<input type=\"number\" name=\"max_trials\" min=\"1\" style=\"width:90px\">"))
        \(field("models", "Estimators (comma-separated)", "<input type=\"text\" name=\"models\" style=\"width:220px\" placeholder=\"all\">"))
        \(field("register_as", "Register as", "<input type=\"text\" name=\"register_as\" style=\"width:160px\">"))
        <button type="submit">Start</button><span class="status" role="status"></span></form>
        <script>(function(){var f=document.getElementById('automl-start');if(!f)return;f.addEventListener('submit',function(e){e.preventDefault();
        var body={};Array.from(f.elements).forEach(function(i){if(!i.name||i.value==='')return;
        body[i.name]=i.type==='number'?Number(i.value):i.name==='models'?i.value.split(',').map(function(s){return s.trim();}).filter(Boolean):i.value;});
        var st=f.querySelector('.status');st.textContent='…';
        fetch('/api/pulk/v1/automl',{method:'POST',headers:{'Content-Type':'application/json'},body:JSON.stringify(body)}).then(function(r){
        return r.json().then(function(j){if(r.ok)location.href='/ui/automl/'+encodeURIComponent(j.search.id);else st.textContent=j.message||('HTTP '+r.status);});},
        function(){st.textContent='The server did not answer';});});})();</script>
        """
    }

    static func status(_ s: Job.Status) -> String {
        let cls = s == .finished ? "FINISHED" : s == .failed ? "FAILED" : s == .running ? "RUNNING" : s == .cancelled ? "KILLED" : ""
        return "<span class=\"\(cls)\">\(s.rawValue)</span>"
    }

    func automlSearch(id: String) async throws -> String {
        let j = try await searches().job(id: id)
        let title = "AutoML search \(j.job.id.prefix(8))"
        var body = "<p>Predicting <b>\(HTML.esc(j.spec.target))</b> of <a href=\"/ui/datasets/\(HTML.enc(j.spec.data.split(separator: ":").first.map(String.init) ?? j.spec.data))\">"
            + "\(HTML.esc(j.spec.data))</a>, started by \(HTML.esc(j.job.user)) on \(HTML.time(j.job.creationTime)).</p>"
        if !j.job.status.isDone {
            body += HTML.apiForm("/api/pulk/v1/automl/\(HTML.enc(j.job.id))/cancel", fixed: [:], fields: "", button: "Cancel search",
                                 confirm: "Stop this search? The best model so far is kept and recorded.", label: "Cancel search", danger: true)
        }
        body += "<div id=\"live\" data-src=\"/ui/automl/\(HTML.enc(j.job.id))/live\">" + (await automlLive(j)) + "</div>"
        // While it runs, the live part is fetched again every two seconds and swapped in; the sort
        // the reader chose is kept.
        body += """
        <script>(function(){var live=document.getElementById('live');var sortCol=-1,sortAsc=true;
        function bind(){var t=live.querySelector('#leaderboard table');if(!t)return;t.querySelectorAll('th').forEach(function(h,i){h.style.cursor='pointer';h.tabIndex=0;
        function go(){sortAsc=sortCol===i?!sortAsc:true;sortCol=i;sort(t);}h.addEventListener('click',go);h.addEventListener('keydown',function(e){if(e.key==='Enter')go();});});if(sortCol>=0)sort(t);}
        function sort(t){var b=t.tBodies[0],rows=Array.from(b.rows);rows.sort(function(x,y){var a=x.cells[sortCol].textContent,c=y.cells[sortCol].textContent,p=parseFloat(a),q=parseFloat(c);
        var r=(!isNaN(p)&&!isNaN(q))?p-q:a.localeCompare(c);return sortAsc?r:-r;});rows.forEach(function(r){b.appendChild(r);});}
        function poll(){var s=live.querySelector('[data-status]');if(!s||s.dataset.done==='1')return;setTimeout(function(){
        fetch(live.dataset.src,{cache:'no-store'}).then(function(r){return r.ok?r.text():null;}).then(function(h){if(h!==null){live.innerHTML=h;bind();
        var s=live.querySelector('[data-status]');if(s&&s.dataset.done==='1'){var c=document.querySelector('form[aria-label="Cancel search"]');if(c)c.remove();}}poll();},function(){poll();});},2000);}
        bind();poll();})();</script>
        """
        return HTML.page(title, section: .automl, breadcrumbs: [("AutoML", "/ui/automl"), (String(j.job.id.prefix(8)), "")], body: body)
    }

    /// What changes while a search runs: its state, the leaderboard, the curve and the time per estimator.
    func automlLive(_ j: AutoMLJob) async -> String {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let budget = j.spec.timeBudget ?? 60, elapsed = j.elapsed(now: now)
        let metric = j.metric ?? "score"
        var kv: [(String, String)] = [("Status", Self.status(j.job.status) + (j.job.cancelRequested && !j.job.status.isDone ? " (cancelling)" : "")
            + (j.job.status == .running ? " · " + HTML.esc(j.progress.phase.rawValue) : ""))]
        if let start = j.progress.start {
            kv.append(("Task", HTML.esc(start.task) + " <span class=\"muted\">(\(HTML.esc(start.taskReason)))</span>"))
            kv.append(("Metric", HTML.esc(start.metric) + " (\(start.higherIsBetter ? "higher" : "lower") is better)"))
            kv.append(("Validation", HTML.esc(start.validation)))
            kv.append(("Estimators", HTML.esc(start.models.joined(separator: ", "))))
        }
        let share = min(1, elapsed / max(budget, 1e-9))
        kv.append(("Time", String(format: "%.1f s of %@ s", elapsed, formatDouble(budget))
            + (j.job.status == .running ? " <progress max=\"1\" value=\"\(String(format: "%.3f", share))\" aria-label=\"Share of the time budget used\"></progress>" : "")))
        kv.append(("Trials", "\(j.progress.trials.count)" + (j.spec.maxTrials.map { " of at most \($0)" } ?? "")))
        if let best = j.best { kv.append(("Best so far", "\(HTML.number(best.score)) · trial \(best.number) \(HTML.esc(best.model))")) }
        if let r = j.result {
            if let run = r.runId { kv.append(("Recorded as", "<a href=\"/ui/runs/\(HTML.enc(run))\">run \(HTML.esc(String(run.prefix(8))))</a> with \(r.trialRuns.count) trial runs")) }
            let cost = r.footprint.map { " · \(formatBytes($0.fileBytes)), one row in \(String(format: "%.0f", $0.singleRowMicros)) µs" } ?? ""
            kv.append(("Model kept", HTML.esc((r.model == "ensemble" ? "the ensemble (\(r.ensemble?.method ?? ""))" : "trial \(r.bestTrial) \(r.bestModel)") + cost)))
            kv.append(("Stopped", HTML.esc(r.stopReason)))
            if let name = r.registeredModel, let v = r.registeredVersion {
                kv.append(("Registered", "<a href=\"/ui/models/\(HTML.enc(name))/versions/\(HTML.enc(v))\">\(HTML.esc(name)) version \(HTML.esc(v))</a>"))
            }
        }
        if let e = j.job.error { kv.append((j.job.status == .failed ? "Error" : "Note", "<span class=\"\(j.job.status == .failed ? "FAILED" : "muted")\">\(HTML.esc(e))</span>")) }
        var html = "<div class=\"kv\" data-status=\"\(j.job.status.rawValue)\" data-done=\"\(j.job.status.isDone ? 1 : 0)\">"
            + kv.map { "<span class=\"muted\">\(HTML.esc($0.0))</span><span>\($0.1)</span>" }.joined() + "</div>"

        let trials = j.progress.trials
        if !trials.isEmpty {
            // The best score after each trial, over the search's time.
            let scored = trials.filter { $0.bestSoFar.isFinite }.sorted { $0.finishedAt < $1.finishedAt }
            var charts = ""
            if !scored.isEmpty {
                // A step line: the best score holds until a trial beats it.
                var x: [Double] = [], y: [Double] = []
                for t in scored {
                    if let last = y.last, last != t.bestSoFar { x.append(t.finishedAt); y.append(last) }
                    x.append(t.finishedAt); y.append(t.bestSoFar)
                }
                let curve = SVGChart.Series(name: "best so far", x: x, y: y)
                charts += "<figure class=\"card\">" + SVGChart.lines([curve], title: "Best \(metric) over the search", xLabel: "seconds since the start",
                                                                     yLabel: metric) + "<figcaption class=\"muted\">The best validated score after each trial.</figcaption></figure>"
            }
            var time: [String: Double] = [:], count: [String: Int] = [:]
            for t in trials { time[t.model, default: 0] += t.seconds; count[t.model, default: 0] += 1 }
            let total = max(time.values.reduce(0, +), 1e-9)
            charts += "<figure class=\"card\">" + SVGChart.bars(time.sorted { $0.value > $1.value }.map { m, s in
                (m, s, String(format: "%.0f%% (%d trials)", 100 * s / total, count[m] ?? 0))
            }, title: "Share of the trials' time per estimator", width: 400, valueRoom: 110) + "</figure>"
            html += "<div class=\"cards\">" + charts + "</div>"
            html += "<h2>Leaderboard</h2><p class=\"muted\">Best first; click a column to sort.</p><div id=\"leaderboard\">"
            html += HTML.table(["Rank", "Trial", "Model", HTML.esc(metric), "±", "Rows", "Seconds", "Ended at (s)", "Status", "Parameters"],
                               j.leaderboard.enumerated().map { i, t in
                let run = j.result?.trialRuns[String(t.number)]
                return [String(i + 1), run.map { "<a href=\"/ui/runs/\(HTML.enc($0))\">\(t.number)</a>" } ?? String(t.number), HTML.esc(t.model),
                        t.status == .finished && t.score.isFinite ? HTML.number(t.score) : "–", t.status == .finished ? HTML.number(t.spread) : "–",
                        String(t.rows), String(format: "%.2f", t.seconds), String(format: "%.1f", t.finishedAt),
                        t.error.map { "<span title=\"\(HTML.esc($0))\">\(HTML.esc(t.status.rawValue))</span>" } ?? HTML.esc(t.status.rawValue),
                        "<span class=\"wrap mono\">" + HTML.esc(t.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")) + "</span>"]
            }, numeric: [0, 1, 3, 4, 5, 6, 7]) + "</div>"
        } else if !j.job.status.isDone {
            html += "<p class=\"muted\">No trial has ended yet.</p>"
        }
        if let guardrails = j.progress.start?.guardrails, !guardrails.isEmpty {
            html += "<h2>Data guardrails</h2>" + HTML.table(["Check", "Outcome", "Detail", "Columns"], guardrails.map { g in
                [HTML.esc(g.check), HTML.esc(g.outcome.rawValue), "<span class=\"wrap\">\(HTML.esc(g.detail))</span>", "<span class=\"wrap\">\(HTML.esc(g.columns.joined(separator: ", ")))</span>"]
            })
        }
        return html
    }
}
