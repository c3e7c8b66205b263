import ArgumentParser
import Foundation
import PulkApp
import PulkFrame
import PulkLearn
import PulkScoring

/// A recommender's three answers from the command line, the same as its endpoint gives: each
/// user's top k, the items most like an item, and a user's score of chosen items.
struct RecommendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recommend",
        abstract: "Ask a recommender: a user's top items, the items most like an item, or a user's score of given items.",
        discussion: """
            With --user: each user's top k items, leaving out what they have seen (an unknown user gets the most popular \
            items and is marked unknown). With --similar-to: the items most like each item. With one --user and --items: \
            the user's score of each listed item, in the order given (an item the model never saw has no score). \
            The answers are the model endpoint's for the same question.
            """)

    @Option(help: "A .pulk recommender file, MODEL@ALIAS or MODEL:VERSION.") var model: String
    @Option(help: "A user id (repeat for several users).") var user: [String] = []
    @Option(name: .customLong("similar-to"), help: "An item id whose most similar items to list (repeat for several).") var similarTo: [String] = []
    @Option(help: "Comma-separated item ids to score for the one --user, in the order given.") var items: String?
    @Option(help: "How many items per list (default: the model's top_k).") var k: Int?
    @OptionGroup var remote: RemoteOptions
    @OptionGroup var common: WorkspaceOptions

    func validate() throws {
        guard user.isEmpty != similarTo.isEmpty else { throw ValidationError("Give --user or --similar-to (one of them).") }
        if let k, !(1...10_000).contains(k) { throw ValidationError("--k must be from 1 to 10000, not \(k).") }
        if items != nil {
            guard user.count == 1 else { throw ValidationError("--items scores items for one --user.") }
            guard k == nil else { throw ValidationError("--k does not apply to --items: every given item is scored.") }
        }
    }

    func query() throws -> RecommendationQuery {
        if let items {
            let ids = items.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !ids.isEmpty else { throw ValidationError("--items needs at least one item id, e.g. --items 50,172.") }
            return RecommendationQuery(kind: .pairScores(user: user[0]), ids: ids)
        }
        return user.isEmpty ? RecommendationQuery(kind: .similarItems, ids: similarTo, k: k) : RecommendationQuery(kind: .users, ids: user, k: k)
    }

    /// An item and its score; `"score": null` for an item the model never saw.
    struct Scored: Encodable {
        var item: String
        var score: Double?
        enum CodingKeys: String, CodingKey { case item, score }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(item, forKey: .item)
            try c.encode(score, forKey: .score)
        }
    }
    struct Answer: Encodable {
        var user: String?
        var similarTo: String?
        var known: Bool
        var items: [Scored]
    }

    func run() async throws {
        let query = try self.query()
        let fitted = try await ModelReference(parsing: model).resolve(try await common.workbench(remote: remote).trackingClient()).model
        guard let recommender = fitted as? any RecommenderModel else {
            throw ValidationError("\(model) is a \(fitted.kind) model, not a recommender: `pulk predict` scores it.")
        }
        guard case .recommendation(let lists) = query.answer(recommender) else { return }
        let answers: [Answer] = lists.enumerated().map { n, r in
            let items = zip(r.items, r.scores).map { Scored(item: $0, score: $1.isFinite ? $1 : nil) }
            switch query.kind {
            case .users: return Answer(user: query.ids[n], known: r.known, items: items)
            case .similarItems: return Answer(similarTo: query.ids[n], known: r.known, items: items)
            case .pairScores(let user): return Answer(user: user, known: r.known, items: items)
            }
        }
        if common.json {
            print(Output.json(answers))
            return
        }
        for (n, a) in answers.enumerated() {
            if n > 0 { print("") }
            switch query.kind {
            case .users: print("User \(a.user!)" + (a.known ? ":" : ": unknown to the model, so the most popular items:"))
            case .similarItems: print("Items most like \(a.similarTo!)" + (a.known ? ":" : ": none, the model never saw this item."))
            case .pairScores: print("Scores for user \(a.user!)" + (a.known ? ":" : ": unknown to the model, so each item's popularity:"))
            }
            guard !a.items.isEmpty else { continue }
            let ranked = query.kind != .pairScores(user: a.user ?? "")
            let rows: [[String]] = a.items.enumerated().map { i, s in
                let score: String = s.score.map { formatDouble($0) } ?? "no score: the model never saw this item"
                return ranked ? [String(i + 1), s.item, score] : [s.item, score]
            }
            print(Output.table((ranked ? ["rank"] : []) + ["item", "score"], rows))
        }
    }
}
