import Foundation
public import PulkFrame

/// Item-item neighbours: two items are alike when the same users interacted with both, measured by
/// the cosine of their user vectors shrunk towards 0 for items with little overlap,
/// `a·b / (|a||b| + shrinkage)`. Each item keeps its `neighbors` most similar items; a user's score
/// for an item sums its similarity to the items they have seen, weighted by their weight or rating.
public struct ItemKNNEstimator: Estimator {
    public static let name = "item-knn"
    public static let summary = "Item-item neighbours (cosine similarity with shrinkage): recommends items like the ones a user has seen."
    public static let task = Task.recommendation
    public static let parameterSpecs: [ParameterSpec] = recommenderCommonSpecs + [
        ParameterSpec("neighbors", aliases: ["K"], .int(1...10_000), default: .int(50), doc: "Most similar items kept per item."),
        ParameterSpec("shrinkage", .double(lower: 0, upper: .infinity), default: .double(10),
                      doc: "Added to the cosine's denominator: similarities resting on few shared users shrink towards 0."),
    ]
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }

    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        let (roles, raw) = try interactions(frame)
        let data = Interactions(raw, explicit: false)
        let ni = data.items.count, keep = parameters.int("neighbors"), shrinkage = parameters.double("shrinkage")
        let norms = (0..<ni).map { i in sqrt((data.itemStart[i]..<data.itemStart[i + 1]).reduce(0.0) { $0 + data.itemValues[$1] * data.itemValues[$1] }) }
        let lists = ResultSlots<[(Int32, Double)]>(count: ni)
        let shared = UncheckedSendable(data)
        let chunk = 16
        parallelFor((ni + chunk - 1) / chunk) { c in
            let data = shared.value
            var acc = [Double](repeating: 0, count: ni)
            var marked = [Bool](repeating: false, count: ni)
            var touched: [Int32] = []
            for i in (c * chunk)..<min(ni, (c + 1) * chunk) {
                for p in data.itemStart[i]..<data.itemStart[i + 1] {
                    let u = Int(data.itemUsers[p]), w = data.itemValues[p]
                    for q in data.userStart[u]..<data.userStart[u + 1] {
                        let j = Int(data.userItems[q])
                        if !marked[j] { marked[j] = true; touched.append(Int32(j)) }
                        acc[j] += w * data.userValues[q]
                    }
                }
                var best: [(Int32, Double)] = []
                for j in touched where Int(j) != i {
                    let s = acc[Int(j)] / (norms[i] * norms[Int(j)] + shrinkage)
                    if s > 0 { best.append((j, s)) }
                }
                for j in touched { acc[Int(j)] = 0; marked[Int(j)] = false }
                touched.removeAll(keepingCapacity: true)
                best.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
                lists[i] = Array(best.prefix(keep))
            }
        }
        var start = [Int](repeating: 0, count: ni + 1), neighbors: [Int32] = [], similarities: [Double] = []
        for i in 0..<ni {
            for (j, s) in lists[i]! { neighbors.append(j); similarities.append(s) }
            start[i + 1] = neighbors.count
        }
        return ItemKNNModel(parameters: parameters, schema: recommenderSchema(roles, type: raw.userType, users: data.users),
                            users: data.users, items: data.items, seen: SeenItems(data), popularity: data.itemCounts.map(Double.init),
                            weights: data.userValues, start: start, neighbors: neighbors, similarities: similarities)
    }

    public static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model {
        let r = try restoreRecommender(h, s, file: file)
        let start = try s.int("neighbor_start", file: file), neighbors = try s.int("neighbors", file: file)
        let similarities = try s.double("similarities", file: file), weights = try s.double("seen_weights", file: file)
        guard start.count == r.items.count + 1, start.first == 0, start.last == Int64(neighbors.count), similarities.count == neighbors.count,
              zip(start, start.dropFirst()).allSatisfy({ $0 <= $1 }), neighbors.allSatisfy({ $0 >= 0 && $0 < Int64(r.items.count) }),
              weights.count == r.seen.items.count else {
            throw .corruptModelFile(file, reason: "the neighbour lists do not match \(r.items.count) items")
        }
        return ItemKNNModel(parameters: h.parameters, schema: h.schema, users: r.users, items: r.items, seen: r.seen, popularity: r.popularity,
                            weights: weights, start: start.map { Int($0) }, neighbors: neighbors.map { Int32($0) }, similarities: similarities)
    }
}

public struct ItemKNNModel: RecommenderModel {
    public let kind = ItemKNNEstimator.name
    public let parameters: Parameters
    public let schema: FeatureSchema
    public let ids: RecommenderIDs
    public let seen: SeenItems
    public let popularity: [Double]
    /// The weight of each seen item (aligned with `seen.items`).
    let weights: [Double]
    /// Per item (CSR): its neighbours and their similarities, most similar first.
    let start: [Int]
    let neighbors: [Int32]
    let similarities: [Double]

    init(parameters: Parameters, schema: FeatureSchema, users: [String], items: [String], seen: SeenItems, popularity: [Double],
         weights: [Double], start: [Int], neighbors: [Int32], similarities: [Double]) {
        self.parameters = parameters
        self.schema = schema
        ids = RecommenderIDs(users: users, items: items)
        self.seen = seen
        self.popularity = popularity
        self.weights = weights
        self.start = start
        self.neighbors = neighbors
        self.similarities = similarities
    }

    public func scoreItems(user: Int, into out: UnsafeMutableBufferPointer<Double>) {
        for i in 0..<out.count { out[i] = 0 }
        for p in seen.start[user]..<seen.start[user + 1] {
            let i = Int(seen.items[p]), w = weights[p]
            for q in start[i]..<start[i + 1] { out[Int(neighbors[q])] += w * similarities[q] }
        }
    }

    public func similar(item: Int, k: Int) -> [(item: Int, score: Double)] {
        (start[item]..<min(start[item + 1], start[item] + k)).map { (Int(neighbors[$0]), similarities[$0]) }
    }

    public var state: ModelState {
        var s = recommenderState
        s.doubles["seen_weights"] = weights
        s.ints["neighbor_start"] = start.map(Int64.init)
        s.ints["neighbors"] = neighbors.map(Int64.init)
        s.doubles["similarities"] = similarities
        return s
    }
}
