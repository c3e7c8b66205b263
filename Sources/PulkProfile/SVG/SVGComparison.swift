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

extension SVGChart {
    /// A strip of cells per row (a column of data) over windows (oldest left): the colour is the
    /// value (0 white … `saturateAt` and above full red), a flagged cell has a dark border, and a cell
    /// with a link opens it.
    public static func heatStrip(rows: [String], windows: [(label: String, link: String?)], values: [[Double?]], flagged: [[Bool]],
                                 title: String, saturateAt: Double = 0.3) -> String {
        guard !rows.isEmpty, !windows.isEmpty else { return "" }
        let cell = max(8, min(22, 640 / windows.count)), rowH = 18, label = 130
        let width = label + max(windows.count * cell, 190) + 4, height = rows.count * rowH + 24
        var s = "<svg class=\"chart heatstrip\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(escape(title))\"><title>\(escape(title))</title>"
        for (i, row) in rows.enumerated() {
            let y = i * rowH
            let short = row.count > 18 ? String(row.prefix(17)) + "…" : row
            s += "<text x=\"\(label - 6)\" y=\"\(y + 13)\" text-anchor=\"end\" class=\"label\">\(escape(short))<title>\(escape(row))</title></text>"
            for (j, w) in windows.enumerated() {
                let x = label + j * cell
                let v = i < values.count && j < values[i].count ? values[i][j] : nil
                let flag = i < flagged.count && j < flagged[i].count && flagged[i][j]
                let fill = v.map { colorFor(min(1, max(0, $0 / saturateAt))) } ?? "#eef1f4"
                let tip = "\(row), \(w.label): " + (v.map { "drift size \(formatFixed($0, 3))" } ?? "not compared") + (flag ? ", drifted" : "")
                var rect = "<rect x=\"\(x)\" y=\"\(y + 1)\" width=\"\(cell - 1)\" height=\"\(rowH - 2)\" fill=\"\(fill)\""
                rect += flag ? " stroke=\"#1d2329\" stroke-width=\"1.5\"" : ""
                rect += "><title>\(escape(tip))</title></rect>"
                s += w.link.map { "<a href=\"\(escape($0))\">\(rect)</a>" } ?? rect
            }
        }
        let y = rows.count * rowH + 16
        s += "<text x=\"\(label)\" y=\"\(y)\" class=\"axis\">\(escape(windows.first!.label))</text>"
        if windows.count > 1 {
            s += "<text x=\"\(width - 4)\" y=\"\(y)\" class=\"axis\" text-anchor=\"end\">\(escape(windows.last!.label))</text>"
        }
        return s + "</svg>"
    }
}
