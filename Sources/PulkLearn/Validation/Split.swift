/// Row indices of a training part and a test part. Both are sorted and never overlap.
public struct Split: Sendable, Equatable, Codable {
    public var train: [Int]
    public var test: [Int]

    public init(train: [Int], test: [Int]) {
        self.train = train.sorted()
        self.test = test.sorted()
    }
}

/// Invalid split or cross-validation settings.
public enum SplitError: Error, Sendable, Equatable, CustomStringConvertible {
    case badFraction(Double)
    case tooFewRows(rows: Int, needed: Int)
    case tooFewGroups(groups: Int, folds: Int)
    case classTooSmall(label: Int, count: Int, folds: Int)
    case badFoldCount(Int)

    public var description: String {
        switch self {
        case .badFraction(let f):
            return "the test fraction must be between 0 and 1 (exclusive), not \(f); 0.2 keeps a fifth of the rows for testing."
        case .tooFewRows(let rows, let needed):
            return "\(rows) rows are too few: this split needs at least \(needed). Use fewer folds or more data."
        case .tooFewGroups(let groups, let folds):
            return "only \(groups) distinct groups for \(folds) folds: every fold needs a group of its own. Use at most \(groups) folds."
        case .classTooSmall(let label, let count, let folds):
            return "class \(label) has \(count) rows, fewer than the \(folds) folds, so some folds would lack it. Use at most \(count) folds or merge rare classes."
        case .badFoldCount(let k):
            return "cross-validation needs at least 2 folds, not \(k)."
        }
    }
}

/// Train/test splits of a dataset's rows.
public enum Splitter {
    static func testSize(_ n: Int, _ fraction: Double) throws(SplitError) -> Int {
        guard fraction > 0, fraction < 1 else { throw .badFraction(fraction) }
        guard n >= 2 else { throw .tooFewRows(rows: n, needed: 2) }
        // As scikit-learn's train_test_split: the test size rounds up.
        return min(n - 1, max(1, Int((Double(n) * fraction).rounded(.up))))
    }

    /// Rows shuffled with the seed; the first `testFraction` of them are the test part.
    public static func random(rows n: Int, testFraction: Double, seed: UInt64) throws(SplitError) -> Split {
        let t = try testSize(n, testFraction)
        var rng = SeededGenerator(seed: seed)
        let order = Array(0..<n).shuffled(using: &rng)
        return Split(train: Array(order[t...]), test: Array(order[..<t]))
    }

    /// Like `random`, keeping each class's share in both parts (each class split separately,
    /// with its test count rounded so the total matches).
    public static func stratified(labels: [Int], testFraction: Double, seed: UInt64) throws(SplitError) -> Split {
        let n = labels.count
        let t = try testSize(n, testFraction)
        var rng = SeededGenerator(seed: seed)
        var byClass: [Int: [Int]] = [:]
        for (i, y) in labels.enumerated() { byClass[y, default: []].append(i) }
        let classes = byClass.keys.sorted()
        // Largest-remainder apportionment of the test rows to classes.
        let exact = classes.map { Double(byClass[$0]!.count) * Double(t) / Double(n) }
        var counts = exact.map { Int($0) }
        let order = classes.indices.sorted { exact[$0] - Double(counts[$0]) > exact[$1] - Double(counts[$1]) }
        var remaining = t - counts.reduce(0, +)
        for c in order where remaining > 0 { counts[c] += 1; remaining -= 1 }
        var train: [Int] = [], test: [Int] = []
        for (k, c) in classes.enumerated() {
            let rows = byClass[c]!.shuffled(using: &rng)
            let take = min(counts[k], rows.count)
            test += rows[..<take]
            train += rows[take...]
        }
        return Split(train: train, test: test)
    }

    /// Train on the past, test on the future: rows ordered by `times`, the latest `testFraction` form
    /// the test part. Rows sharing a time stay on one side (the test part grows to include them).
    /// Rows without a time (NaN) are left out of both parts.
    public static func temporal(times: [Double], testFraction: Double) throws(SplitError) -> Split {
        let rows = times.indices.filter { !times[$0].isNaN }
        let t = try testSize(rows.count, testFraction)
        let order = rows.sorted { times[$0] != times[$1] ? times[$0] < times[$1] : $0 < $1 }
        var cut = order.count - t
        while cut > 0, times[order[cut - 1]] == times[order[cut]] { cut -= 1 }
        guard cut > 0 else { throw .tooFewRows(rows: rows.count, needed: 2) }
        return Split(train: Array(order[..<cut]), test: Array(order[cut...]))
    }

    /// No group on both sides: groups are shuffled with the seed and taken into the test part
    /// until it holds at least `testFraction` of the rows.
    public static func group(groups: [Int], testFraction: Double, seed: UInt64) throws(SplitError) -> Split {
        let t = try testSize(groups.count, testFraction)
        var members: [Int: [Int]] = [:]
        for (i, g) in groups.enumerated() { members[g, default: []].append(i) }
        guard members.count >= 2 else { throw .tooFewGroups(groups: members.count, folds: 2) }
        var rng = SeededGenerator(seed: seed)
        let order = members.keys.sorted().shuffled(using: &rng)
        var test: [Int] = [], train: [Int] = []
        for (k, g) in order.enumerated() {
            if test.count < t && k < order.count - 1 { test += members[g]! } else { train += members[g]! }
        }
        return Split(train: train, test: test)
    }
}
