import Foundation
import PulkLearn

/// Randomised direct search in an estimator's search space, mapped to the unit cube (the FLOW²
/// method of Wu, Wang and Huang, "Frugal optimization for cost-related hyperparameters", AAAI 2021,
/// which FLAML's CFO uses): from the cheapest point, try a step of size δ in a random direction; if
/// it is not better, try the opposite step; move when either improves the loss. After 2^(d−1)
/// directions in a row without improvement (at most 16) δ halves; when δ falls below the smallest
/// step that still changes a value, the search has converged and starts again from its best point
/// with the first step size. Because steps are small, the cost of a trial grows only as fast as the
/// loss improves.
struct LocalSearch {
    let dimensions: [SearchDimension]
    /// The current point and its loss (lower is better).
    private(set) var point: [Double]
    private(set) var loss = Double.infinity
    private(set) var step: Double
    let initialStep: Double
    let minimumStep: Double
    private var failures = 0
    /// The direction of the last step when the opposite one is still to be tried.
    private var pendingOpposite: [Double]?
    private(set) var restarts = 0

    init(_ dimensions: [SearchDimension]) {
        self.dimensions = dimensions
        point = dimensions.map { $0.position(of: $0.start) }
        let d = Double(max(dimensions.count, 1))
        initialStep = 0.1 * d.squareRoot()
        step = initialStep
        // The finest resolution: one integer of the widest integer range, or 1/1000 of the cube.
        minimumStep = 0.001 * d.squareRoot()
    }

    /// The starting configuration, as parameter values.
    var start: [String: String] { values(point) }

    func values(_ x: [Double]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: zip(dimensions, x).map { ($0.name, $0.value(at: $1)) })
    }

    /// The next point to try.
    mutating func propose(_ rng: inout SeededGenerator) -> [Double] {
        if let opposite = pendingOpposite {
            return move(point, by: opposite)
        }
        return move(point, by: Self.direction(dimensions.count, &rng))
    }

    /// The unit direction used for `x` (the last proposal), to remember its opposite.
    private var lastDirection: [Double] = []

    private mutating func move(_ x: [Double], by u: [Double]) -> [Double] {
        lastDirection = u
        return zip(x, u).map { min(max($0 + step * $1, 0), 1) }
    }

    /// A point uniformly on the unit sphere.
    static func direction(_ d: Int, _ rng: inout SeededGenerator) -> [Double] {
        guard d > 0 else { return [] }
        var u = (0..<d).map { _ in gaussian(&rng) }
        let norm = u.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if norm == 0 { u[0] = 1; return u }
        return u.map { $0 / norm }
    }

    static func gaussian(_ rng: inout SeededGenerator) -> Double {
        let u1 = max(Double.random(in: 0..<1, using: &rng), 1e-300), u2 = Double.random(in: 0..<1, using: &rng)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    /// The loss of the starting point.
    mutating func started(loss: Double) {
        self.loss = loss
    }

    /// The loss of `x`, the last proposal: move there if it is better, else try the opposite
    /// direction or count a failure.
    mutating func report(_ x: [Double], loss newLoss: Double) {
        if newLoss < loss {
            point = x
            loss = newLoss
            failures = 0
            pendingOpposite = nil
            return
        }
        if pendingOpposite == nil {
            pendingOpposite = lastDirection.map { -$0 }
            return
        }
        pendingOpposite = nil
        failures += 1
        let threshold = min(1 << max(dimensions.count - 1, 0), 16)
        if failures >= threshold {
            failures = 0
            step /= 2
            if step < minimumStep {
                // Converged: search again around the best point with the first step.
                step = initialStep
                restarts += 1
            }
        }
    }
}
