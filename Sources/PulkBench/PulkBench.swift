import Foundation
import PulkFrame
import PulkProfile
import PulkLearn
#if canImport(Glibc)
import Glibc
#endif

/// Pulk's side of the foundation benchmarks (run by Benchmarks/run.sh beside pyarrow). Each
/// subcommand prints one JSON line.
///
///   PulkBench csv FILE [REPS]       read a CSV into typed columns; median seconds and MB/s
///   PulkBench csv-memory FILE       one read in a fresh process: peak RSS vs the columns' bytes
///   PulkBench parquet FILE [REPS]   read a Parquet file into columns, then write it back (Snappy); median seconds
///   PulkBench binary FILE [REPS]    load the binary frame copy vs parsing the CSV, each in a fresh process
///   PulkBench profile FILE [REPS]   full profile (with correlations) of the frame
///   PulkBench request BODY [REPS]   a JSON scoring body (numbers, dataframe_split) read into the model's matrix
@main
struct PulkBench {
    static func main() throws {
        Allocator.tuneForColumnarWork()
        let args = CommandLine.arguments
        guard args.count >= 3 else {
            print("usage: PulkBench csv|csv-memory|binary|profile FILE [REPS]")
            exit(2)
        }
        let path = args[2]
        let reps = args.count > 3 ? Int(args[3]) ?? 3 : 3
        switch args[1] {
        case "csv": try csv(path, reps: reps)
        case "csv-memory": try csvMemory(path)
        case "parquet": try parquet(path, reps: reps)
        case "binary": try binary(path, reps: reps)
        case "load-once": try loadOnce(path, mode: args.count > 3 ? args[3] : "csv")
        case "profile": try profile(path, reps: reps)
        case "logistic": try logistic(path, reps: reps)
        case "linear": try linear(path, reps: reps)
        case "iforest": try isolationForest(path, reps: reps)
        case "als": try als(path, reps: reps)
        case "kmeans": try kmeans(path, reps: reps, restarts: args.count > 4 ? Int(args[4]) ?? 3 : 3)
        case "predict": try predictor(path, trainRows: args.count > 3 ? Int(args[3]) ?? 20_000 : 20_000)
        case "request": try request(path, reps: reps)
        case "gbdt": try gbdt(path, task: args.count > 3 ? args[3] : "clf", reps: args.count > 4 ? Int(args[4]) ?? 1 : 1)
        default: print("unknown benchmark \(args[1])"); exit(2)
        }
    }

    static func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let r = try body()
        return (r, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }

    static func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] }

    static func emit(_ dict: [String: Any]) {
        let data = try! JSONSerialization.data(withJSONObject: dict, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0
    }

    static func peakRSS() -> Int {
        var u = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
        return Int(u.ru_maxrss) * 1024
    }

    static func csv(_ path: String, reps: Int) throws {
        var times: [Double] = []
        var shape = (0, 0)
        for _ in 0..<reps {
            let (f, t) = try time { try CSVReader().read(path: path).0 }
            times.append(t)
            shape = (f.rowCount, f.columnCount)
        }
        let mb = Double(fileSize(path)) / 1e6
        emit(["benchmark": "csv_read", "rows": shape.0, "columns": shape.1, "size_mb": mb, "seconds": times,
              "median_s": median(times), "mb_per_s": mb / median(times), "threads": defaultThreadCount()])
    }

    static func parquet(_ path: String, reps: Int) throws {
        var reads: [Double] = [], writes: [Double] = [], encodes: [Double] = []
        var frame = try ParquetReader().read(path: path)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("pulkbench-\(getpid()).parquet").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        for _ in 0..<reps {
            let (f, t) = try time { try ParquetReader().read(path: path) }
            reads.append(t)
            frame = f
            let (_, w) = try time { try ParquetWriter(compression: .snappy).write(frame, to: out) }
            writes.append(w)
            let (bytes, e) = time { ParquetWriter(compression: .snappy).bytes(frame) }
            precondition(bytes.count > 0)
            encodes.append(e)
        }
        // What was written reads back to the same values.
        let back = try ParquetReader().read(path: out)
        precondition(back == frame, "the written file does not read back to the same frame")
        emit(["benchmark": "parquet", "rows": frame.rowCount, "columns": frame.columnCount, "size_mb": Double(fileSize(path)) / 1e6,
              "read_seconds": reads, "read_median_s": median(reads), "write_seconds": writes, "write_median_s": median(writes),
              "encode_seconds": encodes, "encode_median_s": median(encodes),
              "written_mb": Double(fileSize(out)) / 1e6, "written_copy": out + ".kept", "threads": defaultThreadCount()])
        try? FileManager.default.copyItem(atPath: out, toPath: out + ".kept")
    }

    static func csvMemory(_ path: String) throws {
        let (f, t) = try time { try CSVReader().read(path: path).0 }
        let peak = peakRSS()
        emit(["benchmark": "csv_read_memory", "seconds": t, "peak_rss_bytes": peak, "column_bytes": f.memoryBytes,
              "ratio": Double(peak) / Double(f.memoryBytes)])
    }

    /// Each load runs in a fresh child process, as `pulk` would, so neither side reuses warm heap pages.
    static func binary(_ path: String, reps: Int) throws {
        let frame = try CSVReader().read(path: path).0
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("pulkbench-\(getpid()).pulkframe").path
        _ = FileManager.default.createFile(atPath: copy, contents: Data(FrameFile.encode(frame)))
        defer { try? FileManager.default.removeItem(atPath: copy) }
        var csvTimes: [Double] = [], binTimes: [Double] = [], touchTimes: [Double] = []
        for _ in 0..<reps {
            csvTimes.append(try child(["load-once", path, "csv"]))
            binTimes.append(try child(["load-once", copy, "binary"]))
            touchTimes.append(try child(["load-once", copy, "binary-touch"]))
        }
        emit(["benchmark": "binary_load", "csv_median_s": median(csvTimes), "binary_median_s": median(binTimes),
              "csv_seconds": csvTimes, "binary_seconds": binTimes,
              "binary_touch_median_s": median(touchTimes), "binary_touch_seconds": touchTimes,
              "touch_speedup": median(csvTimes) / median(touchTimes),
              "speedup": median(csvTimes) / median(binTimes), "binary_mb": Double(fileSize(copy)) / 1e6])
    }

    /// Runs this benchmark binary with `args` and returns the seconds the child reports.
    static func child(_ args: [String]) throws -> Double {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Double(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))!
    }

    /// `csv`: parse; `binary`: map the frame file; `binary-touch`: map it and read every value once
    /// (what the first pass over a freshly loaded dataset costs).
    static func loadOnce(_ path: String, mode: String) throws {
        let (f, t) = try time { () throws -> Frame in
            let f = mode == "csv" ? try CSVReader().read(path: path).0 : try FrameFile.read(path: path)
            if mode == "binary-touch" {
                let total = UncheckedSendable(f)
                let sums = ResultSlots<Double>(count: f.columnCount)
                parallelFor(f.columnCount) { c in
                    if case .float64(let v) = total.value.columns[c].storage { sums[c] = v.withUnsafeBufferPointer { $0.reduce(0, +) } }
                    if case .int64(let v) = total.value.columns[c].storage { sums[c] = Double(v.withUnsafeBufferPointer { $0.reduce(0, &+) }) }
                }
                precondition(sums.values.compactMap { $0 }.count == f.columnCount)
            }
            return f
        }
        precondition(f.rowCount > 0)
        print(t)
    }

    /// L2 logistic regression on the first 800,000 rows (standardised inside the model), scored on
    /// the last 200,000, as `Benchmarks/anchor_logistic.py` does with scikit-learn.
    static func logistic(_ path: String, reps: Int) throws {
        let frame = try CSVReader().read(path: path).0
        let train = frame.slice(0..<800_000), test = frame.slice(800_000..<frame.rowCount)
        let target = frame.names.last!
        var times: [Double] = []
        var loss = 0.0
        for _ in 0..<reps {
            let (model, t) = try time { try LogisticRegressionEstimator([:]).fit(train, target: target, seed: 0) }
            times.append(t)
            guard case .classification(_, _, let proba) = try model.predict(test) else { continue }
            let labels = try TargetValues.extract(test, target: target, task: .classification).classes
            loss = ClassificationMetrics.logLoss(labels, probabilities: Array(proba))
        }
        emit(["benchmark": "logistic", "fit_median_s": median(times), "fit_seconds": times, "test_log_loss": loss])
    }

    /// Ridge and elastic net on the first 800,000 rows of the regression data, RMSE on the rest.
    static func linear(_ path: String, reps: Int) throws {
        let frame = try CSVReader().read(path: path).0
        let train = frame.slice(0..<800_000), test = frame.slice(800_000..<frame.rowCount)
        let target = frame.names.last!
        var result: [String: Any] = ["benchmark": "linear"]
        let only = ProcessInfo.processInfo.environment["PULK_BENCH_ONLY"]
        for (name, estimator) in [("ridge", try RidgeEstimator([:]) as any Estimator), ("elasticnet", try ElasticNetEstimator(["alpha": "0.1"]))]
            where only == nil || only == name {
            var times: [Double] = []
            var rmse = 0.0
            for _ in 0..<reps {
                let (model, t) = try time { try estimator.fit(train, target: target, seed: 0) }
                times.append(t)
                guard case .regression(let p) = try model.predict(test) else { continue }
                rmse = try RegressionMetrics.rootMeanSquaredError(test.column(target).doubles()!, p)
            }
            result["\(name)_fit_median_s"] = median(times)
            result["\(name)_test_rmse"] = rmse
        }
        emit(result)
    }

    /// k-means, k = 16, on the feature columns (not the last) of every row, numbers as they are
    /// (scale=none, as scikit-learn's KMeans sees them): the estimator's whole fit, featurization included.
    static func kmeans(_ path: String, reps: Int, restarts: Int) throws {
        let frame = try CSVReader().read(path: path).0
        let target = frame.names.last!
        var times: [Double] = [], inertias: [Double] = []
        for rep in 0..<reps {
            let algorithm = ProcessInfo.processInfo.environment["PULK_KMEANS_ALGORITHM"] ?? "hamerly"
            let estimator = try KMeansEstimator(["k": "16", "n_init": String(restarts), "scale": "none", "tol": "1e-4", "max_iter": "300",
                                                 "algorithm": algorithm])
            let (model, t) = try time { try estimator.fit(frame, target: target, seed: UInt64(rep)) }
            times.append(t)
            guard case .clustering(_, let distances, _) = try model.predict(frame) else { continue }
            inertias.append(distances.reduce(0) { $0 + $1 * $1 })
        }
        emit(["benchmark": "kmeans", "rows": frame.rowCount, "fit_median_s": median(times), "inertia_median": median(inertias), "inertias": inertias])
    }

    /// Implicit ALS, 64 factors, 15 iterations (regularization 0.01, alpha 1, 3 CG steps) on a CSV of
    /// `user,item,weight`: the estimator's whole fit (indexing the interactions included), then one
    /// user's top 10 without what they have seen, for 2,000 users, as an endpoint answers it.
    static func als(_ path: String, reps: Int) throws {
        let frame = try CSVReader().read(path: path).0
        var times: [Double] = []
        var model: (any RecommenderModel)?
        for rep in 0..<reps {
            let estimator = try ALSEstimator(["user": "user", "item": "item", "rating": "weight", "factors": "64", "iterations": "15",
                                              "regularization": "0.01", "alpha": "1", "cg_steps": "3"])
            let (m, t) = try time { try estimator.fit(frame, target: "", seed: UInt64(rep)) }
            times.append(t)
            model = m as? any RecommenderModel
        }
        guard let model else { return }
        var generator = SeededGenerator(seed: 0)
        var latencies: [Double] = []
        for _ in 0..<2000 {
            let user = model.users[Int.random(in: 0..<model.users.count, using: &generator)]
            let (_, t) = time { model.recommend(user: user, k: 10) }
            latencies.append(t * 1e6)
        }
        latencies.sort()
        emit(["benchmark": "als", "interactions": frame.rowCount, "users": model.users.count, "items": model.items.count,
              "fit_median_s": median(times), "recommend_p50_us": latencies[1000], "recommend_p99_us": latencies[1980]])
    }

    /// Isolation forest, 100 trees, 256 rows per tree, on the feature columns (not the last) of every
    /// row: the estimator's fit (featurization and the robust profile that explains flags included)
    /// and the scores of every row (`predict`: preprocessing, scores, flags and reasons).
    static func isolationForest(_ path: String, reps: Int) throws {
        let frame = try CSVReader().read(path: path).0
        let features = try frame.select(Array(frame.names.dropLast()))
        var fits: [Double] = [], scores: [Double] = []
        var flagged = 0
        for rep in 0..<reps {
            let estimator = try IsolationForestEstimator(["n_estimators": "100", "max_samples": "256"])
            let (model, t) = try time { try estimator.fit(features, target: "", seed: UInt64(rep)) }
            fits.append(t)
            let (p, s) = try time { try model.predict(features) }
            scores.append(s)
            if case .anomaly(_, let f, _) = p { flagged = f.filter { $0 }.count }
        }
        emit(["benchmark": "iforest", "rows": frame.rowCount, "fit_median_s": median(fits), "score_median_s": median(scores), "flagged": flagged])
    }

    static func profile(_ path: String, reps: Int) throws {
        let frame = try CSVReader().read(path: path).0
        var times: [Double] = []
        var warnings = 0
        for _ in 0..<reps {
            let (p, t) = try time { try Profiler().profile(frame, source: path, target: frame.names.last) }
            times.append(t)
            warnings = p.warnings.count
        }
        emit(["benchmark": "profile", "rows": frame.rowCount, "columns": frame.columnCount, "seconds": times,
              "median_s": median(times), "warnings": warnings])
    }
}
