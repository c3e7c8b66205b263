/// Exact TreeSHAP (Lundberg et al., "Consistent Individualized Feature Attribution for Tree
/// Ensembles", algorithm 2): each feature's contribution to one tree's output for one row, in
/// polynomial time, with node covers as the background distribution. Per row the contributions
/// plus the expected value add up to the raw prediction.
struct TreeSHAP {
    private struct PathElement {
        var feature = -1
        var zeroFraction = 0.0
        var oneFraction = 0.0
        var weight = 0.0
    }

    /// The tree's mean output over its training cover (per output).
    static func expectedValue(_ tree: Tree) -> [Double] {
        let k = tree.outputs
        let total = tree.leafCover.reduce(0, +)
        guard total > 0 else { return [Double](repeating: 0, count: k) }
        var out = [Double](repeating: 0, count: k)
        for l in 0..<tree.leafCount { for c in 0..<k { out[c] += tree.leafValue[l * k + c] * tree.leafCover[l] / total } }
        return out
    }

    /// Adds the tree's contributions for row `x` into `phi` (`features` values per output, output-major).
    static func contributions(_ tree: Tree, row x: [Double], features: Int, into phi: inout [Double], output: Int? = nil) {
        guard tree.nodeCount > 0 else { return }
        let depth = tree.depth
        var path = [PathElement](repeating: PathElement(), count: (depth + 2) * (depth + 3) / 2 + 1)
        var covers = [Double](repeating: 0, count: tree.nodeCount)
        for n in 0..<tree.nodeCount { covers[n] = tree.internalCover[n] }
        func cover(_ c: Int) -> Double { c >= 0 ? covers[c] : tree.leafCover[~c] }
        recurse(tree, x, node: 0, pathStart: 0, uniqueDepth: 0, zeroFraction: 1, oneFraction: 1, feature: -1, path: &path, cover: cover,
                phi: &phi, features: features, output: output)
    }

    private static func recurse(_ tree: Tree, _ x: [Double], node: Int, pathStart: Int, uniqueDepth: Int, zeroFraction: Double,
                                oneFraction: Double, feature: Int, path: inout [PathElement], cover: (Int) -> Double,
                                phi: inout [Double], features: Int, output: Int?) {
        // This level's path is a copy of the parent's, followed by the new element.
        let start = pathStart + uniqueDepth
        if uniqueDepth > 0 { for i in 0..<uniqueDepth { path[start + i] = path[pathStart + i] } }
        var depth = uniqueDepth
        extend(&path, start, depth, zeroFraction, oneFraction, feature)
        if node < 0 {
            let leaf = ~node, k = tree.outputs
            guard depth >= 1 else { return }
            for i in 1...depth {
                let w = unwoundSum(path, start, depth, i)
                let e = path[start + i]
                let scale = w * (e.oneFraction - e.zeroFraction)
                if let output { phi[e.feature] += scale * tree.leafValue[leaf * k + output] } else {
                    for c in 0..<k { phi[c * features + e.feature] += scale * tree.leafValue[leaf * k + c] }
                }
            }
            return
        }
        let f = tree.splitFeature[node]
        let hot = tree.goesLeft(node: node, x[f]) ? tree.left[node] : tree.right[node]
        let cold = hot == tree.left[node] ? tree.right[node] : tree.left[node]
        let w = cover(node)
        let hotZero = cover(hot) / w, coldZero = cover(cold) / w
        var incomingZero = 1.0, incomingOne = 1.0
        // A feature already on the path is undone first (it splits again below).
        var pathIndex = 0
        while pathIndex <= depth && path[start + pathIndex].feature != f { pathIndex += 1 }
        if pathIndex != depth + 1 {
            incomingZero = path[start + pathIndex].zeroFraction
            incomingOne = path[start + pathIndex].oneFraction
            unwind(&path, start, depth, pathIndex)
            depth -= 1
        }
        recurse(tree, x, node: hot, pathStart: start, uniqueDepth: depth + 1, zeroFraction: hotZero * incomingZero,
                oneFraction: incomingOne, feature: f, path: &path, cover: cover, phi: &phi, features: features, output: output)
        recurse(tree, x, node: cold, pathStart: start, uniqueDepth: depth + 1, zeroFraction: coldZero * incomingZero,
                oneFraction: 0, feature: f, path: &path, cover: cover, phi: &phi, features: features, output: output)
    }

    private static func extend(_ p: inout [PathElement], _ s: Int, _ depth: Int, _ zero: Double, _ one: Double, _ feature: Int) {
        p[s + depth] = PathElement(feature: feature, zeroFraction: zero, oneFraction: one, weight: depth == 0 ? 1 : 0)
        var i = depth - 1
        while i >= 0 {
            p[s + i + 1].weight += one * p[s + i].weight * Double(i + 1) / Double(depth + 1)
            p[s + i].weight = zero * p[s + i].weight * Double(depth - i) / Double(depth + 1)
            i -= 1
        }
    }

    private static func unwind(_ p: inout [PathElement], _ s: Int, _ depth: Int, _ index: Int) {
        let one = p[s + index].oneFraction, zero = p[s + index].zeroFraction
        var next = p[s + depth].weight
        var i = depth - 1
        while i >= 0 {
            if one != 0 {
                let tmp = p[s + i].weight
                p[s + i].weight = next * Double(depth + 1) / (Double(i + 1) * one)
                next = tmp - p[s + i].weight * zero * Double(depth - i) / Double(depth + 1)
            } else {
                p[s + i].weight = p[s + i].weight * Double(depth + 1) / (zero * Double(depth - i))
            }
            i -= 1
        }
        for j in index..<depth {
            p[s + j].feature = p[s + j + 1].feature
            p[s + j].zeroFraction = p[s + j + 1].zeroFraction
            p[s + j].oneFraction = p[s + j + 1].oneFraction
        }
    }

    private static func unwoundSum(_ p: [PathElement], _ s: Int, _ depth: Int, _ index: Int) -> Double {
        let one = p[s + index].oneFraction, zero = p[s + index].zeroFraction
        var next = p[s + depth].weight, total = 0.0
        var i = depth - 1
        while i >= 0 {
            if one != 0 {
                let tmp = next * Double(depth + 1) / (Double(i + 1) * one)
                total += tmp
                next = p[s + i].weight - tmp * zero * Double(depth - i) / Double(depth + 1)
            } else {
                total += (p[s + i].weight / zero) / (Double(depth - i) / Double(depth + 1))
            }
            i -= 1
        }
        return total
    }
}
