import Foundation
import PulkProfile
import PulkStore
import PulkEndpoints
import PulkMonitoring
import PulkApp

/// Endpoint pages: every endpoint with its deployments and traffic, and one endpoint's deployments,
/// history of changes and what its serving log shows (request rate, errors and latency per deployment).
extension WebUI {
    func endpointList() async throws -> String {
        let list = try await store.endpoints().filter { RequestIdentity.can(.endpoint, $0.name) }
        let rows = list.sorted { $0.name < $1.name }.map { e in
            ["<a href=\"/ui/endpoints/\(HTML.enc(e.name))\">\(HTML.esc(e.name))</a>", Self.deploymentSummary(e.deployments),
             HTML.time(e.lastUpdatedTime), "<span class=\"wrap\">\(HTML.esc(e.description))</span>"]
        }
        let body = list.isEmpty
            ? "<p>No endpoints yet. <code>pulk endpoints create NAME</code> then <code>pulk deploy NAME --model MODEL@ALIAS</code> makes the first.</p>"
            : HTML.table(["Endpoint", "Deployments (traffic)", "Last change", "Description"], rows)
        return HTML.page("Endpoints", section: .endpoints, body: body)
    }

    static func deploymentSummary(_ deployments: [Deployment]) -> String {
        deployments.isEmpty ? "<span class=\"muted\">none</span>" : deployments.map { d in
            "<span class=\"pill\">\(HTML.esc(d.name)) → \(HTML.esc(d.model)) v\(HTML.esc(d.version)) \(d.mirror > 0 ? "mirror \(d.mirror)%" : "\(d.traffic)%")</span>"
        }.joined(separator: " ")
    }

    /// Request counts, errors and latency percentiles of the sampled serving log, per deployment.
    struct LogSummary {
        var deployment: String
        var requests = 0, errors = 0, rows = 0
        var latencies: [Double] = []
        var first = Int64.max, last = Int64.min

        func percentile(_ p: Double) -> Double? {
            guard !latencies.isEmpty else { return nil }
            let sorted = latencies.sorted()
            return sorted[Swift.min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))]
        }
    }

    func endpoint(name: String) async throws -> String {
        let e = try await store.endpoint(name: name)
        let events = try await store.events(endpoint: name)
        let log = try await store.servingLog(endpoint: name, limit: 2000)
        var body = "<div class=\"kv\">" + [
            ("Scoring URL", "<span class=\"mono\">/endpoints/\(HTML.esc(e.name))/score</span>"),
            ("Limits", "\(e.settings.maxConcurrency) requests in flight, \(e.settings.maxRows) rows per request, unseen categories \(HTML.esc(e.settings.unseenCategories))"),
            ("Serving log", "\(Int((e.settings.logSample * 100).rounded()))% of requests sampled, newest \(e.settings.logRetention) kept"),
            ("Created", HTML.time(e.creationTime)), ("Last change", HTML.time(e.lastUpdatedTime)),
            ("Description", HTML.esc(e.description.isEmpty ? "–" : e.description)),
        ].map { "<b>\($0.0)</b><span>\($0.1)</span>" }.joined() + "</div>"
        body += "<h2>Deployments</h2>" + (e.deployments.isEmpty ? "<p class=\"muted\">None: <code>pulk deploy \(HTML.esc(name)) --model MODEL@ALIAS</code> adds one.</p>"
            : HTML.table(["Deployment", "Model", "Follows", "Traffic", "Mirror", "Micro-batching"], e.deployments.map { d in
                ["<b>\(HTML.esc(d.name))</b>",
                 "<a href=\"/ui/models/\(HTML.enc(d.model))/versions/\(HTML.enc(d.version))\">\(HTML.esc(d.model)) v\(HTML.esc(d.version))</a>",
                 d.alias.map { "@" + HTML.esc($0) } ?? "version \(HTML.esc(d.version))", "\(d.traffic)%", d.mirror > 0 ? "\(d.mirror)%" : "–",
                 d.maxBatch > 1 ? "up to \(d.maxBatch) rows, \(d.maxWaitMicros) µs" : "off"]
            }, numeric: [3, 4]))
        let live = e.deployments.filter { $0.traffic > 0 }
        if !live.isEmpty {
            body += "<div class=\"cards\"><figure class=\"card\">" + SVGChart.bars(live.map { ($0.name, Double($0.traffic), "\($0.traffic)%") }, title: "Traffic split")
                + "</figure></div>"
        }
        // The sampled serving log: what reached each deployment, and how fast it answered.
        var summaries: [String: LogSummary] = [:]
        for entry in log {
            var s = summaries[entry.deployment] ?? LogSummary(deployment: entry.deployment)
            s.requests += 1
            if entry.status >= 400 { s.errors += 1 }
            s.rows += entry.rows
            s.latencies.append(Double(entry.latencyMicros) / 1000)
            s.first = Swift.min(s.first, entry.time)
            s.last = Swift.max(s.last, entry.time)
            summaries[entry.deployment] = s
        }
        body += "<h2>Requests (from the serving log)</h2>"
        if log.isEmpty {
            body += "<p class=\"muted\">No request has been logged yet (\(Int((e.settings.logSample * 100).rounded()))% of requests are sampled into the log; "
                + "<code>pulk endpoints set \(HTML.esc(name)) --log-sample 0.1</code> changes it). Live counters: <span class=\"mono\">/metrics</span>.</p>"
        } else {
            let ms = { (v: Double?) in v.map { String(format: "%.2f ms", $0) } ?? "–" }
            body += HTML.table(["Deployment", "Logged requests", "Errors", "Rows", "Requests/min (sampled)", "p50", "p95", "p99"],
                               summaries.values.sorted { $0.deployment < $1.deployment }.map { s in
                // Over the logged window, at least a minute (a burst of a few requests is not a rate).
                let minutes = Swift.max(Double(s.last - s.first) / 60_000, 1)
                return [HTML.esc(s.deployment), String(s.requests), "\(s.errors) (\(String(format: "%.1f", 100 * Double(s.errors) / Double(Swift.max(s.requests, 1))))%)",
                        String(s.rows), String(format: "%.1f", Double(s.requests) / minutes), ms(s.percentile(0.5)), ms(s.percentile(0.95)), ms(s.percentile(0.99))]
            }, numeric: [1, 3, 4, 5, 6, 7])
            // Latency over time, one line per deployment (the newest 2,000 logged requests).
            let start = log.map(\.time).min() ?? 0
            let series = summaries.keys.sorted().map { d -> SVGChart.Series in
                let entries = log.filter { $0.deployment == d }.sorted { $0.time < $1.time }
                return SVGChart.Series(name: d, x: entries.map { Double($0.time - start) / 1000 }, y: entries.map { Double($0.latencyMicros) / 1000 })
            }
            body += "<div class=\"cards\"><figure class=\"card\">" + SVGChart.lines(series, title: "Latency of logged requests", xLabel: "seconds since the first",
                                                                                  yLabel: "milliseconds", markers: false) + "</figure></div>"
            body += "<details><summary>Newest logged requests</summary>" + HTML.table(["Time", "Deployment", "Version", "Status", "Latency", "Rows", "Shadow"],
                log.sorted { $0.time > $1.time }.prefix(50).map { l in
                    [HTML.time(l.time), HTML.esc(l.deployment), HTML.esc(l.version), String(l.status), String(format: "%.2f ms", Double(l.latencyMicros) / 1000),
                     String(l.rows), l.shadow ? "yes" : ""]
                }, numeric: [3, 4, 5]) + "</details>"
        }
        body += try await monitoringSection(endpoint: name)
        body += "<h2>History</h2>" + (events.isEmpty ? "<p class=\"muted\">No changes.</p>" : HTML.table(["Time", "Change", "What", "By"],
            events.sorted { $0.sequence > $1.sequence }.map { ev in
                [HTML.time(ev.time), HTML.esc(ev.kind), "<span class=\"wrap\">\(HTML.esc(ev.message))</span>", HTML.esc(ev.user)]
            }))
        return HTML.page("Endpoint \(name)", section: .endpoints, breadcrumbs: [("Endpoints", "/ui/endpoints"), (name, "")], body: body)
    }

    /// The endpoint's drift monitors: per monitor a heat strip of each column's drift size over its
    /// newest windows (a drifted cell outlined; a click opens that window's report), the share of
    /// drifted features over time, and the newest windows with their verdicts.
    func monitoringSection(endpoint: String) async throws -> String {
        let monitors = try await store.monitors().filter { $0.endpoint == endpoint }
        var h = "<h2>Monitoring</h2>"
        guard !monitors.isEmpty else {
            return h + "<p class=\"muted\">No drift monitor. <code>pulk monitor create \(HTML.esc(endpoint))-drift --endpoint \(HTML.esc(endpoint)) --window 1h --every 1h</code> "
                + "compares each hour of requests with the model's training data.</p>"
        }
        for m in monitors {
            let runs = Array(try await store.monitorRuns(monitor: m.name, limit: 48).reversed())
            h += "<h3>\(HTML.esc(m.name))</h3><p class=\"muted\">A \(Self.period(m.windowSeconds)) window every \(Self.every(m.everySeconds)) against "
                + (m.reference.map { "<code>\(HTML.esc($0))</code>" } ?? "the model's training data") + "; "
                + (m.paused ? "paused" : "next at \(HTML.time(m.nextRunTime))") + ".</p>"
            if let states = m.alertStates, !states.isEmpty {
                h += "<ul class=\"alerts\">" + states.map { st in
                    "<li>" + (st.firing ? "<b>FIRING</b>" : "ok") + ": <code>\(HTML.esc(st.rule))</code>"
                        + (st.since.map { " since \(HTML.time($0))" } ?? "") + (st.lastValue.map { String(format: " (last %.4g)", $0) } ?? "") + "</li>"
                }.joined() + "</ul>"
            }
            guard !runs.isEmpty else { h += "<p class=\"muted\">No window computed yet.</p>"; continue }
            // Rows: every column any window compared, features first in the order of the newest window.
            var names: [String] = [], cells: [String: [Int: (Double, Bool)]] = [:]
            for (j, r) in runs.enumerated() {
                for c in r.columnFigures {
                    guard let name = c["name"] as? String else { continue }
                    let role = c["role"] as? String ?? "feature"
                    let key = role == "feature" ? name : "\(name) (\(role))"
                    if cells[key] == nil { names.append(key); cells[key] = [:] }
                    cells[key]![j] = ((c["drift_size"] as? Double) ?? 0, (c["drifted"] as? Bool) ?? false)
                }
            }
            let windows = runs.map { r in (label: HTML.timeShort(r.windowEnd), link: r.status == .ok ? "/ui/monitors/\(HTML.enc(m.name))/runs/\(HTML.enc(r.id))" : nil) }
            h += "<div class=\"cards\"><figure class=\"card\">" + SVGChart.heatStrip(
                rows: names, windows: windows,
                values: names.map { n in runs.indices.map { cells[n]?[$0]?.0 } },
                flagged: names.map { n in runs.indices.map { cells[n]?[$0]?.1 ?? false } },
                title: "Drift size per column, window by window (outlined: drifted)") + "</figure>"
            let ok = runs.filter { $0.status == .ok }
            if ok.count > 1 {
                let t0 = ok.first!.windowEnd
                h += "<figure class=\"card\">" + SVGChart.lines([SVGChart.Series(name: "drifted share", x: ok.map { Double($0.windowEnd - t0) / 3_600_000 }, y: ok.map(\.driftedShare)),
                                                                   SVGChart.Series(name: "dataset drift at", x: [0, Double(ok.last!.windowEnd - t0) / 3_600_000], y: [m.driftShare, m.driftShare])],
                                                                  title: "Share of drifted features", xLabel: "hours since the first window", yLabel: "share", unit: true, markers: true) + "</figure>"
            }
            // Performance over time: realized (feedback), estimated (confidence) and the training run's figure.
            let perf = ok.map { ($0.windowEnd, $0.performanceFigures) }
            if perf.count > 1, let metric = ["accuracy", "rmse"].first(where: { m in perf.contains { $0.1[m] != nil || $0.1["estimated_\(m)"] != nil } }), let t0 = perf.first?.0 {
                var series: [SVGChart.Series] = []
                for (label, key) in [("realized", metric), ("estimated (CBPE)", "estimated_\(metric)"), ("training", "training_\(metric)")] {
                    let points = perf.compactMap { p in p.1[key].map { (Double(p.0 - t0) / 3_600_000, $0) } }
                    if !points.isEmpty { series.append(SVGChart.Series(name: label, x: points.map(\.0), y: points.map(\.1))) }
                }
                h += "<figure class=\"card\">" + SVGChart.lines(series, title: "\(metric == "accuracy" ? "Accuracy" : "RMSE") per window", xLabel: "hours since the first window",
                                                                yLabel: metric, markers: true) + "</figure>"
            }
            h += Self.predictionChart(ok)
            // Traffic: latency percentiles of every window that logged requests (failed ones too).
            let traffic = runs.map { ($0.windowEnd, $0.performanceFigures) }.filter { $0.1["latency_p99_ms"] != nil }
            if traffic.count > 1, let t0 = traffic.first?.0 {
                let x = traffic.map { Double($0.0 - t0) / 3_600_000 }
                h += "<figure class=\"card\">" + SVGChart.lines(["latency_p50_ms", "latency_p99_ms"].map { key in
                    SVGChart.Series(name: key == "latency_p50_ms" ? "p50" : "p99", x: x, y: traffic.map { $0.1[key] ?? .nan })
                }, title: "Latency of the logged requests", xLabel: "hours since the first window", yLabel: "ms", markers: true) + "</figure>"
            }
            h += "</div>" + HTML.table(["Window end", "Rows", "Drifted", "Verdict", "Realized (feedback)", "Traffic", "Drifted columns / message"], runs.reversed().prefix(12).map { r in
                let drifted = r.driftedColumns
                let verdict = r.status != .ok ? r.status.rawValue : r.datasetDrift ? "<b>dataset drift</b>" : "ok"
                let when = r.status == .ok ? "<a href=\"/ui/monitors/\(HTML.enc(m.name))/runs/\(HTML.enc(r.id))\">\(HTML.time(r.windowEnd))</a>" : HTML.time(r.windowEnd)
                let realized = r.realizedSummary
                return [when, String(r.rows), r.status == .ok ? String(format: "%.0f%%", r.driftedShare * 100) : "", verdict, realized, r.trafficSummary,
                        "<span class=\"wrap\">\(HTML.esc(r.status == .ok ? drifted.joined(separator: ", ") : r.message ?? ""))</span>"]
            }, numeric: [1, 2])
        }
        return h
    }

    /// The model's predictions window by window: a classifier's share of each class (the six the
    /// reference predicts most), or a regressor's mean prediction, each beside the reference's.
    static func predictionChart(_ runs: [MonitorRun]) -> String {
        let points = runs.compactMap { r -> (Int64, Distribution)? in
            guard let report = DriftReport(json: Data(r.report.utf8)),
                  let c = report.predictions.first(where: { $0.name == "prediction" }) else { return nil }
            return (r.windowEnd, c.distribution)
        }
        guard points.count > 1, let t0 = points.first?.0, let last = points.last?.1 else { return "" }
        let x = points.map { Double($0.0 - t0) / 3_600_000 }
        func shares(_ v: [Double]) -> [Double] { let total = v.reduce(0, +); return v.map { total > 0 ? $0 / total : 0 } }
        var series: [SVGChart.Series] = []
        let title: String
        if let labels = last.labels {
            let reference = shares(last.reference)
            let top = labels.indices.sorted { reference[$0] > reference[$1] }.prefix(6)
            for k in top {
                let label = labels[k]
                series.append(SVGChart.Series(name: label, x: x, y: points.map { p in
                    guard let i = p.1.labels?.firstIndex(of: label) else { return 0 }
                    return shares(p.1.current)[i]
                }))
            }
            title = "Share of each predicted class per window"
        } else if last.edges != nil {
            func mean(_ d: Distribution, _ counts: [Double]) -> Double {
                guard let e = d.edges, e.count == counts.count + 1 else { return .nan }
                return zip(shares(counts), zip(e, e.dropFirst())).reduce(0) { $0 + $1.0 * ($1.1.0 + $1.1.1) / 2 }
            }
            series = [SVGChart.Series(name: "mean prediction", x: x, y: points.map { mean($0.1, $0.1.current) }),
                      SVGChart.Series(name: "on the reference", x: x, y: points.map { mean($0.1, $0.1.reference) })]
            title = "Mean prediction per window (from its histogram)"
        } else { return "" }
        return "<figure class=\"card\">" + SVGChart.lines(series, title: title, xLabel: "hours since the first window", yLabel: "prediction",
                                                        unit: last.labels != nil, markers: true) + "</figure>"
    }

    static func every(_ seconds: Int64) -> String {
        func unit(_ n: Int64, _ word: String) -> String { n == 1 ? word : "\(n) \(word)s" }
        return seconds % 86_400 == 0 ? unit(seconds / 86_400, "day") : seconds % 3_600 == 0 ? unit(seconds / 3_600, "hour")
            : seconds % 60 == 0 ? unit(seconds / 60, "minute") : unit(seconds, "second")
    }

    static func period(_ seconds: Int64) -> String {
        seconds % 86_400 == 0 ? "\(seconds / 86_400)-day" : seconds % 3_600 == 0 ? "\(seconds / 3_600)-hour" : seconds % 60 == 0 ? "\(seconds / 60)-minute" : "\(seconds)-second"
    }

    /// One window's drift report, the page `pulk drift --html` writes.
    func monitorWindow(monitor: String, id: String) async throws -> String {
        guard let run = try await store.monitorRuns(monitor: monitor, limit: 10_000).first(where: { $0.id == id }) else {
            throw StoreError.notFound("Monitor \(monitor) has no window \(id.prefix(80))")
        }
        guard let report = DriftReport(json: Data(run.report.utf8)) else {
            throw StoreError.notFound("Window \(id.prefix(80)) of monitor \(monitor) has no report: it is \(run.status.rawValue)")
        }
        return report.html()
    }
}
