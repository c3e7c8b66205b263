import PulkLearn

/// Trees as the named arrays of the model file (one set of arrays for every tree, concatenated).
enum TreeCodec {
    static func encode(_ trees: [Tree], into s: inout ModelState) {
        var nodes: [Int64] = [], leaves: [Int64] = [], feature: [Int64] = [], left: [Int64] = [], right: [Int64] = []
        var defaultLeft: [Int64] = [], catCount: [Int64] = [], cats: [Int64] = []
        var threshold: [Double] = [], gain: [Double] = [], cover: [Double] = [], leafValue: [Double] = [], leafCover: [Double] = []
        for t in trees {
            nodes.append(Int64(t.nodeCount))
            leaves.append(Int64(t.leafCount))
            feature += t.splitFeature.map(Int64.init)
            left += t.left.map(Int64.init)
            right += t.right.map(Int64.init)
            defaultLeft += t.defaultLeft.map { $0 ? 1 : 0 }
            catCount += t.leftCategories.map { Int64($0.count) }
            cats += t.leftCategories.flatMap { $0.map(Int64.init) }
            threshold += t.threshold
            gain += t.gain
            cover += t.internalCover
            leafValue += t.leafValue
            leafCover += t.leafCover
        }
        s.ints["tree_nodes"] = nodes
        s.ints["tree_leaves"] = leaves
        s.ints["split_feature"] = feature
        s.ints["left_child"] = left
        s.ints["right_child"] = right
        s.ints["default_left"] = defaultLeft
        s.ints["category_count"] = catCount
        s.ints["categories"] = cats
        s.doubles["threshold"] = threshold
        s.doubles["split_gain"] = gain
        s.doubles["internal_cover"] = cover
        s.doubles["leaf_value"] = leafValue
        s.doubles["leaf_cover"] = leafCover
    }

    /// The deepest tree a file may hold (the tree walks of explanations and rules recurse per level).
    static let maxDepth = 4096
    /// Category codes a categorical split may name.
    static let maxCategory = 1 << 20

    static func decode(_ s: ModelState, outputs: Int, features: Int, file: String) throws(LearnError) -> [Tree] {
        let nodes = try s.int("tree_nodes", file: file), leaves = try s.int("tree_leaves", file: file)
        let feature = try s.int("split_feature", file: file), left = try s.int("left_child", file: file)
        let right = try s.int("right_child", file: file), defaultLeft = try s.int("default_left", file: file)
        let catCount = try s.int("category_count", file: file), cats = try s.int("categories", file: file)
        let threshold = try s.double("threshold", file: file), gain = try s.double("split_gain", file: file)
        let cover = try s.double("internal_cover", file: file), leafValue = try s.double("leaf_value", file: file)
        let leafCover = try s.double("leaf_cover", file: file)
        // Counts come from the file: each is checked against the arrays' real lengths before it is
        // summed, multiplied or used as a range, so no crafted count can overflow or trap.
        func total(_ counts: [Int64], within limit: Int) -> Int? {
            var sum = 0
            for c in counts {
                guard c >= 0, c <= Int64(limit) else { return nil }
                sum += Int(c)
                guard sum <= limit else { return nil }
            }
            return sum
        }
        guard outputs >= 1, nodes.count == leaves.count,
              let totalNodes = total(nodes, within: feature.count), let totalLeaves = total(leaves, within: leafCover.count),
              let totalCategories = total(catCount, within: cats.count),
              [feature.count, left.count, right.count, defaultLeft.count, catCount.count, threshold.count,
               gain.count, cover.count].allSatisfy({ $0 == totalNodes }),
              leafValue.count / outputs == totalLeaves, leafValue.count % outputs == 0, leafCover.count == totalLeaves,
              totalCategories == cats.count else {
            throw .corruptModelFile(file, reason: "the tree arrays do not agree in length")
        }
        // Category codes index a bit set of at most `maxCategory` / 64 words per node.
        guard cats.allSatisfy({ $0 >= 0 && $0 < Int64(Self.maxCategory) }) else {
            throw .corruptModelFile(file, reason: "a categorical split names a category code outside 0..<\(Self.maxCategory)")
        }
        var trees: [Tree] = []
        var n0 = 0, l0 = 0, c0 = 0
        for (nn, nl) in zip(nodes.map(Int.init), leaves.map(Int.init)) {
            guard nl == nn + 1 else { throw .corruptModelFile(file, reason: "a tree has \(nn) splits but \(nl) leaves") }
            var t = Tree(outputs: outputs)
            // Each node but the root, and each leaf, is the child of exactly one node (children come
            // after their parent), so the nodes form one tree: no cycles, no shared subtrees.
            var nodeSeen = [Bool](repeating: false, count: nn), leafSeen = [Bool](repeating: false, count: nl)
            var depth = [Int](repeating: 0, count: nn)
            for i in n0..<(n0 + nn) {
                let f = Int(feature[i]), l = Int(left[i]), r = Int(right[i])
                guard f >= 0, f < features, l < nn, r < nn, ~l < nl, ~r < nl, l < 0 || l > i - n0, r < 0 || r > i - n0 else {
                    throw .corruptModelFile(file, reason: "a tree node points outside its tree")
                }
                for c in [l, r] {
                    if c >= 0 {
                        guard !nodeSeen[c] else { throw .corruptModelFile(file, reason: "a tree node has two parents") }
                        nodeSeen[c] = true
                        depth[c] = depth[i - n0] + 1
                        guard depth[c] < Self.maxDepth else {
                            throw .corruptModelFile(file, reason: "a tree is deeper than \(Self.maxDepth) levels")
                        }
                    } else {
                        guard !leafSeen[~c] else { throw .corruptModelFile(file, reason: "a tree leaf has two parents") }
                        leafSeen[~c] = true
                    }
                }
                t.splitFeature.append(f)
                t.left.append(l)
                t.right.append(r)
                t.defaultLeft.append(defaultLeft[i] != 0)
                let k = Int(catCount[i])
                t.leftCategories.append(cats[c0..<(c0 + k)].map(Int.init))
                c0 += k
                t.threshold.append(threshold[i])
                t.gain.append(gain[i])
                t.internalCover.append(cover[i])
            }
            guard nn == 0 || leafSeen.allSatisfy({ $0 }) else { throw .corruptModelFile(file, reason: "a tree leaf is not reached from the root") }
            t.leafValue = Array(leafValue[(l0 * outputs)..<((l0 + nl) * outputs)])
            t.leafCover = Array(leafCover[l0..<(l0 + nl)])
            trees.append(t)
            n0 += nn
            l0 += nl
        }
        return trees
    }
}
