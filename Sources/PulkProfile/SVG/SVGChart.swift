/// Small, dependency-free SVG charts for reports: bars, histograms and heatmaps. Every chart has a
/// `<title>` and `aria-label` so screen readers can describe it.
public enum SVGChart {
    /// Escapes text for HTML/SVG content and attributes.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    static func num(_ x: Double) -> String { formatFixed(x, 1) }

    /// A histogram of equal-width bins.
    public static func histogram(edges: [Double], counts: [Int], label: String, width: Int = 360, height: Int = 140) -> String {
        guard !counts.isEmpty, let maxCount = counts.max(), maxCount > 0 else { return "" }
        let plotH = Double(height - 22), barW = Double(width) / Double(counts.count)
        var s = "<svg class=\"chart\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(escape(label))\"><title>\(escape(label))</title>"
        for (i, c) in counts.enumerated() {
            let h = Double(c) / Double(maxCount) * plotH
            let tip = "\(short(edges[i])) – \(short(edges[i + 1])): \(c)"
            s += "<rect x=\"\(num(Double(i) * barW + 0.5))\" y=\"\(num(plotH - h))\" width=\"\(num(max(barW - 1, 1)))\" height=\"\(num(h))\" class=\"bar\"><title>\(escape(tip))</title></rect>"
        }
        s += "<text x=\"0\" y=\"\(height - 6)\" class=\"axis\">\(escape(short(edges.first!)))</text>"
        s += "<text x=\"\(width)\" y=\"\(height - 6)\" class=\"axis\" text-anchor=\"end\">\(escape(short(edges.last!)))</text>"
        return s + "</svg>"
    }

    /// Horizontal bars with labels, e.g. top values or class balance; `valueRoom` pixels right of
    /// the longest bar hold its text.
    public static func bars(_ items: [(label: String, value: Double, text: String)], title: String, width: Int = 360, valueRoom: Int = 70) -> String {
        guard !items.isEmpty else { return "" }
        let rowH = 20, labelW = 130
        let height = items.count * rowH + 4
        let maxV = max(items.map(\.value).max() ?? 1, 1e-12)
        var s = "<svg class=\"chart\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(escape(title))\"><title>\(escape(title))</title>"
        for (i, item) in items.enumerated() {
            let y = i * rowH + 2
            let w = item.value / maxV * Double(width - labelW - valueRoom)
            let label = item.label.count > 18 ? String(item.label.prefix(17)) + "…" : item.label
            s += "<text x=\"\(labelW - 6)\" y=\"\(y + 14)\" text-anchor=\"end\" class=\"label\">\(escape(label))<title>\(escape(item.label))</title></text>"
            s += "<rect x=\"\(labelW)\" y=\"\(y + 3)\" width=\"\(num(max(w, 1)))\" height=\"\(rowH - 6)\" class=\"bar\"/>"
            s += "<text x=\"\(num(Double(labelW) + w + 4))\" y=\"\(y + 14)\" class=\"value\">\(escape(item.text))</text>"
        }
        return s + "</svg>"
    }

    /// A square heatmap of values in -1…1 (or 0…1), blue for negative, red for positive.
    public static func heatmap(names: [String], values: [[Double?]], title: String) -> String {
        let n = names.count
        guard n > 0 else { return "" }
        let cell = max(10, min(28, 560 / n)), label = 120
        let size = label + n * cell
        var s = "<svg class=\"heatmap\" width=\"\(size)\" height=\"\(size)\" viewBox=\"0 0 \(size) \(size)\" role=\"img\" aria-label=\"\(escape(title))\"><title>\(escape(title))</title>"
        for (i, name) in names.enumerated() {
            let short = name.count > 16 ? String(name.prefix(15)) + "…" : name
            s += "<text x=\"\(label - 4)\" y=\"\(label + i * cell + cell / 2 + 4)\" text-anchor=\"end\" class=\"label\">\(escape(short))</text>"
            s += "<text transform=\"translate(\(label + i * cell + cell / 2 + 4),\(label - 4)) rotate(-60)\" class=\"label\">\(escape(short))</text>"
        }
        for i in 0..<n {
            for j in 0..<n {
                let v = values[i][j]
                let color = v.map(colorFor) ?? "#eeeeee"
                let tip = "\(names[i]) × \(names[j]): " + (v.map { formatFixed($0, 3) } ?? "undefined")
                s += "<rect x=\"\(label + j * cell)\" y=\"\(label + i * cell)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"\(color)\"><title>\(escape(tip))</title></rect>"
            }
        }
        return s + "</svg>"
    }

    static func colorFor(_ v: Double) -> String {
        let t = max(-1, min(1, v))
        // White at 0, red (#c0392b) at +1, blue (#2266aa) at -1.
        let (r, g, b): (Double, Double, Double) = t >= 0 ? (192, 57, 43) : (34, 102, 170)
        let a = abs(t)
        func mix(_ c: Double) -> Int { Int((255 + (c - 255) * a).rounded()) }
        return "rgb(\(mix(r)),\(mix(g)),\(mix(b)))"
    }

    static func short(_ x: Double) -> String {
        let a = abs(x)
        if a != 0 && (a >= 1e6 || a < 1e-3) { return "\(Float(x))" }
        return a >= 100 ? formatFixed(x, 0) : a >= 1 ? formatFixed(x, 2) : formatFixed(x, 3)
    }
}
