import Foundation
import Testing
@testable import PulkLearn
import PulkTestSupport

@Suite("Splits")
struct SplitTests {
    func isPartition(_ s: Split, _ n: Int) -> Bool {
        Set(s.train).isDisjoint(with: s.test) && (s.train + s.test).sorted() == Array(0..<n)
    }

    @Test func randomSplitIsSeededPartition() throws {
        let a = try Splitter.random(rows: 103, testFraction: 0.2, seed: 7)
        #expect(isPartition(a, 103))
        #expect(a.test.count == 21) // rounds up, as scikit-learn
        #expect(try Splitter.random(rows: 103, testFraction: 0.2, seed: 7) == a)
        #expect(try Splitter.random(rows: 103, testFraction: 0.2, seed: 8) != a)
    }

    @Test func stratifiedKeepsShares() throws {
        let labels = Array(repeating: 0, count: 90) + Array(repeating: 1, count: 10)
        let s = try Splitter.stratified(labels: labels, testFraction: 0.3, seed: 1)
        #expect(isPartition(s, 100))
        #expect(s.test.count == 30)
        #expect(s.test.filter { labels[$0] == 1 }.count == 3)
    }

    @Test func temporalTrainsOnThePast() throws {
        let times: [Double] = [5, 1, 3, 3, 2, .nan, 4, 3]
        let s = try Splitter.temporal(times: times, testFraction: 0.3)
        // 7 timed rows, 30% → 3 test rows; the cut falls inside the three rows at time 3, which all go to test.
        #expect(s.test == [0, 2, 3, 6, 7])
        #expect(s.train == [1, 4])
        #expect(s.train.allSatisfy { t in s.test.allSatisfy { times[t] < times[$0] } })
        // A tie at the cut keeps equal times together.
        let tied = try Splitter.temporal(times: [1, 2, 2, 2], testFraction: 0.25)
        #expect(tied.train == [0] && tied.test == [1, 2, 3])
    }

    @Test func groupSplitNeverSharesAGroup() throws {
        let groups = (0..<200).map { $0 % 13 }
        let s = try Splitter.group(groups: groups, testFraction: 0.25, seed: 3)
        #expect(isPartition(s, 200))
        #expect(Set(s.train.map { groups[$0] }).isDisjoint(with: Set(s.test.map { groups[$0] })))
        #expect(s.test.count >= 50)
    }

    @Test func errors() {
        #expect(throws: SplitError.badFraction(1.5)) { try Splitter.random(rows: 10, testFraction: 1.5, seed: 0) }
        #expect(throws: SplitError.tooFewGroups(groups: 1, folds: 2)) { try Splitter.group(groups: [1, 1, 1], testFraction: 0.5, seed: 0) }
        #expect(throws: SplitError.badFoldCount(1)) { try CrossValidation.kFold(rows: 10, k: 1) }
        #expect(throws: SplitError.tooFewGroups(groups: 2, folds: 3)) { try CrossValidation.groupKFold(groups: [1, 2, 1], k: 3) }
        #expect(SplitError.badFraction(2).description.contains("between 0 and 1"))
    }

    @Test func shuffledFoldsArePartitions() throws {
        let labels = (0..<97).map { $0 % 4 == 0 ? 1 : 0 }
        for folds in [try CrossValidation.kFold(rows: 97, k: 5, shuffle: true, seed: 2),
                      try CrossValidation.stratifiedKFold(labels: labels, k: 5, shuffle: true, seed: 2)] {
            #expect(folds.flatMap(\.test).sorted() == Array(0..<97))
            for f in folds { #expect(isPartition(f, 97)) }
        }
        let strat = try CrossValidation.stratifiedKFold(labels: labels, k: 5, shuffle: true, seed: 2)
        for f in strat { #expect((4...5).contains(f.test.filter { labels[$0] == 1 }.count)) }
        #expect(try CrossValidation.kFold(rows: 97, k: 5, shuffle: true, seed: 2) == CrossValidation.kFold(rows: 97, k: 5, shuffle: true, seed: 2))
    }
}

/// Fold for fold against scikit-learn (no shuffling). The test script sets PULK_PYTHON.
@Suite("Folds parity with scikit-learn", .enabled(if: ProcessInfo.processInfo.environment["PULK_PYTHON"] != nil,
                                                  "set PULK_PYTHON to a Python with scikit-learn (scripts/test does)"))
struct FoldsParityTests {
    struct Input: Encodable { var labels: [Int]; var groups: [Int]; var k: Int }

    @Test(arguments: [(1 as UInt64, 50, 5), (2, 203, 3), (3, 31, 4)])
    func matchesScikitLearn(seed: UInt64, n: Int, k: Int) throws {
        var rng = SeededGenerator(seed: seed)
        let labels = (0..<n).map { _ in [0, 0, 0, 1, 1, 2].randomElement(using: &rng)! }
        // Groups of distinct sizes (scikit-learn orders equal sizes with an unstable sort).
        var groups: [Int] = []
        var g = 0
        while groups.count < n { groups += repeatElement(g, count: min(g + 1, n - groups.count)); g += 1 }
        if groups.count > 1 { groups.shuffle(using: &rng) }
        let o = try runOracle("folds_oracle.py", Input(labels: labels, groups: groups, k: k)) as! [String: Any]
        #expect(try CrossValidation.kFold(rows: n, k: k).map(\.test) == o["kfold"] as! [[Int]])
        #expect(try CrossValidation.stratifiedKFold(labels: labels, k: k).map(\.test) == o["stratified"] as! [[Int]])
        let sizes = Dictionary(grouping: groups, by: { $0 }).mapValues(\.count)
        if Set(sizes.values).count == sizes.count {
            #expect(try CrossValidation.groupKFold(groups: groups, k: k).map(\.test) == o["group"] as! [[Int]])
        }
        let ts = try CrossValidation.timeSeriesSplit(rows: n, k: k)
        let expected = o["timeseries"] as! [[[Int]]]
        #expect(ts.map(\.train) == expected.map { $0[0] })
        #expect(ts.map(\.test) == expected.map { $0[1] })
    }
}

