/// One fitted decision tree, stored as flat arrays (LightGBM's layout): internal nodes 0…n−2, leaves
/// 0…n−1. A child reference `c ≥ 0` is an internal node; `c < 0` is the leaf `~c`.
///
/// Numeric split: a value v goes left when v ≤ threshold; a missing value goes where `defaultLeft`
/// says. Categorical split: a category code goes left when it is in the node's set; missing and
/// unseen categories go right.
public struct Tree: Sendable, Equatable {
    /// Outputs per leaf (1, or the class count of a forest classifier).
    public var outputs: Int
    public var splitFeature: [Int] = []
    public var threshold: [Double] = []
    public var defaultLeft: [Bool] = []
    /// For categorical nodes, the category codes that go left; empty for numeric nodes.
    public var leftCategories: [[Int]] = []
    public var left: [Int] = []
    public var right: [Int] = []
    /// Gain of each split (for importance).
    public var gain: [Double] = []
    /// Training rows through each internal node (the cover TreeSHAP weighs paths by).
    public var internalCover: [Double] = []
    /// `outputs` values per leaf.
    public var leafValue: [Double] = []
    public var leafCover: [Double] = []

    public init(outputs: Int) { self.outputs = outputs }

    public var leafCount: Int { leafCover.count }
    public var nodeCount: Int { splitFeature.count }

    /// The leaf that row `x` (one value per feature) falls in.
    @inlinable public func leaf(_ x: UnsafePointer<Double>) -> Int {
        if splitFeature.isEmpty { return 0 }
        var n = 0
        while n >= 0 {
            n = goesLeft(node: n, x[splitFeature[n]]) ? left[n] : right[n]
        }
        return ~n
    }

    @inlinable func goesLeft(node n: Int, _ v: Double) -> Bool {
        if !leftCategories[n].isEmpty || threshold[n].isNaN {
            return v >= 0 && v < 0x1p52 && leftCategories[n].contains(Int(v))
        }
        return v.isNaN ? defaultLeft[n] : v <= threshold[n]
    }

    /// Multiplies every leaf value (shrinkage) and adds `shift` (an initial score folded into the first tree).
    mutating func scale(_ factor: Double, shift: Double = 0) {
        for i in leafValue.indices { leafValue[i] = leafValue[i] * factor + shift }
    }

    /// Depth of the deepest leaf.
    public var depth: Int {
        func d(_ c: Int) -> Int { c < 0 ? 0 : 1 + max(d(left[c]), d(right[c])) }
        return splitFeature.isEmpty ? 0 : d(0)
    }
}

/// A categorical node is marked by a NaN threshold (its set holds at least one category).
extension Tree {
    static let categoricalMark = Double.nan
}
