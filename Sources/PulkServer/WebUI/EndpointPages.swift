import Foundation
import PulkProfile
import PulkStore
import PulkEndpoints

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
        body += "<h2>History</h2>" + (events.isEmpty ? "<p class=\"muted\">No changes.</p>" : HTML.table(["Time", "Change", "What", "By"],
            events.sorted { $0.sequence > $1.sequence }.map { ev in
                [HTML.time(ev.time), HTML.esc(ev.kind), "<span class=\"wrap\">\(HTML.esc(ev.message))</span>", HTML.esc(ev.user)]
            }))
        return HTML.page("Endpoint \(name)", section: .endpoints, breadcrumbs: [("Endpoints", "/ui/endpoints"), (name, "")], body: body)
    }
}
