/// Statistics primitives on columns, shared by the profiler and (later) learners and drift checks.
extension Column {
    /// Present values as doubles, in row order (nil for text columns).
    public func presentDoubles() -> [Double]? {
        guard let all = doubles() else { return nil }
        return validity == nil ? all : all.filter { !$0.isNaN }
    }

    /// Present values sorted ascending (nil for text columns).
    public func sortedPresentValues() -> [Double]? {
        presentDoubles().map(Sorting.sorted)
    }

    /// Count, mean, and central moments of the present values (nil for text columns).
    public func moments() -> Statistics.Moments? {
        presentDoubles().map { v in v.withUnsafeBufferPointer { Statistics.moments($0) } }
    }

    /// Linear-interpolation quantiles (numpy's default) of the present values, one per entry of `qs`
    /// (each in 0…1); nil for text columns or when no value is present.
    public func quantiles(_ qs: [Double]) -> [Double]? {
        guard let sorted = sortedPresentValues(), !sorted.isEmpty else { return nil }
        return sorted.withUnsafeBufferPointer { s in qs.map { Statistics.quantile(sorted: s, $0) } }
    }

    /// How often each present value occurs, most frequent first (ties in order of first appearance).
    public func valueCounts() -> [(value: Value, count: Int)] {
        var counts: [Value: Int] = [:]
        var order: [Value] = []
        for i in 0..<count where isValid(i) {
            let v = value(at: i)
            if counts[v] == nil { order.append(v) }
            counts[v, default: 0] += 1
        }
        return order.enumerated().sorted { a, b in
            counts[a.element]! != counts[b.element]! ? counts[a.element]! > counts[b.element]! : a.offset < b.offset
        }.map { ($0.element, counts[$0.element]!) }
    }
}
