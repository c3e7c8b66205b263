import Foundation
import Testing
import PulkFrame
import PulkLearn
import PulkModels
import PulkTestSupport

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The shared contract every estimator of the catalog keeps (STYLE.md: one suite, every
/// implementation), for each task it takes on.
@Suite("Estimator contract")
struct EstimatorContractTests {
    static let cases: [Case] = Catalog.estimators.flatMap { e in e.tasks.map { Case(name: e.name, task: $0) } }
    static let classifiers = cases.filter { $0.task == .classification }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var task: Task
        var testDescription: String { "\(name) (\(task.rawValue))" }
    }

    func make(_ name: String) throws -> any Estimator {
        try Catalog.estimator(named: name).init([:])
    }

    @Test(arguments: cases)
    func deterministicUnderASeed(c: Case) throws {
        let e = try make(c.name)
        let f = contractFrame(task: c.task)
        let a = try e.fit(f, target: "y", seed: 7).predict(f)
        let b = try e.fit(f, target: "y", seed: 7).predict(f)
        #expect(a == b)
    }

    /// Feature columns (recommenders read a user column; RecommendationTests checks its absence).
    @Test(arguments: cases.filter { $0.task != .recommendation })
    func wrongSchemaIsAClearError(c: Case) throws {
        let e = try make(c.name)
        let f = contractFrame(task: c.task)
        let model = try e.fit(f, target: "y", seed: 1)
        let missing = try f.select(["x", "y"])
        do {
            _ = try model.predict(missing)
            Issue.record("predicting without features must fail")
        } catch {
            #expect(error.description == "model expects 3 features, got 1: missing 'c', 'd'. Score data with the columns the model was trained on.")
        }
        var retyped = try f.select(["c", "d", "y"])
        try retyped.append(Column(name: "x", storage: .string(codes: [Int32](repeating: 0, count: f.rowCount), dictionary: ["?"])))
        #expect(throws: LearnError.wrongFeatureType(column: "x", expected: .float64, got: .string)) { try model.predict(retyped) }
        // Extra columns and another column order are fine.
        var extra = try f.select(["d", "c", "x"])
        try extra.append(Column(name: "unused", storage: .int64([Int64](repeating: 1, count: f.rowCount))))
        _ = try model.predict(extra)
    }

    @Test(arguments: cases.filter { $0.task.supervised })
    func constantTarget(c: Case) throws {
        let e = try make(c.name)
        let task = c.task
        let f = contractFrame(task: task, target: [Double](repeating: 1, count: 60))
        let p = try e.fit(f, target: "y", seed: 1).predict(f)
        #expect(Set(p.labels).count == 1)
    }

    @Test(arguments: cases.filter { $0.task != .recommendation })
    func allMissingFeatureColumn(c: Case) throws {
        let e = try make(c.name)
        let f = contractFrame(task: c.task)
        var g = try f.select(["x", "c", "d", "y"])
        g = try Frame(columns: g.columns.map { c in
            c.name == "x" ? Column(name: "x", storage: .float64(.init(repeating: .nan, count: f.rowCount)),
                                   validity: Bitmap(count: f.rowCount, value: false)) : c
        })
        _ = try e.fit(g, target: "y", seed: 1).predict(g)
    }

    @Test(arguments: classifiers)
    func singleClass(c: Case) throws {
        let e = try make(c.name)
        let f = contractFrame(task: .classification, target: [Double](repeating: 2, count: 60))
        let model = try e.fit(f, target: "y", seed: 1)
        #expect(model.target.classes == ["c"])
        #expect(Set(try model.predict(f).labels) == ["c"])
    }

    @Test(arguments: cases)
    func roundTripPredictsBitIdentically(c: Case) throws {
        let e = try make(c.name)
        let f = contractFrame(task: c.task)
        let model = try e.fit(f, target: "y", seed: 3)
        let bytes = ModelFile.encode(model)
        let back = try Catalog.decode(bytes)
        #expect(try back.predict(f) == model.predict(f))
        #expect(ModelFile.encode(back) == bytes)
        #expect(back.schema == model.schema && back.target == model.target && back.kind == model.kind)
    }

    /// Every estimator decides its task from the target as the catalog says.
    @Test(arguments: cases)
    func taskFollowsTheTarget(c: Case) throws {
        let e = try make(c.name)
        let f = contractFrame(task: c.task)
        #expect(e.task(for: f, target: "y") == c.task)
        #expect(try e.fit(f, target: "y", seed: 1).target.task == c.task)
    }
}

@Suite("Model catalog")
struct ModelCatalogTests {
    /// docs/models.md is generated from the parameter declarations; RECORD_GOLDEN=1 rewrites it (and fails).
    @Test func docsAreCurrent() throws {
        let file = repoRoot.appendingPathComponent("docs/models.md")
        let text = Catalog.markdown()
        if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
            try text.write(to: file, atomically: true, encoding: .utf8)
            Issue.record("docs/models.md rewritten: review and commit it")
            return
        }
        #expect(try String(contentsOf: file, encoding: .utf8) == text, "run RECORD_GOLDEN=1 scripts/test --filter docsAreCurrent")
    }

    @Test func namesAreUniqueAndDecodable() {
        let names = Catalog.estimators.map { $0.name }
        #expect(Set(names).count == names.count)
        for n in names { #expect(Catalog.decoders[n] != nil, "no decoder for \(n)") }
    }
}
