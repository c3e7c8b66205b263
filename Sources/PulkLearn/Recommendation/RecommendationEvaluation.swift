import Foundation
public import PulkFrame

/// How held-out interactions are chosen, per user, as recommenders are judged: a user's latest
/// interactions (temporal), their latest one (leave-one-out; a random one without times), or a
/// random share of them. Users with a single interaction stay whole in training.
public enum RecommendationSplit: String, Sendable, Codable, CaseIterable {
    case temporal
    case leaveOneOut = "leave-one-out"
    case random

    /// Training and test rows of `raw`: per user, `testFraction` of their interactions (at least
    /// one, never all), or one for leave-one-out.
    func rows(_ raw: Interactions.Raw, testFraction: Double, seed: UInt64) throws(LearnError) -> (train: [Int], test: [Int]) {
        if self == .temporal, raw.times == nil {
            throw .invalidSplit("a temporal split needs the interactions' times: pass --time COLUMN, or --split leave-one-out or random")
        }
        var byUser: [String: [Int]] = [:]
        for (k, u) in raw.users.enumerated() { byUser[u, default: []].append(k) }
        var generator = SeededGenerator(seed: seed)
        var train: [Int] = [], test: [Int] = []
        for user in byUser.keys.sorted() {
            var rows = byUser[user]!
            guard rows.count >= 2 else { train += rows; continue }
            let held = self == .leaveOneOut ? 1 : min(rows.count - 1, max(1, Int((Double(rows.count) * testFraction).rounded())))
            if let times = raw.times, self != .random {
                // Latest last; ties in file order.
                rows.sort { times[$0] != times[$1] ? times[$0] < times[$1] : $0 < $1 }
            } else {
                rows.shuffle(using: &generator)
            }
            train += rows.dropLast(held)
            test += rows.suffix(held)
        }
        return (train.sorted(), test.sorted())
    }
}

/// Ranking metrics at k over users with held-out interactions, each user's recommendations made
/// without the items they interacted with in training:
/// - precision@k: hits / k; recall@k: hits / held-out items;
/// - MAP@k: the mean over hits of the precision at each hit's rank, over min(k, held-out items);
/// - NDCG@k: Σ 1/log₂(rank + 2) over hits, over the same for a perfect list;
/// - hit rate: the share of users with at least one hit; coverage: the share of the catalogue
///   recommended to anyone.
public enum RecommendationMetrics {
    public static func atK(recommended: [[Int]], relevant: [Set<Int>], k: Int, catalogue: Int) -> [MetricValue] {
        var precision = 0.0, recall = 0.0, map = 0.0, ndcg = 0.0, hitUsers = 0.0
        var shown = Set<Int>()
        var n = 0.0
        for (list, truth) in zip(recommended, relevant) where !truth.isEmpty {
            n += 1
            let top = list.prefix(k)
            shown.formUnion(top)
            var hits = 0.0, ap = 0.0, dcg = 0.0
            for (rank, item) in top.enumerated() where truth.contains(item) {
                hits += 1
                ap += hits / Double(rank + 1)
                dcg += 1 / log2(Double(rank + 2))
            }
            let ideal = (0..<min(k, truth.count)).reduce(0.0) { $0 + 1 / log2(Double($1 + 2)) }
            precision += hits / Double(k)
            recall += hits / Double(truth.count)
            map += ap / Double(min(k, truth.count))
            ndcg += dcg / ideal
            if hits > 0 { hitUsers += 1 }
        }
        guard n > 0 else { return [] }
        return [
            MetricValue(name: "precision_at_\(k)", value: precision / n), MetricValue(name: "recall_at_\(k)", value: recall / n),
            MetricValue(name: "map_at_\(k)", value: map / n), MetricValue(name: "ndcg_at_\(k)", value: ndcg / n),
            MetricValue(name: "hit_rate_at_\(k)", value: hitUsers / n),
            MetricValue(name: "coverage_at_\(k)", value: catalogue > 0 ? Double(shown.count) / Double(catalogue) : 0),
            MetricValue(name: "users_evaluated", value: n),
        ]
    }

    /// The outcomes of `model` on held-out interactions `test` (`raw` rows): each test user's top
    /// `k` (unknown users get popularity) against the items they interacted with; with explicit
    /// ratings also the predicted and actual ratings of the pairs the model knows.
    static func outcomes(_ model: any RecommenderModel, raw: Interactions.Raw, test: [Int], k: Int, explicit: Bool) -> Outcomes {
        var relevant: [String: Set<Int>] = [:]
        let itemIndex = model.ids.itemIndex
        var order: [String] = []
        for r in test {
            let u = raw.users[r]
            if relevant[u] == nil { order.append(u); relevant[u] = [] }
            // An item never seen in training cannot be recommended, but it still counts as missed.
            relevant[u]!.insert(itemIndex[raw.items[r]] ?? -1 - r)
        }
        let lists = ResultSlots<[Int]>(count: order.count)
        let shared = UncheckedSendable((model, order, itemIndex))
        parallelFor(order.count) { j in
            let (model, order, itemIndex) = shared.value
            lists[j] = model.recommend(user: order[j], k: k).items.map { itemIndex[$0]! }
        }
        var ratings: (actual: [Double], predicted: [Double])?
        if explicit {
            let predicted = model.pairScores(users: test.map { raw.users[$0] }, items: test.map { raw.items[$0] })
            let known = test.indices.filter { predicted[$0] != nil }
            ratings = (known.map { raw.values[test[$0]] }, known.map { predicted[$0]! })
        }
        return .recommendation(recommended: lists.values.map { $0! }, relevant: order.map { relevant[$0]! }, k: k,
                               catalogue: model.items.count, ratings: ratings)
    }
}

/// What a recommender's run shows its reader beside the metrics: a few held-out users with the
/// items they went on to use, the model's top k and the popularity baseline's; and the items the
/// model recommends to the most users (how far it leans on the popular ones).
public struct RecommendationSample: Sendable, Codable, Equatable {
    public struct User: Sendable, Codable, Equatable {
        public var user: String
        /// The user's held-out items, the answers.
        public var heldOut: [String]
        public var recommended: [String]
        public var popular: [String]
    }

    public struct Item: Sendable, Codable, Equatable {
        public var item: String
        /// Evaluated users with this item in their top k, and their share.
        public var users: Int
        public var share: Double
    }

    public var k: Int
    public var users: [User]
    public var mostRecommended: [Item]
}

extension RecommendationMetrics {
    /// `count` held-out users spread over the test users (in their order of first held-out
    /// interaction), and the ten items most often in the evaluated top-k `lists` (the outcomes'
    /// lists, indexes into `model.items`, one per test user in the same order).
    static func sample(_ model: any RecommenderModel, baseline: any RecommenderModel, raw: Interactions.Raw, test: [Int], lists: [[Int]], k: Int,
                       count: Int = 8) -> RecommendationSample {
        var heldOut: [String: [String]] = [:], order: [String] = []
        for r in test {
            let u = raw.users[r]
            if heldOut[u] == nil { order.append(u); heldOut[u] = [] }
            heldOut[u]!.append(raw.items[r])
        }
        let picked = order.isEmpty ? [] : Array(Set((0..<min(count, order.count)).map { $0 * order.count / min(count, order.count) })).sorted()
        let users = picked.map { j in
            RecommendationSample.User(user: order[j], heldOut: heldOut[order[j]]!, recommended: model.recommend(user: order[j], k: k).items,
                                      popular: baseline.recommend(user: order[j], k: k).items)
        }
        var counts = [Int](repeating: 0, count: model.items.count)
        for list in lists { for i in list.prefix(k) where i >= 0 && i < counts.count { counts[i] += 1 } }
        let top = counts.indices.filter { counts[$0] > 0 }.sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }.prefix(10)
        let n = Double(max(lists.count, 1))
        return RecommendationSample(k: k, users: users,
                                    mostRecommended: top.map { .init(item: model.items[$0], users: counts[$0], share: Double(counts[$0]) / n) })
    }
}
