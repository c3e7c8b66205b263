import Testing
@testable import PulkTrees
import PulkFrame
import PulkLearn
import PulkTreeKernels

/// The bitvector predictor against plain tree walks, on random ensembles built by hand: every
/// tree shape and leaf count it takes, values exactly at thresholds, both zeros, infinities and
/// missing values sent either way, and the batch sizes around its blocks and its threading.
@Suite("Bitvector predictor")
struct BitvectorPredictorTests {
    static let grid: [Double] = [-2, -1, -0.5, 0, 0.25, 0.5, 1, 3]

    /// A random tree of `leaves` leaves over `features` features, thresholds on `grid` (so that
    /// values land exactly on them) or anywhere, each node sending missing values a random way.
    static func tree(leaves: Int, features: Int, outputs: Int, rng: inout SeededGenerator) -> Tree {
        var t = Tree(outputs: outputs)
        var leafCount = 0
        func build(_ n: Int) -> Int {
            if n == 1 {
                leafCount += 1
                t.leafCover.append(1)
                for _ in 0..<outputs { t.leafValue.append(Double(Int.random(in: -1000...1000, using: &rng)) / 64) }
                return ~(leafCount - 1)
            }
            let me = t.splitFeature.count
            t.splitFeature.append(Int.random(in: 0..<features, using: &rng))
            t.threshold.append(Bool.random(using: &rng) ? grid.randomElement(using: &rng)! : Double.random(in: -3...3, using: &rng))
            t.defaultLeft.append(Bool.random(using: &rng))
            t.leftCategories.append([])
            t.left.append(0); t.right.append(0); t.gain.append(1); t.internalCover.append(1)
            // Lopsided splits too: leaf-wise trees are deep on one side.
            let l = Int.random(in: 1..<n, using: &rng)
            t.left[me] = build(l)
            t.right[me] = build(n - l)
            return me
        }
        _ = build(leaves)
        return t
    }

    /// Row-major values: grid points, both zeros, infinities, missing values and random numbers.
    static func rows(_ n: Int, features: Int, rng: inout SeededGenerator) -> [Double] {
        let specials: [Double] = [0.0, -0.0, .infinity, -.infinity, .nan, .nan]
        return (0..<(n * features)).map { _ in
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: return grid.randomElement(using: &rng)!
            case 1: return specials.randomElement(using: &rng)!
            default: return Double.random(in: -3...3, using: &rng)
            }
        }
    }

    /// What every predictor must give: base plus each tree's leaf, added in tree order.
    static func walk(_ trees: [Tree], treeOutput: [Int], x: [Double], rows: Int, features: Int, slots: Int, base: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: rows * slots)
        x.withUnsafeBufferPointer { xb in
            for i in 0..<rows {
                for c in 0..<slots { out[i * slots + c] = base[c] }
                for (ti, t) in trees.enumerated() {
                    let leaf = t.leaf(xb.baseAddress! + i * features)
                    if t.outputs == 1 { out[i * slots + treeOutput[ti]] += t.leafValue[leaf] }
                    else { for c in 0..<t.outputs { out[i * slots + c] += t.leafValue[leaf * t.outputs + c] } }
                }
            }
        }
        return out
    }

    static func columnMajor(_ x: [Double], rows: Int, features: Int) -> [Double] {
        var out = [Double](repeating: 0, count: x.count)
        for i in 0..<rows { for j in 0..<features { out[j * rows + i] = x[i * features + j] } }
        return out
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String, trees: Int, leaves: ClosedRange<Int>, outputs: Int, slots: Int, narrow: Bool
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "binary boosting, 31 leaves", trees: 30, leaves: 31...31, outputs: 1, slots: 1, narrow: true),
        Case(name: "multiclass boosting, 3 classes", trees: 21, leaves: 2...31, outputs: 1, slots: 3, narrow: true),
        Case(name: "64 leaves", trees: 8, leaves: 64...64, outputs: 1, slots: 1, narrow: false),
        Case(name: "1 to 40 leaves, stumps and single leaves", trees: 25, leaves: 1...40, outputs: 1, slots: 1, narrow: false),
        Case(name: "forest classifier, 3 outputs per leaf", trees: 6, leaves: 20...50, outputs: 3, slots: 3, narrow: false),
        Case(name: "forest classifier, 3 outputs per leaf, at most 32 leaves", trees: 7, leaves: 2...32, outputs: 3, slots: 3, narrow: true),
    ]

    /// The compiled copies of the kernels this CPU runs (the AVX-512 one where it has it).
    static let kernels = TreeKernel.allCases.filter(\.isSupported)

    @Test func theBestKernelIsOneThisCPURuns() {
        #expect(TreeKernel.best.isSupported)
        #expect(TreeKernel.baseline.isSupported)
    }

    @Test(arguments: cases, kernels)
    func agreesWithTreeWalksExactly(_ c: Case, kernel: TreeKernel) throws {
        var rng = SeededGenerator(seed: 11)
        let features = 5
        let trees = (0..<c.trees).map { _ in Self.tree(leaves: Int.random(in: c.leaves, using: &rng), features: features, outputs: c.outputs, rng: &rng) }
        let treeOutput = trees.indices.map { c.outputs == 1 ? $0 % c.slots : 0 }
        let base = (0..<c.slots).map { Double($0) / 4 - 0.3 }
        let bitvector = try #require(BitvectorEnsemble(trees: trees, features: features, treeOutput: treeOutput))
        #expect(bitvector.narrow == c.narrow)
        let flat = FlatEnsemble(trees: trees, features: features, treeOutput: treeOutput)
        // Around the 64-row blocks, and past the size that goes to both threads.
        for n in [0, 1, 2, 15, 16, 17, 63, 64, 65, 100, 130, 2_500] {
            let x = Self.rows(n, features: features, rng: &rng)
            let expected = Self.walk(trees, treeOutput: treeOutput, x: x, rows: n, features: features, slots: c.slots, base: base)
            let got = bitvector.predict(columnMajor: Self.columnMajor(x, rows: n, features: features), rows: n, slots: c.slots, base: base,
                                        threads: 2, kernel: kernel)
            #expect(got.count == expected.count)
            let wrong = zip(got, expected).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
            #expect(wrong.count == 0, "\(c.name), \(kernel), \(n) rows: \(wrong.count) scores differ, first at \(wrong.first ?? -1)")
            #expect(flat.predict(rowMajor: x, rows: n, slots: c.slots, base: base, threads: 2) == expected)
        }
    }

    @Test(arguments: kernels)
    func aMissingValueFollowsEachNodesDirection(kernel: TreeKernel) throws {
        // One feature, two nodes on it: x ≤ 0 (missing left) then x ≤ 1 (missing right).
        var t = Tree(outputs: 1)
        t.splitFeature = [0, 0]; t.threshold = [0, 1]; t.defaultLeft = [true, false]; t.leftCategories = [[], []]
        t.left = [~0, ~1]; t.right = [1, ~2]; t.gain = [1, 1]; t.internalCover = [1, 1]
        t.leafValue = [10, 20, 30]; t.leafCover = [1, 1, 1]
        var u = t
        u.defaultLeft = [false, true]
        let e = try #require(BitvectorEnsemble(trees: [t, u], features: 1, treeOutput: [0, 0]))
        let x: [Double] = [.nan, -1, 0, -0.0, 0.5, 1, 1.5, .infinity, -.infinity]
        // t: missing → leaf 0 (10); u: missing → right, then left → leaf 1 (20).
        let expected: [Double] = [30, 20, 20, 20, 40, 40, 60, 60, 20]
        #expect(e.predict(columnMajor: x, rows: x.count, slots: 1, base: [0], threads: 1, kernel: kernel) == expected)
        // Sixteen rows and more take the vector lanes.
        let many = (0..<5).flatMap { _ in x }
        #expect(e.predict(columnMajor: many, rows: many.count, slots: 1, base: [0], threads: 1, kernel: kernel) == (0..<5).flatMap { _ in expected })
    }

    @Test func ensemblesItCannotTakeFallBackToTreeWalks() throws {
        var rng = SeededGenerator(seed: 3)
        let big = Self.tree(leaves: 65, features: 3, outputs: 1, rng: &rng)
        #expect(BitvectorEnsemble(trees: [big], features: 3, treeOutput: [0]) == nil)
        var categorical = Self.tree(leaves: 4, features: 3, outputs: 1, rng: &rng)
        categorical.leftCategories[0] = [1, 2]
        categorical.threshold[0] = Tree.categoricalMark
        #expect(BitvectorEnsemble(trees: [categorical], features: 3, treeOutput: [0]) == nil)
        var infinite = Self.tree(leaves: 4, features: 3, outputs: 1, rng: &rng)
        infinite.threshold[0] = .infinity
        #expect(BitvectorEnsemble(trees: [infinite], features: 3, treeOutput: [0]) == nil)
        // The model still predicts, through the traversal (without infinities: a category code must be finite).
        for trees in [[big], [categorical], [infinite]] {
            let flat = FlatEnsemble(trees: trees, features: 3, treeOutput: [0])
            #expect(flat.bitvector == nil)
            let x = Self.rows(70, features: 3, rng: &rng).map { $0.isInfinite ? 7 : $0 }
            #expect(flat.predict(rowMajor: x, rows: 70, slots: 1, base: [0.5]) == Self.walk(trees, treeOutput: [0], x: x, rows: 70, features: 3, slots: 1, base: [0.5]))
        }
    }

    /// Sets of sorted thresholds the guide must bin exactly, or decline.
    static let thresholdSets: [(name: String, thresholds: [Double], guided: Bool)] = [
        ("one threshold", [0.5], true),
        ("two, adjacent doubles", [1, 1.0.nextUp], true),
        ("the grid", grid, true),
        ("a hundred uniform", (0..<100).map { Double($0) * 0.037 - 1.3 }, true),
        ("both zeros' neighbours and subnormals", [-Double.leastNormalMagnitude, -Double.leastNonzeroMagnitude, 0, Double.leastNonzeroMagnitude, 1e-300], true),
        ("a wide range (span overflows)", [-1e308, 0, 1e308], true),
        ("four in one bucket", [0, 1e-12, 2e-12, 3e-12, 1], true),
        ("crowded (five in one bucket of any cut)", [0, 1, 2, 3, 4, 1e9], false),
        ("the largest finite double", [0, .greatestFiniteMagnitude], false),
    ]

    @Test(arguments: thresholdSets.indices)
    func aGuidesBinIsHowManyThresholdsLieBelow(_ k: Int) {
        let (name, thresholds, guided) = Self.thresholdSets[k]
        let made = BinGuide.make(thresholds[...])
        #expect((made != nil) == guided, "\(name)")
        guard let (guide, starts) = made else { return }
        let padded = thresholds + Array(repeating: .infinity, count: BinGuide.width)
        var values: [Double] = [0, -0.0, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                                .leastNonzeroMagnitude, -.leastNonzeroMagnitude]
        for t in thresholds { values += [t, t.nextUp, t.nextDown] }
        var rng = SeededGenerator(seed: 21)
        let low = thresholds.first!, high = thresholds.last!
        values += (0..<500).map { _ in low + (high - low) * Double.random(in: -0.1...1.1, using: &rng) }.filter(\.isFinite)
        let wrong = values.filter { v in
            padded.withUnsafeBufferPointer { p in starts.withUnsafeBufferPointer { s in
                guide.bin(v, padded: p.baseAddress!, starts: s.baseAddress!) != thresholds.filter { $0 < v }.count
            } }
        }
        #expect(wrong.isEmpty, "\(name): wrong bins for \(wrong.prefix(5))")
        // Eight at a time, as the kernels bin (a NaN lane's bin is not used).
        values += [.nan, -.nan]
        while values.count % 8 != 0 { values.append(thresholds[values.count % thresholds.count]) }
        let wrongLanes = stride(from: 0, to: values.count, by: 8).flatMap { i -> [Double] in
            let group = SIMD8<Double>(values[i..<(i + 8)])
            let bins = padded.withUnsafeBufferPointer { p in starts.withUnsafeBufferPointer { s in
                guide.bins(group, padded: p.baseAddress!, starts: s.baseAddress!)
            } }
            return (0..<8).filter { j in !group[j].isNaN && Int(bins[j]) != thresholds.filter { $0 < group[j] }.count }.map { group[$0] }
        }
        #expect(wrongLanes.isEmpty, "\(name): wrong bins eight at a time for \(wrongLanes.prefix(5))")
    }

    @Test(arguments: kernels)
    func featuresWithoutAGuideAreSearched(kernel: TreeKernel) throws {
        // Feature 0's thresholds crowd one bucket however finely cut; feature 1's do not.
        var rng = SeededGenerator(seed: 17)
        var trees: [Tree] = []
        for crowded in [0.0, 1, 2, 3, 4, 1e9] {
            var t = Self.tree(leaves: 4, features: 2, outputs: 1, rng: &rng)
            t.splitFeature = [0, 1, 1]
            t.threshold = [crowded, Double.random(in: -3...3, using: &rng), Double.random(in: -3...3, using: &rng)]
            trees.append(t)
        }
        let e = try #require(BitvectorEnsemble(trees: trees, features: 2, treeOutput: Array(repeating: 0, count: trees.count)))
        #expect(e.guides[0].bucketStart == -1 && e.guides[1].bucketStart >= 0)
        let x = Self.rows(100, features: 2, rng: &rng).enumerated().map { $0.offset % 3 == 0 ? Double($0.offset % 7) - 1 : $0.element }
        let expected = Self.walk(trees, treeOutput: Array(repeating: 0, count: trees.count), x: x, rows: 100, features: 2, slots: 1, base: [0])
        #expect(e.predict(columnMajor: Self.columnMajor(x, rows: 100, features: 2), rows: 100, slots: 1, base: [0], threads: 1, kernel: kernel) == expected)
    }

    @Test func trainedModelsUseItAndAgreeWithSingleRowScoring() throws {
        // Numeric features only, with missing values: the model takes the bitvector path.
        var rng = SeededGenerator(seed: 5)
        let n = 400
        var a: [Double] = [], b: [Double] = [], y: [Double] = []
        for _ in 0..<n {
            let x1 = Double.random(in: -2...2, using: &rng), x2 = Double.random(in: -2...2, using: &rng)
            a.append(Double.random(in: 0...1, using: &rng) < 0.1 ? .nan : x1); b.append(x2); y.append(x1 * x2 + (x1 > 0.5 ? 1 : 0))
        }
        let f = try Frame(columns: [Column(name: "a", storage: .float64(a)), Column(name: "b", storage: .float64(b)),
                                    Column(name: "y", storage: .float64(y))])
        let m = try GradientBoostingEstimator(["num_iterations": "30", "min_data_in_leaf": "5"]).fit(f, target: "y", seed: 1) as! BoostedTreesModel
        #expect(m.flat.bitvector != nil)
        let batch = try m.rawScores(f)
        let inputs = try TreeInputs(frame: f, schema: m.schema)
        var out = [0.0]
        for i in 0..<n {
            let row = inputs.columns.map { $0[i] }
            row.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { m.rawScore(row: x.baseAddress!, into: $0.baseAddress!) } }
            #expect(out[0] == batch[i])
        }
    }

    /// A served request of plain numbers skips the frame (`MatrixScoring`): the predictions must be
    /// exactly the frame's, on the bitvector path and on the traversal (trees over 64 leaves).
    @Test("Scoring a column-major matrix gives the frame's predictions exactly", arguments: ["binary", "multiclass", "regression", "forest", "deep forest"])
    func matrixScoring(_ model: String) throws {
        var rng = SeededGenerator(seed: 9)
        let n = 300
        var a: [Double] = [], b: [Double] = [], y: [Double] = []
        for _ in 0..<n {
            let x1 = Double.random(in: -2...2, using: &rng), x2 = Double.random(in: -2...2, using: &rng)
            a.append(Double.random(in: 0...1, using: &rng) < 0.1 ? .nan : x1)
            b.append(Double.random(in: 0...1, using: &rng) < 0.05 ? .nan : x2)
            let v = x1 * x2 + (x1 > 0.5 ? 1 : 0)
            y.append(model == "binary" ? (v > 0 ? 1 : 0) : model == "multiclass" ? Double(Int(v.magnitude * 2) % 3) : v)
        }
        let f = try Frame(columns: [Column(name: "a", storage: .float64(a)), Column(name: "b", storage: .int64(b.map { $0.isNaN ? 0 : Int64($0 * 10) }),
                                           validity: Bitmap(b.map { !$0.isNaN })),
                                    Column(name: "y", storage: model == "binary" || model == "multiclass" ? .string(codes: y.map { Int32($0) }, dictionary: ["c0", "c1", "c2"]) : .float64(y))])
        let m: any MatrixScoring
        switch model {
        case "forest": m = try RandomForestEstimator(["num_trees": "8", "max_depth": "4"]).fit(f, target: "y", seed: 1) as! ForestModel
        case "deep forest": m = try RandomForestEstimator(["num_trees": "4"]).fit(f, target: "y", seed: 1) as! ForestModel
        default: m = try GradientBoostingEstimator(["num_iterations": "20", "min_data_in_leaf": "5"]).fit(f, target: "y", seed: 1) as! BoostedTreesModel
        }
        #expect(m.scoresMatrix)
        if model == "deep forest" { #expect((m as! ForestModel).flat.bitvector == nil) }
        let inputs = try TreeInputs(frame: f, schema: m.schema)
        for rows in [1, 17, n] {
            let part = f.slice(0..<rows)
            let x = inputs.columns.flatMap { $0[0..<rows] }
            #expect(m.predict(columnMajor: x, rows: rows) == (try m.predict(part)))
        }
    }

    @Test("A model with a text feature does not take a matrix") func matrixNeedsNumbers() throws {
        let f = try Frame(columns: [Column(name: "a", storage: .float64([1, 2, 3, 4, 5, 6])),
                                    Column(name: "t", storage: .string(codes: [0, 1, 0, 1, 0, 1], dictionary: ["p", "q"])),
                                    Column(name: "y", storage: .float64([1, 2, 3, 4, 5, 6]))])
        let m = try GradientBoostingEstimator(["num_iterations": "2", "min_data_in_leaf": "1"]).fit(f, target: "y", seed: 1) as! BoostedTreesModel
        #expect(!m.scoresMatrix)
    }
}
