import Foundation
import PulkFrame
import PulkLearn
import PulkTrees

/// Pulk's side of the tree benchmark (Benchmarks/trees.sh runs LightGBM beside it).
///
///   PulkBench gbdt FILE clf|reg|multi [REPS]
/// trains on the first 80% of the rows (800,000 of the 1M-row sets) (100 rounds, 31 leaves, learning rate 0.1, max_bin 255, 2
/// threads; binning included in the time), scores the last 200,000, and for classification also
/// times batch prediction and single-row latency. Peak RSS is that of this process.
extension PulkBench {
    static func gbdt(_ path: String, task: String, reps: Int) throws {
        let frame = try CSVReader().read(path: path).0
        let cut = frame.rowCount * 4 / 5
        let train = frame.slice(0..<cut), test = frame.slice(cut..<frame.rowCount)
        let target = frame.names.last!
        let estimator = try GradientBoostingEstimator([
            "objective": ["clf": "binary", "multi": "multiclass"][task] ?? "regression", "num_iterations": "100", "num_leaves": "31",
            "learning_rate": "0.1", "max_bin": "255", "num_threads": "2",
        ])
        var times: [Double] = []
        var model: BoostedTreesModel!
        for _ in 0..<reps {
            let (m, t) = try time { try estimator.fit(train, target: target, seed: 42) }
            times.append(t)
            model = (m as! BoostedTreesModel)
        }
        var result: [String: Any] = ["benchmark": "gbdt_\(task)", "fit_median_s": median(times), "fit_seconds": times,
                                     "fit_min_s": times.min()!, "peak_rss_bytes": peakRSS()]
        result["mean_tree_depth"] = Double(model.trees.reduce(0) { $0 + $1.depth }) / Double(model.trees.count)
        let metrics = try Evaluation.metrics(try model.predict(test), frame: test, target: target)
        for m in metrics where ["roc_auc", "log_loss", "rmse", "r2", "accuracy"].contains(m.name) { result["test_" + m.name] = m.value }
        if task == "clf" && ProcessInfo.processInfo.environment["PULK_BENCH_FIT_ONLY"] == nil {
            // Batch: the 200,000 test rows as a frame, as a user scores them.
            _ = try model.predict(test.slice(0..<1000))
            var batch: [Double] = []
            for _ in 0..<5 { batch.append(try time { try model.predict(test) }.1) }
            result["batch_rows_per_s"] = Double(test.rowCount) / median(batch)
            var rawTimes: [Double] = []
            for _ in 0..<5 { rawTimes.append(try time { try model.rawScores(test) }.1) }
            result["batch_raw_scores_rows_per_s"] = Double(test.rowCount) / median(rawTimes)
            // Scores only (inputs already converted): the predictor itself.
            let inputs = try TreeInputs(frame: test, schema: model.schema)
            let p = inputs.columns.count
            let rowMajor = inputs.rowMajor()
            var flatTimes: [Double] = []
            for _ in 0..<5 { flatTimes.append(time { model.rawScores(inputs) }.1) }
            result["batch_predictor_only_rows_per_s"] = Double(test.rowCount) / median(flatTimes)
            // Single rows: allocation-free path, 10,000 calls over 2,000 distinct rows.
            var out = [Double](repeating: 0, count: 1)
            var lat: [Double] = []
            lat.reserveCapacity(10_000)
            rowMajor.withUnsafeBufferPointer { x in
                out.withUnsafeMutableBufferPointer { o in
                    for i in 0..<200 { model.rawScore(row: x.baseAddress! + i * p, into: o.baseAddress!) }
                    for i in 0..<10_000 {
                        let t0 = DispatchTime.now().uptimeNanoseconds
                        model.rawScore(row: x.baseAddress! + (i % 2000) * p, into: o.baseAddress!)
                        lat.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1000)
                    }
                }
            }
            lat.sort()
            result["single_row_median_us"] = lat[lat.count / 2]
            result["single_row_p99_us"] = lat[lat.count * 99 / 100]
            // Single rows through the public API: a one-row frame in, predictions out.
            var frameLat: [Double] = []
            for i in 0..<2000 {
                let one = test.slice(i..<(i + 1))
                let t0 = DispatchTime.now().uptimeNanoseconds
                _ = try model.predict(one)
                frameLat.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1000)
            }
            frameLat.sort()
            result["single_row_frame_median_us"] = frameLat[frameLat.count / 2]
        }
        emit(result)
    }

    /// The predictor alone, as a scoring request and a batch meet it:
    ///
    ///   PulkBench predict FILE [TRAIN_ROWS]
    /// trains the serving benchmark's model (100 rounds, 31 leaves) on the first TRAIN_ROWS rows
    /// (20,000), then scores the rest in 100-row batches on one thread and as one batch on all.
    static func predictor(_ path: String, trainRows: Int) throws {
        let frame = try CSVReader().read(path: path).0
        let target = frame.names.last!
        let train = frame.slice(0..<trainRows), test = frame.slice(trainRows..<frame.rowCount)
        let model = try GradientBoostingEstimator(["objective": "binary", "num_iterations": "100", "num_leaves": "31", "learning_rate": "0.1"])
            .fit(train, target: target, seed: 42) as! BoostedTreesModel
        let inputs = try TreeInputs(frame: test, schema: model.schema)
        var result: [String: Any] = ["benchmark": "predictor", "rows": test.rowCount,
                                     "mean_tree_depth": Double(model.trees.reduce(0) { $0 + $1.depth }) / Double(model.trees.count)]
        // 100-row requests: each batch converted and scored on this thread.
        let batches = (0..<min(2000, test.rowCount / 100)).map { test.slice(($0 * 100)..<($0 * 100 + 100)) }
        let batchInputs = try batches.map { try TreeInputs(frame: $0, schema: model.schema) }
        var small: [Double] = []
        for _ in 0..<5 { small.append(time { for b in batchInputs { _ = model.rawScores(b, threads: 1) } }.1) }
        result["rows100_one_thread_rows_per_s"] = Double(batches.count * 100) / median(small)
        var smallFrames: [Double] = []
        for _ in 0..<5 { smallFrames.append(try time { for b in batches { _ = try model.predict(b) } }.1) }
        result["rows100_frames_one_thread_rows_per_s"] = Double(batches.count * 100) / median(smallFrames)
        var big: [Double] = []
        for _ in 0..<5 { big.append(time { model.rawScores(inputs) }.1) }
        result["batch_all_threads_rows_per_s"] = Double(inputs.rows) / median(big)
        let check = model.rawScores(inputs)
        result["checksum"] = check.reduce(0, +)
        emit(result)
    }
}
