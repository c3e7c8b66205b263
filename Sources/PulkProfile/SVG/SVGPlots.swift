/// Plots with axes: lines (metric curves, ROC and precision-recall curves), scatter (residuals,
/// predicted against actual) and a labelled count matrix (confusion matrices). Shared by the run
/// artifacts and the web UI; every plot is one self-contained `<svg>` with a title for screen readers.
extension SVGChart {
    /// One line of a plot.
    public struct Series: Sendable {
        public var name: String
        public var x: [Double]
        public var y: [Double]
        public init(name: String, x: [Double], y: [Double]) {
            self.name = name
            self.x = x
            self.y = y
        }
    }

    /// Colours for up to ten series (repeated beyond).
    static let palette = ["#2266aa", "#c0392b", "#27ae60", "#8e44ad", "#d35400", "#16a085", "#7f8c8d", "#b7950b", "#e84393", "#2c3e50"]

    static let margin = (left: 58.0, right: 12.0, top: 26.0, bottom: 36.0)

    /// Axis extents of the finite values, widened when they are all equal.
    static func extent(_ values: [Double], clampTo unit: Bool = false) -> (Double, Double) {
        if unit { return (0, 1) }
        var lo = Double.infinity, hi = -Double.infinity
        for v in values where v.isFinite { lo = min(lo, v); hi = max(hi, v) }
        if !lo.isFinite { return (0, 1) }
        if lo == hi { return (lo - max(abs(lo) * 0.05, 0.5), hi + max(abs(hi) * 0.05, 0.5)) }
        return (lo, hi)
    }

    struct PlotArea {
        var width: Double, height: Double
        var x: (Double, Double), y: (Double, Double)
        func px(_ v: Double) -> Double { margin.left + (v - x.0) / (x.1 - x.0) * (width - margin.left - margin.right) }
        func py(_ v: Double) -> Double { height - margin.bottom - (v - y.0) / (y.1 - y.0) * (height - margin.top - margin.bottom) }
    }

    static func open(_ title: String, width: Int, height: Int) -> String {
        "<svg class=\"plot\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(escape(title))\" xmlns=\"http://www.w3.org/2000/svg\"><title>\(escape(title))</title>"
            + "<style>.plot text{font:11px sans-serif;fill:#333}.plot .grid{stroke:#e3e3e3}.plot .ax{stroke:#888}</style>"
            + "<text x=\"\(width / 2)\" y=\"15\" text-anchor=\"middle\" font-weight=\"bold\">\(escape(title))</text>"
    }

    /// Axes with five ticks each and their labels.
    static func axes(_ f: PlotArea, xLabel: String, yLabel: String) -> String {
        var s = ""
        for i in 0...4 {
            let t = Double(i) / 4
            let xv = f.x.0 + t * (f.x.1 - f.x.0), yv = f.y.0 + t * (f.y.1 - f.y.0)
            let x = num(f.px(xv)), y = num(f.py(yv))
            s += "<line class=\"grid\" x1=\"\(x)\" y1=\"\(num(margin.top))\" x2=\"\(x)\" y2=\"\(num(f.height - margin.bottom))\"/>"
            s += "<line class=\"grid\" x1=\"\(num(margin.left))\" y1=\"\(y)\" x2=\"\(num(f.width - margin.right))\" y2=\"\(y)\"/>"
            let anchor = i == 0 ? "start" : i == 4 ? "end" : "middle"
            s += "<text x=\"\(x)\" y=\"\(num(f.height - margin.bottom + 14))\" text-anchor=\"\(anchor)\">\(escape(tick(xv)))</text>"
            s += "<text x=\"\(num(margin.left - 4))\" y=\"\(num(f.py(yv) + 4))\" text-anchor=\"end\">\(escape(tick(yv)))</text>"
        }
        s += "<text x=\"\(num((margin.left + f.width - margin.right) / 2))\" y=\"\(num(f.height - 4))\" text-anchor=\"middle\">\(escape(xLabel))</text>"
        s += "<text transform=\"translate(12,\(num((margin.top + f.height - margin.bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel))</text>"
        return s
    }

    /// A tick label: whole numbers as integers, the rest as `short` writes them.
    static func tick(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e9 { return String(Int64(v)) }
        return short(v)
    }

    /// Lines over a shared x axis, with a legend when there is more than one.
    /// `unit` fixes both axes to 0…1 (ROC and precision-recall curves); `diagonal` draws y = x.
    public static func lines(_ series: [Series], title: String, xLabel: String, yLabel: String, width: Int = 560, height: Int = 300,
                             unit: Bool = false, diagonal: Bool = false) -> String {
        let f = PlotArea(width: Double(width), height: Double(height), x: extent(series.flatMap(\.x), clampTo: unit),
                      y: extent(series.flatMap(\.y), clampTo: unit))
        var s = open(title, width: width, height: height) + axes(f, xLabel: xLabel, yLabel: yLabel)
        if diagonal {
            s += "<line x1=\"\(num(f.px(0)))\" y1=\"\(num(f.py(0)))\" x2=\"\(num(f.px(1)))\" y2=\"\(num(f.py(1)))\" stroke=\"#aaa\" stroke-dasharray=\"4 3\"/>"
        }
        for (k, line) in series.enumerated() {
            var d = ""
            var pen = false
            for (x, y) in zip(line.x, line.y) {
                guard x.isFinite, y.isFinite else { pen = false; continue }
                d += (pen ? "L" : "M") + num(f.px(x)) + " " + num(f.py(y))
                pen = true
            }
            let color = palette[k % palette.count]
            s += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\"><title>\(escape(line.name))</title></path>"
            if line.x.count == 1, let x = line.x.first, let y = line.y.first, x.isFinite, y.isFinite {
                s += "<circle cx=\"\(num(f.px(x)))\" cy=\"\(num(f.py(y)))\" r=\"3\" fill=\"\(color)\"/>"
            }
        }
        if series.count > 1 { s += legend(series.map(\.name), width: width) }
        return s + "</svg>"
    }

    static func legend(_ names: [String], width: Int) -> String {
        var s = "", y = margin.top + 4
        for (k, name) in names.enumerated() {
            let label = name.count > 28 ? String(name.prefix(27)) + "…" : name
            s += "<rect x=\"\(width - 190)\" y=\"\(num(y))\" width=\"10\" height=\"10\" fill=\"\(palette[k % palette.count])\"/>"
            s += "<text x=\"\(width - 176)\" y=\"\(num(y + 9))\">\(escape(label))</text>"
            y += 14
        }
        return s
    }

    /// Points, e.g. residuals against predictions; `zeroLine` draws y = 0, `diagonal` y = x.
    public static func scatter(x: [Double], y: [Double], title: String, xLabel: String, yLabel: String, width: Int = 560, height: Int = 300,
                               zeroLine: Bool = false, diagonal: Bool = false) -> String {
        var xr = extent(x), yr = extent(y)
        if diagonal { let lo = min(xr.0, yr.0), hi = max(xr.1, yr.1); xr = (lo, hi); yr = (lo, hi) }
        let f = PlotArea(width: Double(width), height: Double(height), x: xr, y: yr)
        var s = open(title, width: width, height: height) + axes(f, xLabel: xLabel, yLabel: yLabel)
        if zeroLine, yr.0 < 0, yr.1 > 0 {
            s += "<line x1=\"\(num(margin.left))\" y1=\"\(num(f.py(0)))\" x2=\"\(num(f.width - margin.right))\" y2=\"\(num(f.py(0)))\" stroke=\"#aaa\" stroke-dasharray=\"4 3\"/>"
        }
        if diagonal {
            s += "<line x1=\"\(num(f.px(xr.0)))\" y1=\"\(num(f.py(xr.0)))\" x2=\"\(num(f.px(xr.1)))\" y2=\"\(num(f.py(xr.1)))\" stroke=\"#aaa\" stroke-dasharray=\"4 3\"/>"
        }
        s += "<g fill=\"#2266aa\" fill-opacity=\"0.45\">"
        for (a, b) in zip(x, y) where a.isFinite && b.isFinite {
            s += "<circle cx=\"\(num(f.px(a)))\" cy=\"\(num(f.py(b)))\" r=\"2\"/>"
        }
        return s + "</g></svg>"
    }

    /// A matrix of counts with row and column labels (true classes down, predicted across).
    public static func countMatrix(labels: [String], counts: [[Int]], title: String, rowLabel: String, columnLabel: String) -> String {
        let n = labels.count
        guard n > 0 else { return "" }
        let cell = max(24, min(56, 480 / n)), left = 120, top = 60
        let width = left + n * cell + 10, height = top + n * cell + 30
        let maxCount = max(counts.flatMap { $0 }.max() ?? 1, 1)
        var s = open(title, width: width, height: height)
        s += "<text x=\"\(left + n * cell / 2)\" y=\"32\" text-anchor=\"middle\">\(escape(columnLabel))</text>"
        s += "<text transform=\"translate(12,\(top + n * cell / 2)) rotate(-90)\" text-anchor=\"middle\">\(escape(rowLabel))</text>"
        for (i, name) in labels.enumerated() {
            let label = name.count > 14 ? String(name.prefix(13)) + "…" : name
            s += "<text x=\"\(left - 4)\" y=\"\(top + i * cell + cell / 2 + 4)\" text-anchor=\"end\">\(escape(label))</text>"
            s += "<text x=\"\(left + i * cell + cell / 2)\" y=\"\(top - 6)\" text-anchor=\"middle\">\(escape(label))</text>"
        }
        for i in 0..<n {
            for j in 0..<n {
                let c = i < counts.count && j < counts[i].count ? counts[i][j] : 0
                let a = Double(c) / Double(maxCount)
                let fill = "rgb(\(Int(255 - 221 * a)),\(Int(255 - 153 * a)),\(Int(255 - 85 * a)))"
                let ink = a > 0.55 ? "#fff" : "#222"
                s += "<rect x=\"\(left + j * cell)\" y=\"\(top + i * cell)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"\(fill)\" stroke=\"#fff\"><title>\(escape("true \(labels[i]), predicted \(labels[j]): \(c)"))</title></rect>"
                s += "<text x=\"\(left + j * cell + cell / 2)\" y=\"\(top + i * cell + cell / 2 + 4)\" text-anchor=\"middle\" fill=\"\(ink)\">\(c)</text>"
            }
        }
        return s + "</svg>"
    }

}
