import PulkFrame
import PulkLearn
@testable import PulkAutoML
import Testing

/// The data checks before an AutoML search: each problem crafted into a table is found, fixed when
/// it can be (columns dropped) and warned of otherwise; clean data passes every check.
@Suite("AutoML guardrails")
struct GuardrailTests {
    static let binary = TaskDecision(kind: .binary, inferred: true, reason: "test")

    /// 100 rows: a useful number, then one column per problem; 90 "no" against 10 "yes".
    static func messy() -> Frame {
        let n = 100
        let y: [Int32] = (0..<n).map { $0 % 10 == 0 ? 1 : 0 }
        var x = (0..<n).map { Double($0 % 17) }
        x[3] = .nan
        return try! Frame(columns: [
            Column(name: "x", storage: .float64(x), validity: Bitmap((0..<n).map { $0 != 3 })),
            Column(name: "same", storage: .int64([Int64](repeating: 7, count: n))),
            Column(name: "id", storage: .string(codes: (0..<n).map(Int32.init), dictionary: (0..<n).map { "row\($0)" })),
            Column(name: "note", storage: .string(codes: (0..<n).map { Int32($0 < 80 ? $0 : 0) }, dictionary: (0..<80).map { "note \($0)" })),
            Column(name: "leak", storage: .string(codes: y, dictionary: ["n", "y"])),
            Column(name: "label", storage: .string(codes: y, dictionary: ["no", "yes"])),
        ])
    }

    func result(_ results: [Guardrail], _ check: String) -> Guardrail? { results.first { $0.check == check } }

    @Test func findsAndFixesEachProblem() throws {
        let (frame, results) = Guardrails.check(Self.messy(), target: "label", task: Self.binary, folds: 5)
        #expect(frame.names == ["x", "leak", "label"], "dropped: constant, identifier and free text")
        #expect(result(results, "constant columns")?.outcome == .fixed && result(results, "constant columns")?.columns == ["same"])
        #expect(result(results, "identifier columns")?.columns == ["id"] && result(results, "high-cardinality text")?.columns == ["note"])
        #expect(result(results, "missing values")?.outcome == .fixed && result(results, "missing values")?.columns == ["x"])
        #expect(result(results, "class balance")?.outcome == .warned && result(results, "class balance")?.detail.contains("yes has 10 rows") == true)
        #expect(result(results, "target leakage")?.outcome == .warned && result(results, "target leakage")?.columns == ["leak"])
        #expect(result(results, "rows per class")?.outcome == .passed)
        // x repeats every 17 rows, so most rows repeat an earlier one's kept features.
        #expect(result(results, "duplicate rows")?.outcome == .warned)
    }

    @Test func cleanDataPassesAndDuplicatesAreCounted() {
        let n = 60
        let a = (0..<n).map { Double($0 % 30) }, b = (0..<n).map { Double(($0 % 30) * 7 % 11) }
        let frame = try! Frame(columns: [
            Column(name: "a", storage: .float64(a)), Column(name: "b", storage: .float64(b)),
            Column(name: "y", storage: .float64((0..<n).map { a[$0] + Double($0 % 5) - b[$0] * 0.3 })),
        ])
        let (kept, results) = Guardrails.check(frame, target: "y", task: TaskDecision(kind: .regression, inferred: true, reason: ""), folds: 5)
        #expect(kept.names == ["a", "b", "y"])
        #expect(result(results, "duplicate rows")?.outcome == .warned && result(results, "duplicate rows")?.detail.hasPrefix("30 rows repeat") == true)
        #expect(results.filter { $0.check != "duplicate rows" }.allSatisfy { $0.outcome == .passed }, "\(results)")
        #expect(result(results, "class balance") == nil, "no class checks for regression")
    }

    @Test func fewRowsOfAClassAreWarnedOf() {
        let y: [Int32] = [Int32](repeating: 0, count: 40) + [1, 1, 1] + [Int32](repeating: 2, count: 40)
        let frame = try! Frame(columns: [
            Column(name: "v", storage: .float64(y.indices.map { Double($0 * 37 % 83) })),
            Column(name: "y", storage: .string(codes: y, dictionary: ["a", "b", "c"])),
        ])
        let (_, results) = Guardrails.check(frame, target: "y", task: TaskDecision(kind: .multiclass, inferred: true, reason: ""), folds: 5)
        #expect(result(results, "rows per class")?.outcome == .warned && result(results, "rows per class")?.detail.hasPrefix("b has 3 rows") == true)
    }
}
