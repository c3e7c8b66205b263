import Foundation
import Testing
@testable import PulkFrame
@testable import PulkProfile

/// The repository root, found from this file's path.
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func fixedOptions() -> ProfileOptions {
    var o = ProfileOptions()
    o.now = { Date(timeIntervalSince1970: 1_800_000_000) }
    return o
}

@Suite("Profiler: hand-computed answers")
struct ProfileTests {
    let frame = try! Frame(columns: [
        Column(name: "x", storage: .float64([1, 2, 3, 4, 100, .nan]), validity: Bitmap([true, true, true, true, true, false])),
        Column(name: "y", storage: .int64([2, 4, 6, 8, 200, 0])),
        Column(name: "c", storage: .string(codes: [0, 0, 1, 1, 1, 0], dictionary: ["a", "b"])),
        Column(name: "k", storage: .int64([7, 7, 7, 7, 7, 7])),
        Column(name: "id", storage: .string(codes: [0, 1, 2, 3, 4, 5], dictionary: ["u1", "u2", "u3", "u4", "u5", "u6"])),
    ])

    @Test func numericColumn() throws {
        let p = try Profiler(options: fixedOptions()).profile(frame, source: "t")
        let x = p.columns[0]
        #expect(x.count == 5 && x.missing == 1)
        #expect(abs(x.missingPercent - 100.0 / 6) < 1e-12)
        #expect(x.distinct == 5)
        let n = try #require(x.numeric)
        #expect(n.mean == 22)
        // Sample std: deviations -21,-20,-19,-18,78 → Σd² = 441+400+361+324+6084 = 7610; /4 → 1902.5
        #expect(abs(n.std! - 1902.5.squareRoot()) < 1e-12)
        #expect(n.quantiles["p50"] == 3)
        #expect(n.quantiles["p25"] == 2)
        #expect(abs(n.quantiles["p99"]! - (4 + 96 * 0.96)) < 1e-9)
        // Tukey fences: Q1 2, Q3 4 → [-1, 7]; 100 is outside.
        #expect(x.outliers?.count == 1 && x.outliers?.lowerFence == -1 && x.outliers?.upperFence == 7)
        #expect(x.histogram?.counts.reduce(0, +) == 5)
        #expect(x.histogram?.counts.first == 4)
    }

    @Test func skewnessMatchesAdjustedFisherPearson() throws {
        let p = try Profiler(options: fixedOptions()).profile(frame, source: "t")
        let v = [1.0, 2, 3, 4, 100]
        let n = 5.0, mean = 22.0
        let m2 = v.map { pow($0 - mean, 2) }.reduce(0, +) / n
        let m3 = v.map { pow($0 - mean, 3) }.reduce(0, +) / n
        let expected = m3 / pow(m2, 1.5) * (n * (n - 1)).squareRoot() / (n - 2)
        #expect(abs(p.columns[0].numeric!.skewness! - expected) < 1e-12)
    }

    @Test func flagsAndWarnings() throws {
        let p = try Profiler(options: fixedOptions()).profile(frame, source: "t")
        #expect(p.columns[3].flags == ["constant"])
        #expect(p.columns[1].flags.isEmpty)
        let codes = Set(p.warnings.map(\.code))
        #expect(codes.contains("missing-values"))
        #expect(codes.contains("constant"))
        #expect(p.warnings.first { $0.code == "missing-values" }!.message.contains("'x' is missing in 16.7% of rows (1 of 6)"))
    }

    @Test func correlationsOfAffineColumns() throws {
        let p = try Profiler(options: fixedOptions()).profile(frame, source: "t")
        let c = p.correlations
        #expect(c.numericColumns == ["x", "y", "k"])
        // x and y = 2x agree on the 5 rows where x is present.
        #expect(abs(c.pearson[0][1]! - 1) < 1e-12)
        #expect(abs(c.spearman[0][1]! - 1) < 1e-12)
        #expect(c.pearson[0][2] == nil) // constant column: undefined
        #expect(p.warnings.contains { $0.code == "high-correlation" })
    }

    @Test func idLikeAndDuplicates() throws {
        let rows = 30
        let f = try Frame(columns: [
            Column(name: "id", storage: .int64((0..<rows).map { Int64($0) })),
            Column(name: "v", storage: .int64((0..<rows).map { Int64($0 % 3) })),
            Column(name: "w", storage: .int64((0..<rows).map { Int64($0 % 3) })),
        ])
        let p = try Profiler(options: fixedOptions()).profile(f, source: "t")
        #expect(p.columns[0].flags.contains("id-like"))
        #expect(p.summary.duplicateColumns == [["v", "w"]])
        #expect(p.summary.duplicateRows == 0)
        let g = try Frame(columns: [f.columns[1], f.columns[2]])
        let q = try Profiler(options: fixedOptions()).profile(g, source: "t")
        #expect(q.summary.duplicateRows == 27)
        #expect(q.summary.duplicateRowExamples.first?.prefix(3) == [0, 3, 6])
    }

    @Test func targetAssociationAndLeakage() throws {
        let n = 200
        let y = (0..<n).map { Int32($0 % 2) }
        let f = try Frame(columns: [
            Column(name: "leak", storage: .float64(y.map { Double($0) * 10 + 1 })),
            Column(name: "noise", storage: .float64((0..<n).map { Double(($0 * 7919) % 101) })),
            Column(name: "label", storage: .string(codes: y, dictionary: ["no", "yes"])),
        ])
        let p = try Profiler(options: fixedOptions()).profile(f, source: "t", target: "label")
        let t = try #require(p.target)
        #expect(t.task == "classification")
        #expect(t.associations.first?.column == "leak")
        #expect(abs(t.associations.first!.mutualInformation - log(2)) < 1e-12)
        #expect(t.associations.first?.normalizedMutualInformation == 1)
        #expect(p.warnings.contains { $0.code == "leakage-suspected" && $0.column == "leak" })
        #expect(!p.warnings.contains { $0.code == "leakage-suspected" && $0.column == "noise" })
        #expect(t.classBalance == [ValueCount(value: "no", count: 100), ValueCount(value: "yes", count: 100)])
    }

    @Test func classImbalance() throws {
        let f = try Frame(columns: [Column(name: "y", storage: .string(codes: (0..<100).map { $0 < 95 ? 0 : 1 }, dictionary: ["a", "b"]))])
        let p = try Profiler(options: fixedOptions()).profile(f, source: "t", target: "y")
        #expect(p.warnings.contains { $0.code == "class-imbalance" })
    }

    @Test func cramersVAndCorrelationRatio() {
        // Perfect association between two binary variables.
        #expect(Correlation.cramersV([0, 0, 1, 1], 2, [1, 1, 0, 0], 2) == 1)
        // Independence.
        #expect(Correlation.cramersV([0, 0, 1, 1], 2, [0, 1, 0, 1], 2) == 0)
        // η: groups {1,3} and {10,12}: between = 2·(2-6.5)² + 2·(11-6.5)² = 81; total = 81 + 4 = 85.
        #expect(abs(Correlation.correlationRatio([1, 3, 10, 12], [0, 0, 1, 1], 2)! - (81.0 / 85).squareRoot()) < 1e-12)
    }

    @Test func stringFlags() throws {
        let months = (0..<40).map { "2020-\($0 % 12 + 1 < 10 ? "0" : "")\($0 % 12 + 1)" }
        let mixed = (0..<40).map { $0 % 4 == 0 ? "n/a" : "\($0)" }
        let f = try Frame(columns: [
            Column(name: "m", storage: .string(codes: (0..<40).map { Int32($0) }, dictionary: months)),
            Column(name: "mixed", storage: .string(codes: (0..<40).map { Int32($0) }, dictionary: mixed)),
        ])
        let p = try Profiler(options: fixedOptions()).profile(f, source: "t")
        #expect(p.columns[0].flags.contains("date-like-strings"))
        #expect(p.columns[1].flags.contains("mixed-types"))
    }

    @Test func unknownTarget() {
        #expect(throws: ProfileError.self) { try Profiler().profile(frame, source: "t", target: "nope") }
    }

}

@Suite("Profile reports")
struct ReportTests {
    func penguinsProfile() throws -> DatasetProfile {
        let frame = try CSVReader().read(path: repoRoot.appendingPathComponent("examples/penguins.csv").path).0
        return try Profiler(options: fixedOptions()).profile(frame, source: "penguins:1", target: "species")
    }

    /// The JSON schema is pinned by a golden file; run with RECORD_GOLDEN=1 to rewrite it (the test then fails
    /// so a person reviews the diff).
    @Test func jsonGolden() throws {
        let json = String(decoding: try penguinsProfile().jsonData(), as: UTF8.self) + "\n"
        let golden = repoRoot.appendingPathComponent("Tests/PulkProfileTests/Fixtures/penguins.profile.json")
        if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
            try json.write(to: golden, atomically: true, encoding: .utf8)
            Issue.record("golden file rewritten: review the diff and commit it")
            return
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(json == expected)
    }

    @Test func jsonDecodes() throws {
        let p = try penguinsProfile()
        let back = try DatasetProfile.decode(p.jsonData())
        #expect(back.columns.map(\.name) == p.columns.map(\.name))
        #expect(back.schemaVersion == 1)
    }

    @Test func htmlIsSelfContained() throws {
        let html = try penguinsProfile().html()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(!html.contains("<link"))
        for part in ["Summary", "Warnings", "Target: <code>species</code>", "Correlations", "Pearson correlation heatmap",
                     "Histogram of bill_length_mm", "Most frequent values of island", "role=\"img\""] {
            #expect(html.contains(part), "missing \(part)")
        }
    }

    @Test func htmlEscapesText() throws {
        let f = try Frame(columns: [Column(name: "<b>x</b>", storage: .string(codes: [0, 1], dictionary: ["<script>", "a&b"]))])
        let html = try Profiler(options: fixedOptions()).profile(f, source: "\"q\"").html()
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;"))
        #expect(html.contains("&lt;b&gt;x&lt;/b&gt;"))
    }
}
