/// Reduces a long metric history to what a chart can show without freezing a browser: the points are
/// split into equal runs and each run keeps its lowest and highest value (in the order they came),
/// so spikes and the envelope survive. The first and last points are always kept.
public enum Downsample {
    public static func minMax(x: [Double], y: [Double], buckets: Int) -> (x: [Double], y: [Double]) {
        let n = min(x.count, y.count)
        guard buckets > 0, n > 2 * buckets + 2 else { return (Array(x.prefix(n)), Array(y.prefix(n))) }
        var ox: [Double] = [], oy: [Double] = []
        ox.reserveCapacity(2 * buckets + 2)
        oy.reserveCapacity(2 * buckets + 2)
        x.withUnsafeBufferPointer { xs in
            y.withUnsafeBufferPointer { ys in
                ox.append(xs[0]); oy.append(ys[0])
                for b in 0..<buckets {
                    let lo = 1 + b * (n - 2) / buckets, hi = 1 + (b + 1) * (n - 2) / buckets
                    guard lo < hi else { continue }
                    var iMin = -1, iMax = -1
                    for i in lo..<hi where ys[i].isFinite {
                        if iMin < 0 || ys[i] < ys[iMin] { iMin = i }
                        if iMax < 0 || ys[i] > ys[iMax] { iMax = i }
                    }
                    if iMin < 0 {
                        // Only NaN/∞ here: keep one point so the line shows the gap.
                        ox.append(xs[lo]); oy.append(ys[lo])
                        continue
                    }
                    for i in iMin == iMax ? [iMin] : [min(iMin, iMax), max(iMin, iMax)] { ox.append(xs[i]); oy.append(ys[i]) }
                }
                ox.append(xs[n - 1]); oy.append(ys[n - 1])
            }
        }
        return (ox, oy)
    }
}
