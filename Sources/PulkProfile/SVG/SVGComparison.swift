/// Charts that compare two distributions of one column (a reference and a current window), for
/// drift reports: overlaid histograms for numbers, paired bars for categories.
extension SVGChart {
    /// Reference (grey) and current (blue, translucent) shares over the same equal-width bins.
    public static func overlaidHistogram(edges: [Double], reference: [Double], current: [Double], label: String,
                                         width: Int = 420, height: Int = 150) -> String {
        guard reference.count == current.count, edges.count == reference.count + 1,
              let top = (reference + current).max(), top > 0 else { return "" }
        let plotH = Double(height - 22), barW = Double(width) / Double(reference.count)
        var s = "<svg class=\"chart\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(escape(label))\"><title>\(escape(label))</title>"
        for (series, values) in [("ref", reference), ("cur", current)] {
            for (i, v) in values.enumerated() where v > 0 {
                let h = v / top * plotH
                let tip = "\(series == "ref" ? "reference" : "current") \(short(edges[i])) – \(short(edges[i + 1])): \(formatFixed(v * 100, 1))%"
                s += "<rect x=\"\(num(Double(i) * barW + 0.5))\" y=\"\(num(plotH - h))\" width=\"\(num(max(barW - 1, 1)))\" height=\"\(num(h))\" class=\"\(series)\"><title>\(escape(tip))</title></rect>"
            }
        }
        s += "<text x=\"0\" y=\"\(height - 6)\" class=\"axis\">\(escape(short(edges.first!)))</text>"
        s += "<text x=\"\(width)\" y=\"\(height - 6)\" class=\"axis\" text-anchor=\"end\">\(escape(short(edges.last!)))</text>"
        return s + "</svg>"
    }

    /// One row per category: the reference share above the current share.
    public static func pairedBars(labels: [String], reference: [Double], current: [Double], title: String,
                                  width: Int = 420) -> String {
        guard !labels.isEmpty, labels.count == reference.count, labels.count == current.count else { return "" }
        let rowH = 24, labelW = 130, valueRoom = 60
        let height = labels.count * rowH + 4
        let top = max((reference + current).max() ?? 1, 1e-12)
        var s = "<svg class=\"chart\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(escape(title))\"><title>\(escape(title))</title>"
        for (i, label) in labels.enumerated() {
            let y = i * rowH + 2
            let short = label.count > 18 ? String(label.prefix(17)) + "…" : label
            s += "<text x=\"\(labelW - 6)\" y=\"\(y + 15)\" text-anchor=\"end\" class=\"label\">\(escape(short))<title>\(escape(label))</title></text>"
            for (k, (series, v)) in [("ref", reference[i]), ("cur", current[i])].enumerated() {
                let w = v / top * Double(width - labelW - valueRoom)
                let by = y + 2 + k * 10
                s += "<rect x=\"\(labelW)\" y=\"\(by)\" width=\"\(num(max(w, 0.5)))\" height=\"9\" class=\"\(series)\"><title>\(series == "ref" ? "reference" : "current") \(escape(label)): \(formatFixed(v * 100, 1))%</title></rect>"
                s += "<text x=\"\(num(Double(labelW) + w + 4))\" y=\"\(by + 8)\" class=\"value\">\(formatFixed(v * 100, 1))%</text>"
            }
        }
        return s + "</svg>"
    }
}
