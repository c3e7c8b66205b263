import Foundation

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

    /// The drawing area: value ranges mapped onto the pixels inside the margins. `left` grows with
    /// the widest y tick label; `legend` adds room below the x axis.
    struct PlotArea {
        var width: Double, height: Double
        var x: (Double, Double), y: (Double, Double)
        var left = margin.left
        var legend = 0.0
        var bottom: Double { height - margin.bottom - legend }
        func px(_ v: Double) -> Double { left + (v - x.0) / (x.1 - x.0) * (width - left - margin.right) }
        func py(_ v: Double) -> Double { bottom - (v - y.0) / (y.1 - y.0) * (bottom - margin.top) }
    }

    static func open(_ title: String, width: Int, height: Int) -> String {
        "<svg class=\"plot\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(escape(title))\" xmlns=\"http://www.w3.org/2000/svg\"><title>\(escape(title))</title>"
            + "<style>.plot text{font:11px sans-serif;fill:#333}.plot .grid{stroke:#e3e3e3}.plot .ax{stroke:#888}</style>"
            + "<text x=\"\(width / 2)\" y=\"15\" text-anchor=\"middle\" font-weight=\"bold\">\(escape(title))</text>"
    }

    /// Round tick values (1, 2 or 5 × 10^k apart) covering `lo…hi`, about `count` of them; whole
    /// numbers only with `integer` (steps, iterations, folds).
    static func niceTicks(_ lo: Double, _ hi: Double, count: Int = 5, integer: Bool = false) -> [Double] {
        guard lo.isFinite, hi.isFinite, hi > lo else { return [lo] }
        let raw = (hi - lo) / Double(max(count - 1, 1))
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        var step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        if integer { step = max(1, step.rounded(.up)) }
        let first = (lo / step).rounded(.up) * step
        var ticks: [Double] = []
        var v = first
        while v <= hi + step * 1e-9, ticks.count < 50 {
            ticks.append(abs(v) < step * 1e-9 ? 0 : v)
            v = first + Double(ticks.count) * step
        }
        return ticks
    }

    /// Tick labels written alike, with as many decimals as the spacing needs (`1.25`, `1.50`, `1.75`);
    /// very large or small values in exponent form.
    static func tickLabels(_ ticks: [Double], log: Bool = false) -> [String] {
        if log { return ticks.map { exponentLabel(pow(10, $0)) } }
        let step = ticks.count > 1 ? abs(ticks[1] - ticks[0]) : max(abs(ticks.first ?? 1), 1)
        let largest = ticks.map(abs).max() ?? 0
        if largest >= 1e6 || (largest > 0 && largest < 1e-3) || step < 1e-4 { return ticks.map(exponentLabel) }
        let decimals = max(0, -Int(log10(step).rounded(.down)))
        return ticks.map { formatFixed($0, min(decimals, 6)) }
    }

    static func exponentLabel(_ v: Double) -> String {
        if v == 0 { return "0" }
        let e = Int(log10(abs(v)).rounded(.down))
        let m = v / pow(10, Double(e))
        let mantissa = abs(m - m.rounded()) < 1e-9 ? String(Int(m.rounded())) : formatFixed(m, 1)
        return "\(mantissa)e\(e)"
    }

    /// Axes: grid lines and labels at round ticks; the left margin fits the widest y label.
    static func axes(_ f: inout PlotArea, xLabel: String, yLabel: String, integerX: Bool = false, logY: Bool = false) -> String {
        let yTicks = logY ? niceTicks(f.y.0, f.y.1, integer: true) : niceTicks(f.y.0, f.y.1)
        let yLabels = tickLabels(yTicks, log: logY)
        f.left = max(margin.left, 22 + 6.4 * Double(yLabels.map(\.count).max() ?? 0))
        let xTicks = niceTicks(f.x.0, f.x.1, count: 6, integer: integerX)
        let xLabels = tickLabels(xTicks)
        var s = ""
        for (v, label) in zip(xTicks, xLabels) {
            let x = num(f.px(v))
            s += "<line class=\"grid\" x1=\"\(x)\" y1=\"\(num(margin.top))\" x2=\"\(x)\" y2=\"\(num(f.bottom))\"/>"
            s += "<text x=\"\(x)\" y=\"\(num(f.bottom + 14))\" text-anchor=\"middle\">\(escape(label))</text>"
        }
        for (v, label) in zip(yTicks, yLabels) {
            let y = num(f.py(v))
            s += "<line class=\"grid\" x1=\"\(num(f.left))\" y1=\"\(y)\" x2=\"\(num(f.width - margin.right))\" y2=\"\(y)\"/>"
            s += "<text x=\"\(num(f.left - 4))\" y=\"\(num(f.py(v) + 4))\" text-anchor=\"end\">\(escape(label))</text>"
        }
        s += "<text x=\"\(num((f.left + f.width - margin.right) / 2))\" y=\"\(num(f.bottom + 30))\" text-anchor=\"middle\">\(escape(xLabel))</text>"
        s += "<text transform=\"translate(12,\(num((margin.top + f.bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel + (logY ? " (log scale)" : "")))</text>"
        return s
    }

    /// Lines over a shared x axis, with a legend below when there is more than one.
    /// `unit` fixes both axes to 0…1 (ROC and precision-recall curves); `diagonal` draws y = x;
    /// `integerX` puts x ticks on whole numbers (steps); `markers` draws points without joining them
    /// (values that are not a sequence, such as cross-validation folds) on an axis that does not
    /// magnify their spread; `logY` draws y on a log scale (when every value is positive).
    public static func lines(_ series: [Series], title: String, xLabel: String, yLabel: String, width: Int = 560, height: Int = 300,
                             unit: Bool = false, diagonal: Bool = false, integerX: Bool = false, markers: Bool = false, logY: Bool = false) -> String {
        let log = logY && series.allSatisfy { $0.y.allSatisfy { !$0.isFinite || $0 > 0 } }
        let shown = log ? series.map { Series(name: $0.name, x: $0.x, y: $0.y.map { $0 > 0 ? log10($0) : .nan }) } : series
        var yRange = extent(shown.flatMap(\.y), clampTo: unit)
        if markers, !unit {
            // The spread takes at most the middle third, so that small differences do not look like a trend.
            let mid = (yRange.0 + yRange.1) / 2, half = max((yRange.1 - yRange.0) * 1.5, abs(mid) * 0.01, 1e-12)
            yRange = (mid - half, mid + half)
        }
        if !unit, !log {
            let ticks = niceTicks(yRange.0, yRange.1)
            if let first = ticks.first, let last = ticks.last, ticks.count > 1 {
                let step = ticks[1] - ticks[0]
                yRange = (first > yRange.0 ? first - step : first, last < yRange.1 ? last + step : last)
            }
        }
        var xRange = extent(shown.flatMap(\.x), clampTo: unit)
        if markers { xRange = (xRange.0 - 0.5, xRange.1 + 0.5) }
        let layout = series.count > 1 ? legendLayout(series.map(\.name), width: width) : nil
        let legendRows = layout?.rows ?? 0
        let total = height + legendRows * 16
        var f = PlotArea(width: Double(width), height: Double(total), x: xRange, y: yRange, legend: Double(legendRows * 16))
        let grid = axes(&f, xLabel: xLabel, yLabel: yLabel, integerX: integerX || markers, logY: log)
        var s = open(title, width: width, height: total) + grid
        if diagonal {
            s += "<line x1=\"\(num(f.px(0)))\" y1=\"\(num(f.py(0)))\" x2=\"\(num(f.px(1)))\" y2=\"\(num(f.py(1)))\" stroke=\"#aaa\" stroke-dasharray=\"4 3\"/>"
        }
        for (k, line) in shown.enumerated() {
            let color = palette[k % palette.count]
            if markers || line.x.count == 1 {
                s += "<g fill=\"\(color)\"><title>\(escape(line.name))</title>"
                for (x, y) in zip(line.x, line.y) where x.isFinite && y.isFinite {
                    s += "<circle cx=\"\(num(f.px(x)))\" cy=\"\(num(f.py(y)))\" r=\"3.5\"/>"
                }
                s += "</g>"
                continue
            }
            var d = ""
            var pen = false
            for (x, y) in zip(line.x, line.y) {
                guard x.isFinite, y.isFinite else { pen = false; continue }
                d += (pen ? "L" : "M") + num(f.px(x)) + " " + num(f.py(y))
                pen = true
            }
            s += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\"><title>\(escape(line.name))</title></path>"
        }
        if let layout { s += legend(layout.items, top: f.bottom + 40) }
        return s + "</svg>"
    }

    /// Legend entries laid out left to right below the plot, wrapping: each entry's x and row.
    static func legendLayout(_ names: [String], width: Int) -> (items: [(label: String, x: Double, row: Int)], rows: Int) {
        var items: [(String, Double, Int)] = []
        var x = margin.left, row = 0
        for name in names {
            let label = name.count > 48 ? String(name.prefix(47)) + "…" : name
            let w = 18 + 6.4 * Double(label.count) + 14
            if x + w > Double(width) - margin.right, x > margin.left { x = margin.left; row += 1 }
            items.append((label, x, row))
            x += w
        }
        return (items, names.isEmpty ? 0 : row + 1)
    }

    static func legend(_ items: [(label: String, x: Double, row: Int)], top: Double) -> String {
        var s = ""
        for (k, item) in items.enumerated() {
            let y = top + Double(item.row * 16)
            s += "<rect x=\"\(num(item.x))\" y=\"\(num(y))\" width=\"10\" height=\"10\" fill=\"\(palette[k % palette.count])\"/>"
            s += "<text x=\"\(num(item.x + 14))\" y=\"\(num(y + 9))\">\(escape(item.label))</text>"
        }
        return s
    }

    /// Points, e.g. residuals against predictions; `zeroLine` draws y = 0, `diagonal` y = x.
    public static func scatter(x: [Double], y: [Double], title: String, xLabel: String, yLabel: String, width: Int = 560, height: Int = 300,
                               zeroLine: Bool = false, diagonal: Bool = false) -> String {
        var xr = extent(x), yr = extent(y)
        if diagonal { let lo = min(xr.0, yr.0), hi = max(xr.1, yr.1); xr = (lo, hi); yr = (lo, hi) }
        var f = PlotArea(width: Double(width), height: Double(height), x: xr, y: yr)
        var s = open(title, width: width, height: height)
        s += axes(&f, xLabel: xLabel, yLabel: yLabel)
        if zeroLine, yr.0 < 0, yr.1 > 0 {
            s += "<line x1=\"\(num(f.left))\" y1=\"\(num(f.py(0)))\" x2=\"\(num(f.width - margin.right))\" y2=\"\(num(f.py(0)))\" stroke=\"#aaa\" stroke-dasharray=\"4 3\"/>"
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
