public import PulkFrame

/// One user's recommendations: items best first with their scores, and whether the user was known
/// (an unknown user gets the most popular items, and `known` says so).
public struct Recommendation: Sendable, Equatable {
    public var items: [String]
    public var scores: [Double]
    public var known: Bool

    public init(items: [String], scores: [Double], known: Bool) {
        self.items = items
        self.scores = scores
        self.known = known
    }
}

/// What every fitted recommender shares. The model's schema is the user column (its categories
/// are the known users) and its target the item column (its classes the catalogue), so a scoring
/// frame needs only users; the items a user has seen are kept to leave them out.
public protocol RecommenderModel: Model {
    /// The known users and items, with their indexes (built once, when the model is made or read).
    var ids: RecommenderIDs { get }
    var seen: SeenItems { get }
    /// Distinct users per item: the fallback for unknown users and the popularity baseline.
    var popularity: [Double] { get }
    /// The model's score of every item for known user `user`, written into `out` (`items.count` long).
    func scoreItems(user: Int, into out: UnsafeMutableBufferPointer<Double>)
    /// The items most like `item` with their similarity (cosine of factors or of co-occurrence).
    func similar(item: Int, k: Int) -> [(item: Int, score: Double)]
}

/// A recommender's users and items in index order, and the index of each id: looked up per request,
/// so built once per model rather than per call.
public final class RecommenderIDs: Sendable {
    public let users: [String]
    public let items: [String]
    let userIndex: [String: Int]
    let itemIndex: [String: Int]

    init(users: [String], items: [String]) {
        self.users = users
        self.items = items
        userIndex = Dictionary(users.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        itemIndex = Dictionary(items.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    }
}

extension RecommenderModel {
    public var users: [String] { ids.users }
    public var items: [String] { ids.items }

    /// Whether the model predicts ratings (ALS with feedback=explicit), so RMSE applies.
    public var explicitRatings: Bool { InteractionRoles.explicit(parameters) }

    /// The `k` best items for `user` (by id), leaving out what they have seen when `excludeSeen`.
    public func recommend(user: String, k: Int, excludeSeen: Bool = true) -> Recommendation {
        guard let u = ids.userIndex[user] else {
            let top = Self.top(popularity, k: k, excluding: [][...])
            return Recommendation(items: top.map { items[$0.0] }, scores: top.map(\.1), known: false)
        }
        return recommend(userIndex: u, k: k, excludeSeen: excludeSeen)
    }

    func recommend(userIndex u: Int, k: Int, excludeSeen: Bool = true) -> Recommendation {
        var scores = [Double](repeating: 0, count: items.count)
        scores.withUnsafeMutableBufferPointer { scoreItems(user: u, into: $0) }
        let top = Self.top(scores, k: k, excluding: excludeSeen ? seen.of(u) : [][...])
        return Recommendation(items: top.map { items[$0.0] }, scores: top.map(\.1), known: true)
    }

    /// Indices and values of the `k` largest of `scores` (ties: the lower index first), leaving out
    /// `excluding` (sorted ascending).
    static func top(_ scores: [Double], k: Int, excluding: ArraySlice<Int32>) -> [(Int, Double)] {
        guard k > 0 else { return [] }
        var best: [(Int, Double)] = []
        best.reserveCapacity(k + 1)
        var skip = excluding.startIndex
        for i in 0..<scores.count {
            while skip < excluding.endIndex, Int(excluding[skip]) < i { skip += 1 }
            if skip < excluding.endIndex, Int(excluding[skip]) == i { continue }
            let s = scores[i]
            if best.count == k, !(s > best[k - 1].1) { continue }
            var at = best.count
            while at > 0, s > best[at - 1].1 { at -= 1 }
            best.insert((i, s), at: at)
            if best.count > k { best.removeLast() }
        }
        return best
    }

    /// The frame's user column, as ids.
    func requestedUsers(_ frame: Frame) throws(LearnError) -> [String] {
        let name = schema.features[0].name
        guard let c = frame.columns.first(where: { $0.name == name }) else {
            throw .missingFeatures(expected: 1, got: 0, missing: [name])
        }
        return Interactions.ids(c).enumerated().map { c.isValid($0.offset) ? $0.element : "" }
    }

    /// Top-`top_k` recommendations for each row's user.
    public func predict(_ frame: Frame) throws(LearnError) -> Predictions {
        let users = try requestedUsers(frame)
        let k = parameters.int("top_k")
        return .recommendation(users.map { recommend(user: $0, k: k) })
    }

    /// The `k` items most like `item` (by id), with their similarity; nil for an unknown item.
    public func similarItems(to item: String, k: Int) -> Recommendation? {
        guard let i = ids.itemIndex[item] else { return nil }
        let top = similar(item: i, k: k)
        return Recommendation(items: top.map { items[$0.item] }, scores: top.map(\.score), known: true)
    }

    /// The model's score of each of `wanted` for `user`, in the order asked: an item the model
    /// never saw scores NaN (null in JSON); an unknown user gets each item's popularity (the
    /// fallback that ranks their recommendations), `known` false.
    public func scores(user: String, items wanted: [String]) -> Recommendation {
        let ii = ids.itemIndex
        guard let u = ids.userIndex[user] else {
            return Recommendation(items: wanted, scores: wanted.map { ii[$0].map { popularity[$0] } ?? .nan }, known: false)
        }
        var row = [Double](repeating: 0, count: items.count)
        row.withUnsafeMutableBufferPointer { scoreItems(user: u, into: $0) }
        return Recommendation(items: wanted, scores: wanted.map { ii[$0].map { row[$0] } ?? .nan }, known: true)
    }

    public var target: TargetInfo { TargetInfo(name: parameters.string("item"), task: .recommendation, classes: items) }

    /// The score of `item` for `user`, nil when either is unknown (for RMSE on held-out ratings).
    func pairScores(users: [String], items wanted: [String]) -> [Double?] {
        let ui = ids.userIndex, ii = ids.itemIndex
        var cache: [Int: [Double]] = [:]
        return zip(users, wanted).map { (user, item) -> Double? in
            guard let u = ui[user], let i = ii[item] else { return nil }
            if let row = cache[u] { return row[i] }
            var row = [Double](repeating: 0, count: items.count)
            row.withUnsafeMutableBufferPointer { scoreItems(user: u, into: $0) }
            cache[u] = row
            return row[i]
        }
    }
}

extension Estimator {
    /// A recommender's interactions in `frame`, by its column parameters; none is an error.
    func interactions(_ frame: Frame) throws(LearnError) -> (InteractionRoles, Interactions.Raw) {
        let roles = InteractionRoles(parameters)
        let raw = try Interactions.raw(frame, roles: roles, model: Self.name)
        guard !raw.users.isEmpty else { throw .emptyTrainingData }
        return (roles, raw)
    }
}

/// The schema of a recommender: its user column with the known users as categories.
func recommenderSchema(_ roles: InteractionRoles, type: DataType, users: [String]) -> FeatureSchema {
    FeatureSchema(features: [Feature(name: roles.user, type: type, categories: users)])
}

/// Shared parameters of every recommender: the columns, and how many items a prediction lists.
let recommenderCommonSpecs: [ParameterSpec] = InteractionRoles.specs + [
    ParameterSpec("top_k", .int(1...10_000), default: .int(10), doc: "Items recommended per user by predict and score (a request may ask for another k)."),
]

extension RecommenderModel {
    /// The state every recommender keeps: seen items and popularity (its own arrays are added to it).
    var recommenderState: ModelState {
        ModelState(doubles: ["popularity": popularity],
                   ints: ["seen_start": seen.start.map(Int64.init), "seen_items": seen.items.map(Int64.init)])
    }
}

/// Users, items, seen items and popularity read back from a model file, every count and index
/// checked against the others.
func restoreRecommender(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> (users: [String], items: [String], seen: SeenItems, popularity: [Double]) {
    guard h.schema.features.count == 1, let users = h.schema.features[0].categories, let items = h.target.classes else {
        throw .corruptModelFile(file, reason: "a recommender needs its users (the schema's categories) and items (the target's classes)")
    }
    let start = try s.int("seen_start", file: file), seenItems = try s.int("seen_items", file: file)
    let popularity = try s.double("popularity", file: file)
    guard start.count == users.count + 1, start.first == 0, start.last == Int64(seenItems.count), popularity.count == items.count,
          zip(start, start.dropFirst()).allSatisfy({ $0 <= $1 }), seenItems.allSatisfy({ $0 >= 0 && $0 < Int64(items.count) }) else {
        throw .corruptModelFile(file, reason: "the seen items do not match \(users.count) users and \(items.count) items")
    }
    return (users, items, SeenItems(start: start.map { Int($0) }, items: seenItems.map { Int32($0) }), popularity)
}

// MARK: - Popularity

/// The most popular items (most distinct users) for everyone, less what each has seen: the
/// baseline every recommender is shown beside.
public struct PopularityEstimator: Estimator {
    public static let name = "popularity"
    public static let summary = "Recommends the items most users interacted with (less what each user has seen): the baseline beside every recommender."
    public static let task = Task.recommendation
    public static let parameterSpecs: [ParameterSpec] = recommenderCommonSpecs
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }

    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        let (roles, raw) = try interactions(frame)
        return PopularityModel(parameters: parameters, data: Interactions(raw, explicit: false), userType: raw.userType)
    }

    public static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model {
        let r = try restoreRecommender(h, s, file: file)
        return PopularityModel(parameters: h.parameters, schema: h.schema, users: r.users, items: r.items, seen: r.seen, popularity: r.popularity)
    }
}

public struct PopularityModel: RecommenderModel {
    public let kind = PopularityEstimator.name
    public let parameters: Parameters
    public let schema: FeatureSchema
    public let ids: RecommenderIDs
    public let seen: SeenItems
    public let popularity: [Double]

    init(parameters: Parameters, schema: FeatureSchema, users: [String], items: [String], seen: SeenItems, popularity: [Double]) {
        self.parameters = parameters
        self.schema = schema
        ids = RecommenderIDs(users: users, items: items)
        self.seen = seen
        self.popularity = popularity
    }

    init(parameters: Parameters, data: Interactions, userType: DataType) {
        self.init(parameters: parameters, schema: recommenderSchema(InteractionRoles(parameters), type: userType, users: data.users),
                  users: data.users, items: data.items, seen: SeenItems(data), popularity: data.itemCounts.map(Double.init))
    }

    public func scoreItems(user: Int, into out: UnsafeMutableBufferPointer<Double>) {
        for i in 0..<popularity.count { out[i] = popularity[i] }
    }

    /// Popularity knows no likeness: the most popular other items.
    public func similar(item: Int, k: Int) -> [(item: Int, score: Double)] {
        Self.top(popularity, k: k, excluding: [Int32(item)][...]).map { ($0.0, $0.1) }
    }

    public var state: ModelState { recommenderState }
}
