import PulkLearn
import Testing

/// The probabilities of a classifier's predictions, kept in one buffer, read as rows.
@Suite struct ClassProbabilitiesTests {
    @Test("Rows read back as they were given, a range of rows is those rows, equal rows are equal")
    func rows() {
        let rows: [[Double]] = [[0.2, 0.8], [0.5, 0.5], [1, 0], [0, 1]]
        let p = ClassProbabilities(rows)
        #expect(p.count == 4 && p.width == 2 && Array(p) == rows && p[2] == [1, 0])
        #expect(p.values == [0.2, 0.8, 0.5, 0.5, 1, 0, 0, 1])
        #expect(p.rows(1..<3) == [[0.5, 0.5], [1, 0]] && p.rows(1..<3).count == 2 && p.rows(4..<4).isEmpty)
        #expect(p == ClassProbabilities(values: [0.2, 0.8, 0.5, 0.5, 1, 0, 0, 1], width: 2, rows: 4))
        #expect(p != ClassProbabilities(values: [0.2, 0.8, 0.5, 0.5, 1, 0, 0, 1], width: 4, rows: 2))
        #expect(ClassProbabilities([]) == ClassProbabilities(values: [], width: 3, rows: 0))
        #expect(p.map { $0[1] } == [0.8, 0.5, 0, 1])
    }

    /// The most probable class per row is scikit-learn's argmax (ties: the first class), as
    /// `Predictions.mostProbable` picks it from one row.
    @Test("The most probable class: the largest, ties to the first", arguments: [
        [[0.2, 0.8], [0.5, 0.5], [0.9, 0.1]],
        [[0.1, 0.3, 0.3, 0.3], [0.25, 0.25, 0.25, 0.25], [0, 0, 0, 1], [0.4, 0.1, 0.4, 0.1]],
        [[1], [1]],
        [],
    ] as [[[Double]]])
    func mostProbable(rows: [[Double]]) {
        #expect(ClassProbabilities(rows).mostProbable() == rows.map(Predictions.mostProbable))
        if case .classification(_, let predicted, let p) = Predictions.classification(classes: ["a", "b", "c", "d"], probabilities: rows) {
            #expect(predicted == rows.map(Predictions.mostProbable) && Array(p) == rows)
        } else {
            Issue.record("not a classification")
        }
    }
}
