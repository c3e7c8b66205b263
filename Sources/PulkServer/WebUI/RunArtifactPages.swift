import Foundation
import Hummingbird
import NIOCore
import PulkProfile
import PulkStore
import PulkTracking
import PulkWorkspace
import PulkFrame
import PulkLearn

/// A run's artifacts on its page: plots, files shown inline, AutoML, clustering and
/// recommendation sections, and the raw files.
extension WebUI {
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
        var images: [String] = [], texts: [String] = [], entries: [(path: String, html: String)] = [], findings: [String] = []
        for path in files {
            let link = "/ui/artifacts/\(HTML.enc(run.info.runId))/" + path.split(separator: "/").map { HTML.enc(String($0)) }.joined(separator: "/")
            let download = "/api/2.0/mlflow-artifacts/artifacts/" + (root + "/" + path).split(separator: "/").map { HTML.enc(String($0)) }.joined(separator: "/")
            let url = try artifacts.resolve(root + "/" + path)
            let size = ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int) ?? 0
            let ext = (path as NSString).pathExtension.lowercased()
            let fileName = path.split(separator: "/").last.map(String.init) ?? path
            entries.append((path, "<a href=\"\(link)\">\(HTML.esc(fileName))</a> <span class=\"muted\">\(formatBytes(size))</span> · "
                + "<a href=\"\(download)\" download aria-label=\"Download \(HTML.esc(path))\">download</a>"))
            if ["clusters.json", "anomalies.json", "recommendations.json"].contains(path), size <= Self.inlineTextLimit,
               let data = FileManager.default.contents(atPath: url.path) {
                findings.append(path == "clusters.json" ? Self.segments(data) : path == "anomalies.json" ? Self.unusualRows(data) : Self.recommendations(data))
            }
            if path == "leaderboard.json", size <= 16 << 20, let data = FileManager.default.contents(atPath: url.path) {
                findings.append(await automlSearch(data, run: run))
            }
            if ext == "svg" || ext == "png" {
                images.append("<figure class=\"card\"><img src=\"\(link)\" alt=\"\(HTML.esc(path))\" loading=\"lazy\"><figcaption class=\"muted\">\(HTML.esc(path))</figcaption></figure>")
            } else if (Self.textExtensions.contains(ext) || path.hasSuffix("MLmodel")), size <= Self.inlineTextLimit,
                      let data = FileManager.default.contents(atPath: url.path) {
                texts.append("<details><summary>\(HTML.esc(path))</summary><pre>\(HTML.esc(String(decoding: data, as: UTF8.self)))</pre></details>")
            }
        }
        let plots = findings.joined() + (images.isEmpty ? "" : "<h2>Plots</h2><div class=\"cards\">" + images.joined() + "</div>")
        return (plots, "<h2>Artifacts (\(files.count))</h2>" + Self.tree(entries) + texts.joined())
    }

    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return d
    }

    /// A clustering run's segments (clusters.json): each cluster's size and share, and the features
    /// that set it apart, as a business reader reads a segmentation.
    static func segments(_ data: Data) -> String {
        guard let profiles = try? decoder().decode([ClusterProfile].self, from: data) else { return "" }
        return "<h2>Segments</h2>" + HTML.table(["Cluster", "Rows", "Share", "Set apart by (cluster mean vs all rows, effect in standard deviations)"], profiles.map { p in
            [p.cluster < 0 ? "noise" : String(p.cluster), String(p.size), String(format: "%.1f%%", 100 * p.share),
             p.distinguishing.map { c in
                 "<b>\(HTML.esc(c.feature))</b> \(HTML.number(c.clusterMean)) vs \(HTML.number(c.overallMean)) (\(String(format: "%+.2f", c.effect)))"
             }.joined(separator: "; ")]
        }, numeric: [1, 2])
    }

    /// An anomaly run's most unusual flagged rows (anomalies.json) and why each is unusual.
    static func unusualRows(_ data: Data) -> String {
        guard let rows = try? decoder().decode([FlaggedRow].self, from: data) else { return "" }
        guard !rows.isEmpty else { return "<h2>Most unusual rows</h2><p class=\"muted\">No training row was flagged.</p>" }
        return "<h2>Most unusual rows</h2>" + HTML.table(["Row (1 = first)", "Score", "Unusual in (value vs typical, robust z)"], rows.map { r in
            [String(r.row + 1), HTML.number(r.score),
             r.reasons.map { "<b>\(HTML.esc($0.feature))</b> \(HTML.number($0.value)) vs \(HTML.number($0.typical)) (z \(String(format: "%+.1f", $0.z)))" }
                .joined(separator: "; ")]
        }, numeric: [0, 1])
    }

    /// A recommender run's sample (recommendations.json): held-out users with the items they went on
    /// to use, the model's top k and the popularity baseline's (hits in bold), then the items the
    /// model recommends to the most users.
    static func recommendations(_ data: Data) -> String {
        guard let sample = try? decoder().decode(RecommendationSample.self, from: data) else { return "" }
        func list(_ items: [String], _ answers: Set<String>) -> String {
            items.isEmpty ? "<span class=\"muted\">none</span>"
                : items.map { answers.contains($0) ? "<b class=\"hit\">\(HTML.esc($0)) ✓</b>" : HTML.esc($0) }.joined(separator: " · ")
        }
        var html = "<h2>Recommendations</h2><p class=\"muted\">Held-out users: what each went on to use, and the top \(sample.k) "
            + "of the model and of the popularity baseline, both fit without those interactions (✓ a hit).</p>"
        html += HTML.table(["User", "Held out", "Model's top \(sample.k)", "Most popular (baseline)"], sample.users.map { u in
            let answers = Set(u.heldOut)
            return [HTML.esc(u.user), "<span class=\"wrap\">" + u.heldOut.map(HTML.esc).joined(separator: " · ") + "</span>",
                    "<span class=\"wrap\">" + list(u.recommended, answers) + "</span>", "<span class=\"wrap\">" + list(u.popular, answers) + "</span>"]
        })
        if !sample.mostRecommended.isEmpty {
            html += "<h3>Most recommended items</h3>" + HTML.table(["Item", "Users given it", "Share of users"], sample.mostRecommended.map { i in
                [HTML.esc(i.item), String(i.users), String(format: "%.1f%%", 100 * i.share)]
            }, numeric: [1, 2])
        }
        return html
    }

    /// An AutoML search's leaderboard (leaderboard.json), sortable, each trial linked to its child
    /// run, with the time each estimator took.
    func automlSearch(_ data: Data, run: Run) async -> String {
        struct Board: Decodable {
            struct Entry: Decodable {
                var number: Int
                var model: String
                var parameters: [String: String]
                var score: Double
                var spread: Double
                var seconds: Double
                var status: String
                var error: String?
            }
            var metric: String
            var higherIsBetter: Bool
            var stopReason: String
            var validation: String
            var trials: [Entry]
        }
        guard let board = try? Self.decoder().decode(Board.self, from: data) else { return "" }
        // The trials' child runs, by trial number.
        var children: [Int: String] = [:]
        if case .success(let page) = await searchPage([run.info.experimentId], filter: "tags.mlflow.parentRunId = '\(run.info.runId)'", order: "", max: 1000, token: nil) {
            for child in page.items {
                if let n = child.tags.first(where: { $0.key == "pulk.automl.trial" }).flatMap({ Int($0.value) }) { children[n] = child.info.runId }
            }
        }
        var html = "<h2>AutoML search</h2><p>\(board.trials.count) trials of \(Set(board.trials.map(\.model)).count) estimators, validated by \(HTML.esc(board.validation)); "
            + "\(HTML.esc(board.metric)) (\(board.higherIsBetter ? "higher" : "lower") is better); stopped: \(HTML.esc(board.stopReason)). Click a column to sort.</p>"
        html += "<div id=\"leaderboard\">" + HTML.table(["Rank", "Trial", "Model", board.metric, "±", "Seconds", "Status", "Parameters"], board.trials.enumerated().map { i, t in
            let trial = children[t.number].map { "<a href=\"/ui/runs/\(HTML.enc($0))\">\(t.number)</a>" } ?? String(t.number)
            return [String(i + 1), trial, HTML.esc(t.model), t.score.isNaN ? "–" : HTML.number(t.score), HTML.number(t.spread), String(format: "%.2f", t.seconds),
                    t.error.map { "<span title=\"\(HTML.esc($0))\">\(HTML.esc(t.status))</span>" } ?? HTML.esc(t.status),
                    "<span class=\"wrap mono\">" + HTML.esc(t.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")) + "</span>"]
        }, numeric: [0, 1, 3, 4, 5]) + "</div>"
        var time: [String: Double] = [:], count: [String: Int] = [:]
        for t in board.trials { time[t.model, default: 0] += t.seconds; count[t.model, default: 0] += 1 }
        let total = max(time.values.reduce(0, +), 1e-9)
        html += "<div class=\"cards\"><figure class=\"card\">" + SVGChart.bars(time.sorted { $0.value > $1.value }.map { m, s in
            (m, s, String(format: "%.0f%% (%d trials)", 100 * s / total, count[m] ?? 0))
        }, title: "Share of the search's time per estimator", width: 400, valueRoom: 110) + "</figure></div>"
        // Sorting by a clicked header: numbers by value, text by text.
        html += """
        <script>(function(){var t=document.querySelector('#leaderboard table');if(!t)return;t.querySelectorAll('th').forEach(function(h,i){h.style.cursor='pointer';
        h.addEventListener('click',function(){var b=t.tBodies[0],rows=Array.from(b.rows),asc=h.dataset.asc!=='1';h.dataset.asc=asc?'1':'0';
        rows.sort(function(x,y){var a=x.cells[i].textContent,c=y.cells[i].textContent,p=parseFloat(a),q=parseFloat(c);
        var r=(!isNaN(p)&&!isNaN(q))?p-q:a.localeCompare(c);return asc?r:-r;});rows.forEach(function(r){b.appendChild(r);});});});})();</script>
        """
        return html
    }

    /// Files as a folder tree: folders open as details, files with their size and a download link.
    static func tree(_ entries: [(path: String, html: String)]) -> String {
        final class Folder {
            var folders: [String: Folder] = [:]
            var files: [(String, String)] = []
        }
        let root = Folder()
        for e in entries {
            var node = root
            let parts = e.path.split(separator: "/").map(String.init)
            for part in parts.dropLast() {
                if node.folders[part] == nil { node.folders[part] = Folder() }
                node = node.folders[part]!
            }
            node.files.append((parts.last ?? e.path, e.html))
        }
        func render(_ f: Folder, depth: Int) -> String {
            var s = ""
            for (name, sub) in f.folders.sorted(by: { $0.key < $1.key }) {
                s += "<li><details\(depth < 2 ? " open" : "")><summary>\(HTML.esc(name))/</summary><ul class=\"tree\">\(render(sub, depth: depth + 1))</ul></details></li>"
            }
            for (_, html) in f.files.sorted(by: { $0.0 < $1.0 }) { s += "<li>\(html)</li>" }
            return s
        }
        return "<ul class=\"tree root\">" + render(root, depth: 0) + "</ul>"
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
}
