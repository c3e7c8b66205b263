/// Cross-validation folds, following scikit-learn's `KFold`, `StratifiedKFold`, `GroupKFold` and
/// `TimeSeriesSplit` exactly when not shuffling (the test suite compares fold for fold).
public enum CrossValidation {
    /// `k` contiguous folds (after an optional seeded shuffle); the first `n % k` folds hold one extra row.
    public static func kFold(rows n: Int, k: Int, shuffle: Bool = false, seed: UInt64 = 0) throws(SplitError) -> [Split] {
        guard k >= 2 else { throw .badFoldCount(k) }
        guard n >= k else { throw .tooFewRows(rows: n, needed: k) }
        var order = Array(0..<n)
        if shuffle { var rng = SeededGenerator(seed: seed); order.shuffle(using: &rng) }
        var folds: [Split] = []
        var start = 0
        for f in 0..<k {
            let size = n / k + (f < n % k ? 1 : 0)
            let test = Array(order[start..<(start + size)])
            folds.append(Split(train: Array(order[..<start] + order[(start + size)...]), test: test))
            start += size
        }
        return folds
    }

    /// Folds that keep every class's share: rows of each class (in row order, or shuffled with the
    /// seed) are dealt to folds as scikit-learn's `StratifiedKFold` does.
    public static func stratifiedKFold(labels: [Int], k: Int, shuffle: Bool = false, seed: UInt64 = 0) throws(SplitError) -> [Split] {
        guard k >= 2 else { throw .badFoldCount(k) }
        guard labels.count >= k else { throw .tooFewRows(rows: labels.count, needed: k) }
        // Classes numbered in order of first appearance, as scikit-learn does.
        var classes: [Int] = []
        var code: [Int: Int] = [:]
        for y in labels where code[y] == nil { code[y] = classes.count; classes.append(y) }
        let encoded = labels.map { code[$0]! }
        var counts = [Int](repeating: 0, count: classes.count)
        for e in encoded { counts[e] += 1 }
        if let (c, count) = zip(classes, counts).first(where: { $0.1 < k }), counts.allSatisfy({ $0 < k }) {
            throw .classTooSmall(label: c, count: count, folds: k)
        }
        // allocation[f][c]: rows of class c in fold f, from dealing the sorted labels round-robin.
        let sortedCodes = encoded.sorted()
        var allocation = [[Int]](repeating: [Int](repeating: 0, count: classes.count), count: k)
        for (i, c) in sortedCodes.enumerated() { allocation[i % k][c] += 1 }
        var rng = SeededGenerator(seed: seed)
        var testFold = [Int](repeating: 0, count: labels.count)
        for c in 0..<classes.count {
            var folds: [Int] = []
            for f in 0..<k { folds += repeatElement(f, count: allocation[f][c]) }
            if shuffle { folds.shuffle(using: &rng) }
            var next = 0
            for i in encoded.indices where encoded[i] == c { testFold[i] = folds[next]; next += 1 }
        }
        return (0..<k).map { f in
            Split(train: testFold.indices.filter { testFold[$0] != f }, test: testFold.indices.filter { testFold[$0] == f })
        }
    }

    /// Folds with no group in two folds: groups, largest first (ties: later-seen group first, as
    /// scikit-learn), each go to the fold with the fewest rows so far.
    public static func groupKFold(groups: [Int], k: Int) throws(SplitError) -> [Split] {
        guard k >= 2 else { throw .badFoldCount(k) }
        let unique = Array(Set(groups)).sorted()
        guard unique.count >= k else { throw .tooFewGroups(groups: unique.count, folds: k) }
        let index = Dictionary(uniqueKeysWithValues: unique.enumerated().map { ($1, $0) })
        var sizes = [Int](repeating: 0, count: unique.count)
        for g in groups { sizes[index[g]!] += 1 }
        let order = unique.indices.sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 > $1 }
        var foldRows = [Int](repeating: 0, count: k)
        var foldOf = [Int](repeating: 0, count: unique.count)
        for g in order {
            let lightest = foldRows.indices.min { foldRows[$0] != foldRows[$1] ? foldRows[$0] < foldRows[$1] : $0 < $1 }!
            foldRows[lightest] += sizes[g]
            foldOf[g] = lightest
        }
        return (0..<k).map { f in
            Split(train: groups.indices.filter { foldOf[index[groups[$0]]!] != f },
                  test: groups.indices.filter { foldOf[index[groups[$0]]!] == f })
        }
    }

    /// Expanding-window folds for ordered rows: fold f trains on everything before its test block.
    public static func timeSeriesSplit(rows n: Int, k: Int) throws(SplitError) -> [Split] {
        guard k >= 2 else { throw .badFoldCount(k) }
        guard n > k else { throw .tooFewRows(rows: n, needed: k + 1) }
        let testSize = n / (k + 1)
        return (0..<k).map { f in
            let start = n - (k - f) * testSize
            return Split(train: Array(0..<start), test: Array(start..<(start + testSize)))
        }
    }
}
