public import PulkFrame
public import PulkLearn

/// Crafted training data: a number, a category, a date, and a target of the estimator's task (for
/// clustering and anomaly detection, a column of known answers that is not a feature).
public func contractFrame(task: Task, rows: Int = 60, target: [Double]? = nil) -> Frame {
    var rng = SeededGenerator(seed: 42)
    if task == .recommendation {
        // Interactions: 12 users, 8 items, the first items more popular, ratings 1…5.
        let users = (0..<rows).map { _ in Int64.random(in: 0..<12, using: &rng) }
        let items = (0..<rows).map { _ in Int32(min(Int.random(in: 0..<8, using: &rng), Int.random(in: 0..<8, using: &rng))) }
        return try! Frame(columns: [
            Column(name: "user_id", storage: .int64(users)),
            Column(name: "item_id", storage: .string(codes: items, dictionary: (0..<8).map { "item\($0)" })),
            Column(name: "rating", storage: .float64((0..<rows).map { _ in Double(Int.random(in: 1...5, using: &rng)) })),
        ])
    }
    let x = (0..<rows).map { _ in Double.random(in: -5...5, using: &rng) }
    let c = (0..<rows).map { _ in Int32.random(in: 0..<3, using: &rng) }
    let y: Column = switch task {
    case .regression: Column(name: "y", storage: .float64(target ?? x.map { 3 * $0 + 1 }))
    case .anomaly: Column(name: "y", storage: .int64(target.map { $0.map { Int64($0) } } ?? c.map { $0 == 0 ? 1 : 0 }))
    case .classification, .clustering, .recommendation: Column(name: "y", storage: .string(codes: target.map { $0.map { Int32($0) } } ?? c,
                                                             dictionary: ["a", "b", "c"]))
    }
    return try! Frame(columns: [
        Column(name: "x", storage: .float64(x)),
        Column(name: "c", storage: .string(codes: c, dictionary: ["red", "green", "blue"])),
        Column(name: "d", storage: .date((0..<rows).map { Int32($0) })),
        y,
    ])
}
