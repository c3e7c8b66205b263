import PulkJSON
public import PulkLearn

/// A recommender's request in its own shape, beside the rows every model takes:
/// `{"user": ID, "k": 10}` or `{"users": [ID, …], "k": 10}` for each user's top k,
/// `{"item": ID, "k": 10}` or `{"items": [ID, …]}` for the items most like each one, and
/// `{"user": ID, "item": ID}` or `{"user": ID, "items": [ID, …]}` for the user's score of each
/// (user, item) pair, in the order asked. IDs are strings or integers; `k` defaults to the
/// model's `top_k`.
public struct RecommendationQuery: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case users
        case similarItems
        /// The score of each of `ids` (items) for this user.
        case pairScores(user: String)
    }

    public var kind: Kind
    public var ids: [String]
    public var k: Int?

    public init(kind: Kind, ids: [String], k: Int? = nil) {
        self.kind = kind
        self.ids = ids
        self.k = k
    }

    static let keys: Set<String> = ["user", "users", "item", "items"]

    /// The query in `body`, or nil when the body is not of this shape (its top level has none of
    /// `user`, `users`, `item`, `items`): it is then read as rows. A body of this shape with
    /// anything wrong in it is refused, naming what.
    public static func parse(_ body: UnsafeRawBufferPointer, maxIds: Int) throws(ScoringError) -> RecommendationQuery? {
        // Cheap refusal first: rows bodies never name these keys at their top level.
        guard let first = body.firstIndex(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }), body[first] == UInt8(ascii: "{"),
              let object = try? JSON.parse(body) as? [String: Any] else { return nil }
        let named = Set(object.keys).intersection(keys)
        guard !named.isEmpty else { return nil }
        let pair = named == ["user", "item"] || named == ["user", "items"]
        guard named.count == 1 || pair else {
            throw .body("Send one of user, users, item or items (or user with item or items for pair scores), not \(named.sorted().joined(separator: " and "))")
        }
        let extra = Set(object.keys).subtracting(named).subtracting(pair ? [] : ["k"])
        guard extra.isEmpty else {
            let allowed = pair ? named.sorted().joined(separator: " and ") : "\(named.first!) and k"
            throw .body("Unknown field \(extra.sorted().map { "'\($0)'" }.joined(separator: ", ")): this recommendation request has \(allowed)")
        }
        var k: Int?
        if let given = object["k"] {
            guard let n = given as? Int64, (1...10_000).contains(n) else { throw .body("k must be an integer from 1 to 10000") }
            k = Int(n)
        }
        let key = pair ? named.subtracting(["user"]).first! : named.first!
        let value = object[key]!
        let ids: [String]
        if key.hasSuffix("s") {
            guard let list = value as? [Any], !list.isEmpty else { throw .body("\(key) must be a non-empty array of ids") }
            guard list.count <= maxIds else {
                throw ScoringError(kind: .tooManyRows, problems: [.init(message: "\(list.count) ids in one request; the endpoint accepts at most \(maxIds)")])
            }
            ids = try list.map { v throws(ScoringError) in try id(v, key) }
        } else {
            ids = [try id(value, key)]
        }
        if pair { return RecommendationQuery(kind: .pairScores(user: try id(object["user"]!, "user")), ids: ids) }
        return RecommendationQuery(kind: key.hasPrefix("user") ? .users : .similarItems, ids: ids, k: k)
    }

    static func id(_ v: Any, _ key: String) throws(ScoringError) -> String {
        switch v {
        case let s as String: return s
        case let i as Int64: return String(i)
        default: throw .body("\(key) holds ids as strings or integers")
        }
    }

    /// The answer of `model`: each user's top k without what they have seen (unknown users get the
    /// most popular items, `known` false), each item's most similar items (an unknown item: none,
    /// `known` false), or one list of the asked items with the user's score of each.
    public func answer(_ model: any RecommenderModel) -> Predictions {
        let k = self.k ?? model.parameters.int("top_k")
        switch kind {
        case .users: return .recommendation(ids.map { model.recommend(user: $0, k: k) })
        case .similarItems:
            return .recommendation(ids.map { model.similarItems(to: $0, k: k) ?? Recommendation(items: [], scores: [], known: false) })
        case .pairScores(let user): return .recommendation([model.scores(user: user, items: ids)])
        }
    }
}
