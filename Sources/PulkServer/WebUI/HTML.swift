import PulkJSON
import Foundation
import PulkAccess
import PulkProfile
import PulkStore

/// The web UI's page frame and small HTML helpers. Pages are complete documents with inline CSS and
/// a few lines of plain JavaScript; nothing is loaded from elsewhere.
enum HTML {
    static func esc(_ s: String) -> String { SVGChart.escape(s) }

    /// Percent-encodes one path segment or query value.
    static func enc(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: unreserved) ?? s }
    static let unreserved: CharacterSet = {
        var s = CharacterSet.alphanumerics
        s.insert(charactersIn: "-._~")
        return s
    }()

    /// A link with a query built from pairs (empty values left out).
    static func href(_ path: String, _ query: [(String, String)] = []) -> String {
        let q = query.filter { !$0.1.isEmpty }.map { "\(enc($0.0))=\(enc($0.1))" }.joined(separator: "&")
        return esc(q.isEmpty ? path : path + "?" + q)
    }

    enum Section: String { case experiments = "Experiments", datasets = "Datasets", automl = "AutoML", models = "Models", endpoints = "Endpoints" }

    static func page(_ title: String, section: Section?, breadcrumbs: [(String, String)] = [], body: String) -> String {
        let nav = [(Section.experiments, "/"), (.datasets, "/ui/datasets"), (.automl, "/ui/automl"), (.models, "/ui/models"), (.endpoints, "/ui/endpoints")].map { s, link in
            "<a href=\"\(link)\"\(s == section ? " aria-current=\"page\"" : "")>\(s.rawValue)</a>"
        }.joined()
        let crumbs = breadcrumbs.isEmpty ? "" : "<nav class=\"crumbs\" aria-label=\"Breadcrumb\">" + breadcrumbs.map { label, link in
            link.isEmpty ? "<span>\(esc(label))</span>" : "<a href=\"\(link)\">\(esc(label))</a>"
        }.joined(separator: " <span aria-hidden=\"true\">›</span> ") + "</nav>"
        // The signed-in user, when the server has accounts: who, the audit trail for admins, sign out.
        let account = RequestIdentity.current.map { id in
            "<span class=\"account\">" + (id.role == .admin ? "<a href=\"/ui/audit\">Audit</a><a href=\"/ui/webhooks\">Webhooks</a>" : "")
                + "<span>\(esc(id.user)) (\(id.role.rawValue))</span>"
                + (id.method == .session ? "<form method=\"post\" action=\"/logout\"><button type=\"submit\" class=\"link\">Sign out</button></form>" : "")
                + "</span>"
        } ?? ""
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(esc(title)) · Pulk</title><link rel="icon" href="data:,"><style>\(css)</style></head>
        <body><header><a class="brand" href="/">Pulk</a><nav aria-label="Main">\(nav)</nav>\(account)</header>
        <main>\(crumbs)<h1>\(esc(title))</h1>
        \(body)
        </main>\(body.contains("data-api=") ? apiScript : "")</body></html>
        """
    }

    /// A change made from a page: a form whose fields (and `fixed` values) become the JSON body of
    /// a request to the API at `path` (the API refuses form posts from browsers; a same-origin
    /// fetch with JSON is what it takes). The page reloads on success and shows the API's message
    /// otherwise; with `then`, it goes there instead (after a deletion). `confirm` asks first.
    static func apiForm(_ path: String, method: String = "POST", fixed: [String: String], fields: String, button: String,
                        confirm: String? = nil, label: String, danger: Bool = false, then: String? = nil) -> String {
        let json = JSON.text(fixed)
        return "<form class=\"api\" data-api=\"\(esc(path))\" data-method=\"\(method)\" data-fixed=\"\(esc(json))\""
            + (confirm.map { " data-confirm=\"\(esc($0))\"" } ?? "") + (then.map { " data-then=\"\(esc($0))\"" } ?? "") + " aria-label=\"\(esc(label))\">\(fields)"
            + "<button type=\"submit\"\(danger ? " class=\"danger\"" : "")>\(esc(button))</button><span class=\"status\" role=\"status\"></span></form>"
    }

    static let apiScript = """
    <script>(function(){document.querySelectorAll('form[data-api]').forEach(function(f){f.addEventListener('submit',function(e){
    e.preventDefault();if(f.dataset.confirm&&!confirm(f.dataset.confirm))return;var body=JSON.parse(f.dataset.fixed||'{}');
    new FormData(f).forEach(function(v,k){body[k]=v;});var st=f.querySelector('.status');st.textContent='…';
    fetch(f.dataset.api,{method:f.dataset.method||'POST',headers:{'Content-Type':'application/json'},body:JSON.stringify(body)})
    .then(function(r){if(r.ok){if(f.dataset.then)location.href=f.dataset.then;else location.reload();return;}return r.json().then(function(j){st.textContent=j.message||('HTTP '+r.status);},
    function(){st.textContent='HTTP '+r.status;});},function(){st.textContent='The server did not answer';});});});})();</script>
    """

    static let css = """
    *{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2327;background:#f6f7f9}
    header{display:flex;gap:24px;align-items:center;padding:10px 24px;background:#1f3a5f;color:#fff}
    header a{color:#dfe8f3;text-decoration:none;margin-right:16px}header a[aria-current]{color:#fff;font-weight:600;border-bottom:2px solid #fff}
    .brand{font-weight:700;font-size:17px;color:#fff!important}
    main{max-width:1400px;margin:0 auto;padding:16px 24px 48px}h1{font-size:22px;margin:6px 0 14px;overflow-wrap:anywhere}h2{font-size:17px;margin:26px 0 8px}
    a{color:#1f5fa8}.crumbs{font-size:13px;color:#555}.muted{color:#666}.mono{font-family:ui-monospace,Menlo,monospace;font-size:12.5px}
    .scroll{overflow-x:auto;max-width:100%;background:#fff;border:1px solid #dde1e6;border-radius:6px}
    table{border-collapse:collapse;width:100%}th,td{padding:6px 10px;border-bottom:1px solid #eceff2;text-align:left;vertical-align:top;white-space:nowrap}
    td.wrap{white-space:normal;overflow-wrap:anywhere;max-width:520px}th{background:#f0f2f5;font-weight:600;position:sticky;top:0}th a{color:inherit}
    td.num{text-align:right;font-variant-numeric:tabular-nums}tr.diff td{background:#fff7e0}
    form.bar{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin:0 0 12px}form.bar label{display:flex;flex-direction:column;font-size:12px;color:#444}
    input[type=text],input[type=search],select{padding:6px 8px;border:1px solid #b9c0c8;border-radius:4px;font:inherit;width:560px;max-width:100%}
    button,.button{padding:6px 12px;border:1px solid #1f5fa8;background:#1f5fa8;color:#fff;border-radius:4px;font:inherit;cursor:pointer;text-decoration:none}
    button[disabled]{opacity:.5;cursor:default}details{margin:0 0 12px}details .cols{display:flex;flex-wrap:wrap;gap:4px 16px;padding:8px;max-height:220px;overflow:auto;background:#fff;border:1px solid #dde1e6}
    .error{background:#fdecea;border:1px solid #f5c2c0;padding:10px 12px;border-radius:6px;color:#8a1f17}
    .cards{display:flex;flex-wrap:wrap;gap:12px}.card{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:10px;max-width:100%;overflow-x:auto}
    .card img,.card svg{max-width:100%;height:auto}pre{background:#fff;border:1px solid #dde1e6;padding:10px;overflow:auto;max-height:420px;font-size:12.5px}
    .kv{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;background:#fff;border:1px solid #dde1e6;padding:10px;border-radius:6px}
    .chain{display:flex;flex-wrap:wrap;gap:8px;align-items:center}.chain>span.node{background:#fff;border:1px solid #c9d3de;border-radius:6px;padding:6px 10px}
    .pill{display:inline-block;padding:0 7px;border-radius:9px;background:#e3ecf7;color:#1f3a5f;font-size:12px;margin-right:3px}
    .FINISHED{color:#1e7b34}.FAILED,.KILLED{color:#a52a1c}.RUNNING{color:#9a6700}
    .split{display:grid;grid-template-columns:minmax(0,5fr) minmax(0,7fr);gap:0 24px;align-items:start}@media(max-width:1100px){.split{grid-template-columns:minmax(0,1fr)}}
    .split>section>h2:first-child{margin-top:18px}form.api{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:6px 0}
    form.api input[type=text]{width:220px}form.api textarea{width:100%;min-height:56px;font:inherit;padding:6px;border:1px solid #b9c0c8;border-radius:4px}
    form.api .status{font-size:12px;color:#8a1f17}button.danger{background:#fff;color:#a52a1c;border-color:#a52a1c}
    .banner{background:#fff7e0;border:1px solid #f0d58a;padding:8px 12px;border-radius:6px;margin:0 0 12px}
    form.chartopts{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:4px 0 10px;font-size:13px}form.chartopts select{width:auto}
    ul.tree{list-style:none;padding-left:18px;margin:4px 0}ul.tree.root{padding-left:0;background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:8px 12px}
    .account{margin-left:auto;display:flex;gap:12px;align-items:center;color:#dfe8f3}.account form{margin:0}
    button.link{background:none;border:none;color:#dfe8f3;padding:0;text-decoration:underline}
    input[type=password]{padding:6px 8px;border:1px solid #b9c0c8;border-radius:4px;font:inherit;width:260px;max-width:100%}
    svg.chart .bar{fill:#5b8fd0}svg.chart text.label,svg.chart text.value{font-size:12px;fill:#1d2327}
    .sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
    """

    static func table(_ header: [String], _ rows: [[String]], caption: String? = nil, numeric: Set<Int> = []) -> String {
        var s = "<div class=\"scroll\"><table>"
        if let caption { s += "<caption class=\"muted\" style=\"text-align:left;padding:6px 10px\">\(esc(caption))</caption>" }
        s += "<thead><tr>" + header.map { "<th scope=\"col\">\($0)</th>" }.joined() + "</tr></thead><tbody>"
        for r in rows {
            s += "<tr>" + r.enumerated().map { i, c in numeric.contains(i) ? "<td class=\"num\">\(c)</td>" : "<td>\(c)</td>" }.joined() + "</tr>"
        }
        return s + "</tbody></table></div>"
    }

    /// `2026-12-01 23:05:42` in UTC, written directly rather than through a formatter made for each of
    /// the hundreds of cells a runs page has.
    static func time(_ ms: Int64) -> String {
        guard ms > 0 else { return "–" }
        var seconds = time_t(ms / 1000), t = tm()
        guard gmtime_r(&seconds, &t) != nil else { return "–" }
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", Int(t.tm_year) + 1900, Int(t.tm_mon) + 1, Int(t.tm_mday),
                      Int(t.tm_hour), Int(t.tm_min), Int(t.tm_sec))
    }

    static func time(_ d: Date) -> String { time(Int64(d.timeIntervalSince1970 * 1000)) }

    /// `12-01 23:05` in UTC, for axis labels.
    static func timeShort(_ ms: Int64) -> String {
        let full = time(ms)
        return full.count == 19 ? String(full.dropFirst(5).prefix(11)) : full
    }

    static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "∞" : "−∞" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(format: "%.6g", v)
    }

    static func duration(_ start: Int64, _ end: Int64?) -> String {
        guard let end, end >= start else { return "–" }
        let s = Double(end - start) / 1000
        return s < 60 ? String(format: "%.1f s", s) : s < 3600 ? String(format: "%.1f min", s / 60) : String(format: "%.1f h", s / 3600)
    }
}

/// A page-level failure: rendered as an HTML error page with its status.
struct PageError: Error {
    var status: Int
    var message: String
}
