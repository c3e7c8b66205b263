import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PulkFrame
import PulkLearn
import PulkScoring
import PulkEndpoints
@testable import PulkServing
import Testing

/// A recommender behind an endpoint: `{"user": …, "k": …}`, `{"users": […]}`, `{"item": …}` for
/// similar items, `{"user": …, "items": […]}` for pair scores, rows of the user column as for any model, and the refusals of a malformed query.
@Suite("Serving: recommenders")
struct RecommendationServingTests {
    /// Users u0…u9 of two tastes over items a0…a4 and b0…b4; everyone has also seen a0.
    static let model: any Model = {
        var users: [String] = [], items: [String] = []
        for u in 0..<10 {
            let g = u < 5 ? "a" : "b"
            for i in 0..<5 where i != u % 5 { users.append("u\(u)"); items.append("\(g)\(i)") }
            if g == "b" { users.append("u\(u)"); items.append("a0") }
        }
        let ud = Array(Set(users)).sorted(), id = Array(Set(items)).sorted()
        let frame = try! Frame(columns: [
            Column(name: "user", storage: .string(codes: users.map { Int32(ud.firstIndex(of: $0)!) }, dictionary: ud)),
            Column(name: "item", storage: .string(codes: items.map { Int32(id.firstIndex(of: $0)!) }, dictionary: id)),
        ])
        return try! ItemKNNEstimator(["user": "user", "item": "item", "shrinkage": "0", "top_k": "3"]).fit(frame, target: "", seed: 1)
    }()

    @Test("A recommender answers users, lists of users, similar items and rows", arguments: Transport.allCases)
    func answers(_ transport: Transport) async throws {
        let table = EndpointTable()
        table.install(EndpointRuntime(name: "penguins", settings: .init(), deployments: [deployment("blue", Self.model, version: "1", traffic: 100)]))
        try await app(table, transport).test(transport.setup) { client in
            func post(_ body: String, path: String = "/score") async throws -> (HTTPResponse.Status, [String: Any]) {
                try await client.execute(uri: path, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body)) { r in
                    (r.status, object(r.body))
                }
            }
            // u1 (taste a, missing a1) gets a1 first; k from the request.
            var (status, o) = try await post(#"{"user": "u1", "k": 2}"#)
            #expect(status == .ok && (o["predictions"] as? [[String]])?.first?.first == "a1" && (o["predictions"] as? [[String]])?.first?.count == 2, "\(o)")
            #expect(o["known_users"] as? [Bool] == [true] && (o["scores"] as? [[Double]])?.first?.count == 2)
            // Several users; an unknown one gets the popular items, and says so. k defaults to top_k.
            (status, o) = try await post(#"{"users": ["u7", "stranger"]}"#)
            let lists = o["predictions"] as? [[String]] ?? []
            #expect(status == .ok && lists.count == 2 && lists[0].first == "b2" && lists[1].first == "a0", "\(o)")
            #expect(o["known_users"] as? [Bool] == [true, false] && lists[1].count == 3)
            // Similar items.
            (status, o) = try await post(#"{"item": "b1", "k": 4}"#)
            #expect(status == .ok && Set((o["predictions"] as? [[String]])?.first ?? []).isSubset(of: ["b0", "b2", "b3", "b4", "a0"]), "\(o)")
            // Pair scores, in the order asked: u1 scores a1 (its taste, unseen) above b1; an item the
            // model never saw is null; an unknown user gets popularity and known_users false.
            (status, o) = try await post(#"{"user": "u1", "items": ["b1", "a1", "nope"]}"#)
            var scores = (o["scores"] as? [[Any]])?.first ?? []
            #expect(status == .ok && (o["predictions"] as? [[String]])?.first == ["b1", "a1", "nope"], "\(o)")
            #expect(scores.count == 3 && (scores[1] as? Double ?? 0) > (scores[0] as? Double ?? 1) && scores[2] is NSNull, "\(o)")
            (status, o) = try await post(#"{"user": "stranger", "item": "a0"}"#)
            scores = (o["scores"] as? [[Any]])?.first ?? []
            #expect(status == .ok && o["known_users"] as? [Bool] == [false] && scores.count == 1 && (scores[0] as? Double ?? 0) > 0, "\(o)")
            // Rows of the user column, as for any model; MLflow's answer is the item lists.
            (status, o) = try await post(#"{"dataframe_records": [{"user": "u1"}]}"#, path: "/invocations")
            #expect(status == .ok && (o["predictions"] as? [[String]])?.first?.first == "a1", "\(o)")
        }
    }

    @Test("A malformed recommendation request is a 400 naming the problem", arguments: [
        (#"{"user": "u1", "users": ["u2"]}"#, "not user and users"),
        (#"{"item": "a1", "items": ["a0"]}"#, "not item and items"),
        (#"{"user": "u1", "item": "a0", "k": 3}"#, "Unknown field 'k': this recommendation request has item and user"),
        (#"{"user": "u1", "k": 0}"#, "k must be an integer from 1 to 10000"),
        (#"{"user": "u1", "k": "ten"}"#, "k must be an integer"),
        (#"{"user": "u1", "n": 3}"#, "Unknown field 'n'"),
        (#"{"users": []}"#, "users must be a non-empty array"),
        (#"{"user": {"id": 1}}"#, "ids as strings or integers"),
        (#"{"users": [1.5]}"#, "ids as strings or integers"),
    ])
    func refusals(body: String, says: String) async throws {
        let table = EndpointTable()
        table.install(EndpointRuntime(name: "penguins", settings: .init(), deployments: [deployment("blue", Self.model, version: "1", traffic: 100)]))
        try await app(table).test(.router) { client in
            try await client.execute(uri: "/score", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body)) { r in
                #expect(r.status == .badRequest)
                #expect(String(buffer: r.body).contains(says), "\(String(buffer: r.body))")
            }
        }
    }

    /// The same query shapes parse identically whatever the id type; bodies of rows are not queries.
    @Test func parsing() throws {
        func parse(_ s: String) throws -> RecommendationQuery? {
            try Array(s.utf8).withUnsafeBytes { raw in try RecommendationQuery.parse(raw, maxIds: 3) }
        }
        #expect(try parse(#"{"user": 196, "k": 5}"#) == RecommendationQuery(kind: .users, ids: ["196"], k: 5))
        #expect(try parse(#" {"items": ["x", 7]}"#) == RecommendationQuery(kind: .similarItems, ids: ["x", "7"]))
        #expect(try parse(#"{"user": 196, "items": [5, "x"]}"#) == RecommendationQuery(kind: .pairScores(user: "196"), ids: ["5", "x"]))
        #expect(try parse(#"{"item": "5", "user": "u"}"#) == RecommendationQuery(kind: .pairScores(user: "u"), ids: ["5"]))
        #expect(try parse(#"{"dataframe_records": [{"user": "u1"}]}"#) == nil)
        #expect(try parse(#"[{"user": "u1"}]"#) == nil)
        #expect(throws: ScoringError.self) { try parse(#"{"users": ["a", "b", "c", "d"]}"#) }
    }
}
