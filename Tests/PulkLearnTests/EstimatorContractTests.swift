import Foundation
import Testing
@testable import PulkFrame
@testable import PulkLearn
import PulkTestSupport

/// The shared contract every estimator must keep (STYLE.md: one suite, every implementation).
@Suite("Estimator contract")
struct EstimatorContractTests {
    @Test func missingTargetValuesAreDropped() throws {
        let f = try Frame(columns: [
            Column(name: "x", storage: .float64([1, 2, 3])),
            Column(name: "y", storage: .float64([10, .nan, 20]), validity: Bitmap([true, false, true])),
        ])
        let p = try MeanRegressor([:]).fit(f, target: "y", seed: 0).predict(f)
        #expect(p == .regression([15, 15, 15]))
    }

    @Test func targetErrors() throws {
        let f = contractFrame(task: .classification)
        #expect(throws: LearnError.self) { try MeanRegressor([:]).fit(f, target: "y", seed: 0) }
        #expect(throws: LearnError.unknownTarget("nope", available: ["x", "c", "d", "y"])) {
            try MostFrequentClassifier([:]).fit(f, target: "nope", seed: 0)
        }
        let frac = try Frame(columns: [Column(name: "y", storage: .float64([0.5, 1]))])
        #expect(throws: LearnError.self) { try MostFrequentClassifier([:]).fit(frac, target: "y", seed: 0) }
    }

    @Test func baselinesMatchScikitLearnDefinitions() throws {
        let f = try Frame(columns: [Column(name: "y", storage: .int64([3, 1, 3, 2, 3, 1]))])
        let p = try MostFrequentClassifier([:]).fit(f, target: "y", seed: 0).predict(f)
        guard case .classification(let classes, let predicted, let proba) = p else { Issue.record("classification expected"); return }
        #expect(classes == ["1", "2", "3"]) // sorted numerically
        #expect(predicted == [2, 2, 2, 2, 2, 2])
        let shares: [Double] = [2.0 / 6, 1.0 / 6, 3.0 / 6]
        #expect(proba[0] == shares)
        let m = try Frame(columns: [Column(name: "y", storage: .float64([1, 2, 10, 4]))])
        #expect(try MedianRegressor([:]).fit(m, target: "y", seed: 0).predict(m) == .regression([3, 3, 3, 3]))
        // Stratified draws follow the shares.
        let big = try Frame(columns: [Column(name: "y", storage: .int64((0..<4000).map { $0 % 4 == 0 ? 1 : 0 }))])
        guard case .classification(_, let draws, _) = try StratifiedClassifier([:]).fit(big, target: "y", seed: 5).predict(big) else { return }
        #expect(abs(Double(draws.filter { $0 == 1 }.count) / 4000 - 0.25) < 0.03)
    }

    /// The model file format is pinned by a golden file; RECORD_GOLDEN=1 rewrites it (and fails).
    @Test func modelFileGolden() throws {
        let f = try Frame(columns: [
            Column(name: "x", storage: .float64([1, 2, 3, 4])),
            Column(name: "y", storage: .string(codes: [0, 1, 1, 1], dictionary: ["no", "yes"])),
        ])
        let bytes = ModelFile.encode(try MostFrequentClassifier([:]).fit(f, target: "y", seed: 0))
        let golden = repoRoot.appendingPathComponent("Tests/PulkLearnTests/Fixtures/most-frequent.v1.pulkmodel")
        if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
            try Data(bytes).write(to: golden)
            Issue.record("golden model file rewritten: review and commit it")
            return
        }
        let expected = try Data(contentsOf: golden)
        #expect(Array(expected) == bytes)
        // Old files keep decoding.
        let model = try ModelFile.decode(Array(expected))
        #expect(try model.predict(f).labels == ["yes", "yes", "yes", "yes"])
    }

    @Test(arguments: [
        ("garbage", Array("not a model".utf8)),
        ("future version", Array("PULKMODL".utf8) + [9, 0, 0, 0, 2, 0, 0, 0] + Array("{}".utf8)),
    ])
    func corruptModelFiles(name: String, bytes: [UInt8]) {
        #expect(throws: LearnError.self) { try ModelFile.decode(bytes, name: name) }
    }
}

@Suite("Hyperparameters")
struct ParameterTests {
    static let specs: [ParameterSpec] = [
        ParameterSpec("num_leaves", aliases: ["max_leaves"], .int(2...131_072), default: .int(31), doc: "Leaves per tree."),
        ParameterSpec("learning_rate", aliases: ["eta"], .double(lower: 0, upper: .infinity, lowerOpen: true), default: .double(0.1), doc: "Shrinkage."),
        ParameterSpec("fit_intercept", .bool, default: .bool(true), doc: "Learn an intercept."),
        ParameterSpec("penalty", .choice(["l1", "l2", "elasticnet"]), default: .string("l2"), doc: "Regularisation."),
    ]

    @Test func defaultsAndAliases() throws {
        let p = try Parameters(specs: Self.specs, given: ["eta": "0.05", "max_leaves": "63", "fit_intercept": "false"], model: "m")
        #expect(p.double("learning_rate") == 0.05)
        #expect(p.int("num_leaves") == 63)
        #expect(p.bool("fit_intercept") == false)
        #expect(p.string("penalty") == "l2")
    }

    @Test(arguments: [
        ("num_leaves", "1", "an integer in 2…131072"),
        ("num_leaves", "3.5", "an integer"),
        ("learning_rate", "0", "a number in (0.0, ∞)"),
        ("learning_rate", "nan", "a number"),
        ("fit_intercept", "maybe", "true or false"),
        ("penalty", "l3", "one of l1, l2, elasticnet"),
    ])
    func badValues(name: String, value: String, expected: String) {
        do {
            _ = try Parameters(specs: Self.specs, given: [name: value], model: "m")
            Issue.record("\(name)=\(value) must be rejected")
        } catch {
            #expect(error.description.contains("m parameter \(name)=\(value) is invalid: expected \(expected)"))
        }
    }

    @Test func unknownParameterListsKnownOnes() {
        do { _ = try Parameters(specs: Self.specs, given: ["leaves": "3"], model: "gbdt") } catch {
            #expect(error.description == "gbdt has no parameter 'leaves'. Its parameters: num_leaves, learning_rate, fit_intercept, penalty.")
        }
    }
}
