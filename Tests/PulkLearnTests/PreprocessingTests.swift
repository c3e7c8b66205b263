import Foundation
import Testing
@testable import PulkFrame
@testable import PulkLearn
import PulkTestSupport

@Suite("Preprocessing")
struct PreprocessingTests {
    let frame = try! Frame(columns: [
        Column(name: "x", storage: .float64([1, .nan, 3, 10]), validity: Bitmap([true, false, true, true])),
        Column(name: "c", storage: .string(codes: [0, 1, 1, 2], dictionary: ["b", "a", "c"]), validity: Bitmap([true, true, false, true])),
        Column(name: "d", storage: .date([0, 5, 19_000, 3])), // Thu 1970-01-01, Tue 1970-01-06, Sat 2022-01-08, Sun 1970-01-04
    ])

    @Test func numericImputationAndScaling() throws {
        let p = try FeaturePipeline.fit(frame, plans: [("x", .numeric(imputation: .mean, fill: 0, scaling: .standard, missingIndicator: true))])
        let m = try p.transform(frame)
        #expect(m.names == ["x", "x.missing"])
        // Imputed: [1, 14/3, 3, 10]; mean 14/3; population std of the imputed column.
        let v = [1, 14.0 / 3, 3, 10]
        let mean = v.reduce(0, +) / 4
        let sd = (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4).squareRoot()
        for i in 0..<4 { #expect(abs(m[i, 0] - (v[i] - mean) / sd) < 1e-12) }
        #expect(m.column(1) == [0, 1, 0, 0])
    }

    @Test func oneHotWithUnseenAndCap() throws {
        let p = try FeaturePipeline.fit(frame, plans: [("c", .categorical(encoding: .oneHot(maxCategories: nil), missingIndicator: false))])
        #expect(p.outputNames == ["c=a", "c=b", "c=c"])
        let m = try p.transform(frame)
        // Row 2 is missing: filled with the most frequent ('a' and 'b' and 'c' tie at 1: 'a' first).
        #expect(m.column(0) == [0, 1, 1, 0])
        let unseen = try Frame(columns: [Column(name: "c", storage: .string(codes: [0], dictionary: ["zzz"]))])
        #expect(try p.transform(unseen).values == [0, 0, 0])
        let capped = try FeaturePipeline.fit(frame, plans: [("c", .categorical(encoding: .oneHot(maxCategories: 2), missingIndicator: false))])
        #expect(capped.outputNames == ["c=a", "c=infrequent"])
        #expect(try capped.transform(unseen).values == [0, 1])
    }

    @Test func ordinalAndDateParts() throws {
        let p = try FeaturePipeline.fit(frame, plans: [("c", .categorical(encoding: .ordinal, missingIndicator: true)), ("d", .dateParts)])
        let m = try p.transform(frame)
        #expect(m.names == ["c", "c.missing", "d.year", "d.month", "d.day", "d.weekday", "d.hour", "d.is_weekend"])
        #expect(m.column(0) == [1, 0, 0, 2])
        #expect(m.column(2) == [1970, 1970, 2022, 1970])
        #expect(m.column(5) == [3, 1, 5, 6]) // Thu, Tue, Sat (2022-01-08), Sun
        #expect(m.column(7) == [0, 0, 1, 1])
    }

    @Test func errors() throws {
        #expect(throws: LearnError.self) {
            try FeaturePipeline.fit(frame, plans: [("c", .numeric(imputation: .mean, fill: 0, scaling: .none, missingIndicator: false))])
        }
        let p = try FeaturePipeline.fit(frame, plans: [("x", .numeric(imputation: .median, fill: 0, scaling: .none, missingIndicator: false))])
        #expect(throws: LearnError.missingFeatures(expected: 1, got: 0, missing: ["x"])) { try p.transform(try frame.select(["c"])) }
    }

    @Test func pipelineRoundTripsThroughJSON() throws {
        let p = try FeaturePipeline.fit(frame, plans: [("x", .numeric(imputation: .median, fill: 0, scaling: .robust, missingIndicator: true)),
                                                       ("c", .categorical(encoding: .oneHot(maxCategories: 2), missingIndicator: true))])
        let back = try JSONDecoder().decode(FeaturePipeline.self, from: JSONEncoder().encode(p))
        #expect(back == p)
        #expect(try back.transform(frame) == p.transform(frame))
    }
}

/// The same plans through scikit-learn (SimpleImputer, scalers, OneHotEncoder, OrdinalEncoder,
/// MissingIndicator) on the penguins data, to 1e-12.
@Suite("Preprocessing parity with scikit-learn", .enabled(if: ProcessInfo.processInfo.environment["PULK_PYTHON"] != nil,
                                                          "set PULK_PYTHON to a Python with scikit-learn (scripts/test does)"))
struct PreprocessingParityTests {
    @Test func penguins() throws {
        let path = repoRoot.appendingPathComponent("examples/penguins.csv").path
        let frame = try CSVReader().read(path: path).0
        let pipeline = try FeaturePipeline.fit(frame, plans: [
            ("bill_length_mm", .numeric(imputation: .mean, fill: 0, scaling: .standard, missingIndicator: true)),
            ("bill_depth_mm", .numeric(imputation: .median, fill: 0, scaling: .robust, missingIndicator: false)),
            ("flipper_length_mm", .numeric(imputation: .mostFrequent, fill: 0, scaling: .minmax, missingIndicator: false)),
            ("body_mass_g", .numeric(imputation: .constant, fill: 4000, scaling: .none, missingIndicator: false)),
            ("species", .categorical(encoding: .oneHot(maxCategories: nil), missingIndicator: false)),
            ("island", .categorical(encoding: .oneHot(maxCategories: 2), missingIndicator: false)),
            ("sex", .categorical(encoding: .ordinal, missingIndicator: true)),
        ])
        let m = try pipeline.transform(frame)
        let o = try runOracle("preprocess_oracle.py", arguments: [path]) as! [String: Any]
        let columns = o["columns"] as! [[Double]]
        #expect(columns.count == m.columns, "\(m.names)")
        for (j, expected) in columns.enumerated() where j < m.columns {
            let mine = m.column(j)
            let worst = zip(mine, expected).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-12, "column \(m.names[j]) differs by \(worst)")
        }
    }
}

@Suite("Automatic featurization")
struct AutoFeaturizerTests {
    @Test func decisionsFollowTheRules() throws {
        let n = 30
        let f = try Frame(columns: [
            Column(name: "id", storage: .int64((0..<n).map(Int64.init))),
            Column(name: "const", storage: .string(codes: .init(repeating: 0, count: n), dictionary: ["same"])),
            Column(name: "x", storage: .float64((0..<n).map { Double($0 % 7) }), validity: Bitmap((0..<n).map { $0 != 3 })),
            Column(name: "c", storage: .string(codes: (0..<n).map { Int32($0 % 3) }, dictionary: ["a", "b", "c"])),
            Column(name: "d", storage: .date((0..<n).map(Int32.init))),
            Column(name: "y", storage: .float64((0..<n).map(Double.init))),
        ])
        let (plans, decisions) = AutoFeaturizer.plan(f, target: "y")
        #expect(plans.map(\.0) == ["id", "const", "x", "c", "d"])
        #expect(decisions.map(\.action) == ["dropped", "dropped", "numeric", "one-hot", "date-parts"])
        #expect(decisions[0].reason == "every value is unique, like an identifier")
        #expect(decisions[2].reason == "standardised; 1 missing values filled with the mean and flagged")
        let pipeline = try FeaturePipeline.fit(f, plans: plans)
        #expect(pipeline.outputNames == ["x", "x.missing", "c=a", "c=b", "c=c", "d.year", "d.month", "d.day", "d.weekday", "d.hour", "d.is_weekend"])
    }

    @Test func seedRobustnessReportsTrustedDecimals() throws {
        let f = try Frame(columns: [
            Column(name: "x", storage: .float64((0..<100).map(Double.init))),
            Column(name: "y", storage: .float64((0..<100).map { Double($0) * 2 + Double($0 % 5) })),
        ])
        let (_, report) = try Trainer(estimator: try RidgeEstimator([:]), seeds: 4).run(f, target: "y")
        let r = try #require(report.seedRobustness)
        #expect(r.seeds == [42, 43, 44, 45] && r.values.count == 4)
        #expect(r.trustedDecimals == max(0, Int((-log10(2 * r.std)).rounded(.down))))
    }
}

@Suite("Feature selection")
struct FeatureSelectionTests {
    @Test func varianceThresholdAndTopK() throws {
        var rng = SeededGenerator(seed: 11)
        let n = 200
        let signal = (0..<n).map { _ in Double.random(in: -1...1, using: &rng) }
        let noise = (0..<n).map { _ in Double.random(in: -1...1, using: &rng) }
        let f = try Frame(columns: [
            Column(name: "signal", storage: .float64(signal)),
            Column(name: "noise", storage: .float64(noise)),
            Column(name: "y", storage: .float64(signal.map { 3 * $0 })),
        ])
        let model = try RidgeEstimator(["select_k": "1"]).fit(f, target: "y", seed: 0)
        #expect(model.pipeline?.outputNames == ["signal"])
        let back = try ModelFile.decode(ModelFile.encode(model))
        #expect(try back.predict(f) == model.predict(f))
        // Scoring data still needs the columns the model was trained on; selection only changes the matrix.
        #expect(try back.pipeline!.transform(f).names == ["signal"])
        // Standardised columns have variance 1: a threshold of 0.5 keeps both, 1.5 keeps none.
        #expect(try RidgeEstimator(["variance_threshold": "0.5"]).fit(f, target: "y", seed: 0).pipeline?.outputNames == ["signal", "noise"])
        #expect(try RidgeEstimator(["variance_threshold": "1.5"]).fit(f, target: "y", seed: 0).pipeline?.outputNames == [])
    }
}

@Suite("Target encoding")
struct TargetEncodingTests {
    static func frame(rows: Int = 400, categories: Int = 80) -> Frame {
        var rng = SeededGenerator(seed: 21)
        let codes = (0..<rows).map { _ in Int32.random(in: 0..<Int32(categories), using: &rng) }
        let effect = (0..<categories).map { _ in Double.random(in: -5...5, using: &rng) }
        let y = codes.map { effect[Int($0)] + Double.random(in: -1...1, using: &rng) }
        return try! Frame(columns: [
            Column(name: "city", storage: .string(codes: codes, dictionary: (0..<categories).map { "c\($0)" })),
            Column(name: "y", storage: .float64(y)),
        ])
    }

    @Test func autoFeaturizationChoosesItForManyCategories() throws {
        let model = try RidgeEstimator([:]).fit(Self.frame(), target: "y", seed: 0)
        #expect(model.pipeline?.decisions?.first?.action == "target-encoding")
        #expect(model.pipeline?.outputNames == ["city"])
        // A classification target with three classes keeps one-hot encoding.
        let (plans, _) = AutoFeaturizer.plan(Self.frame(), target: "y", targetEncodable: false)
        #expect(plans.first?.1 == .categorical(encoding: .oneHot(maxCategories: 50), missingIndicator: true))
    }

    @Test func trainingRowsAreEncodedOutOfFold() throws {
        let f = Self.frame()
        let y = try f.column("y").doubles()!
        let pipeline = try FeaturePipeline.fit(f, plans: [("city", .targetEncoding)], target: y)
        let full = try pipeline.transform(f).column(0)
        let oof = pipeline.outOfFoldEncodings(f, target: y, folds: 5, seed: 0)
        #expect(oof.count == 1)
        // Out-of-fold values differ from the in-sample ones (a row's own target is never used) ...
        #expect(zip(full, oof[0].1).filter { abs($0 - $1) > 1e-12 }.count > 300)
        // ... and do not depend on the row's own target: changing it leaves its encoding unchanged.
        var changed = y
        changed[0] += 1000
        let again = pipeline.outOfFoldEncodings(f, target: changed, folds: 5, seed: 0)
        #expect(again[0].1[0] == oof[0].1[0])
    }
}

@Suite("Target encoding parity with scikit-learn", .enabled(if: ProcessInfo.processInfo.environment["PULK_PYTHON"] != nil,
                                                            "set PULK_PYTHON to a Python with scikit-learn (scripts/test does)"))
struct TargetEncodingParityTests {
    struct Input: Encodable { var x: [String]; var y: [Double]; var type: String }

    @Test(arguments: ["continuous", "binary"])
    func matchesTargetEncoder(type: String) throws {
        let f = TargetEncodingTests.frame()
        var y = try f.column("y").doubles()!
        if type == "binary" { y = y.map { $0 > 0 ? 1 : 0 } }
        let pipeline = try FeaturePipeline.fit(f, plans: [("city", .targetEncoding)], target: y)
        let mine = try pipeline.transform(f).column(0)
        let c = try f.column("city")
        let o = try runOracle("target_encoding_oracle.py", Input(x: (0..<c.count).map { c.value(at: $0).description }, y: y, type: type)) as! [String: Any]
        let theirs = o["rows"] as! [Double]
        let worst = zip(mine, theirs).map { abs($0 - $1) }.max() ?? 1
        #expect(worst <= 1e-9, "\(type): \(worst)")
        let unseen = try Frame(columns: [Column(name: "city", storage: .string(codes: [0], dictionary: ["never seen"]))])
        #expect(abs(try pipeline.transform(unseen).values[0] - (o["unseen"] as! Double)) <= 1e-9)
    }
}
