import Foundation
import PulkFrame
import PulkLearn
@testable import PulkScoring
import Testing

/// Clustering and anomaly models answer in their natural shapes: cluster ids as the predictions, with each row's
/// distance to its cluster's center beside them (Pulk's response and CSV); MLflow's response has the
/// ids only, as an MLflow scikit-learn KMeans answers.
@Suite("Clustering and anomaly output")
struct ClusteringOutputTests {
    let p = Predictions.clustering(clusters: [2, 0], distances: [0.5, 1.25])

    @Test func pulkAndMLflowResponses() throws {
        let pulk = try JSONSerialization.jsonObject(with: Data(ScoringOutput.pulk(p, origin: .init(requestId: "r")))) as! [String: Any]
        #expect(pulk["predictions"] as? [Int] == [2, 0])
        #expect(pulk["distances"] as? [Double] == [0.5, 1.25])
        #expect(pulk["classes"] == nil)
        #expect(String(decoding: ScoringOutput.mlflow(p), as: UTF8.self) == #"{"predictions":[2,0]}"#)
    }

    @Test func csvRowsAndSlices() {
        #expect(String(decoding: PredictionCSV.bytes(p, header: true), as: UTF8.self) == "prediction,distance\n2,0.5\n0,1.25\n")
        #expect(Batches.slice(p, 1..<2) == .clustering(clusters: [0], distances: [1.25]))
    }

    @Test func mixtureMemberships() throws {
        let m = Predictions.clustering(clusters: [1, 0], distances: [0.5, 2], memberships: [[0.25, 0.75], [0.9, 0.1]])
        let pulk = try JSONSerialization.jsonObject(with: Data(ScoringOutput.pulk(m, origin: .init(requestId: "r")))) as! [String: Any]
        #expect(pulk["memberships"] as? [[Double]] == [[0.25, 0.75], [0.9, 0.1]])
        #expect(String(decoding: PredictionCSV.bytes(m, header: true), as: UTF8.self)
                == "prediction,distance,probability_0,probability_1\n1,0.5,0.25,0.75\n0,2,0.9,0.1\n")
        #expect(Batches.slice(m, 1..<2) == .clustering(clusters: [0], distances: [2], memberships: [[0.9, 0.1]]))
        // k-means has no memberships: the field is absent, not empty.
        let plain = try JSONSerialization.jsonObject(with: Data(ScoringOutput.pulk(p, origin: .init(requestId: "r")))) as! [String: Any]
        #expect(plain["memberships"] == nil)
    }

    @Test func anomalyResponses() throws {
        let a = Predictions.anomaly(scores: [0.7, 0.4], flagged: [true, false],
                                    reasons: [[AnomalyReason(feature: "b", value: 12, typical: 0, z: 9.5)], []])
        let pulk = try JSONSerialization.jsonObject(with: Data(ScoringOutput.pulk(a, origin: .init(requestId: "r")))) as! [String: Any]
        #expect(pulk["predictions"] as? [Int] == [1, 0])
        #expect(pulk["scores"] as? [Double] == [0.7, 0.4])
        let reasons = try #require(pulk["reasons"] as? [[[String: Any]]])
        #expect(reasons.count == 2 && reasons[1].isEmpty && reasons[0].first?["feature"] as? String == "b" && reasons[0].first?["z"] as? Double == 9.5)
        // MLflow's answer is scikit-learn's: -1 for an anomaly, 1 otherwise.
        #expect(String(decoding: ScoringOutput.mlflow(a), as: UTF8.self) == #"{"predictions":[-1,1]}"#)
        #expect(String(decoding: PredictionCSV.bytes(a, header: true), as: UTF8.self) == "prediction,score\n1,0.7\n0,0.4\n")
    }
}
