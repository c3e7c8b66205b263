import Foundation
import PulkFrame
import PulkLearn
@testable import PulkScoring
import Testing

/// A clustering model answers in its natural shape: cluster ids as the predictions, with each row's
/// distance to its cluster's center beside them (Pulk's response and CSV); MLflow's response has the
/// ids only, as an MLflow scikit-learn KMeans answers.
@Suite("Clustering output")
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
}
