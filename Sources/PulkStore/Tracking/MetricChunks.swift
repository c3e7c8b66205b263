/// Metric histories stored in chunks (`metric_chunks`): each logging call appends one row per key,
/// holding that call's points packed as little-endian 64-bit words (step, timestamp, value bits).
/// Reading a history decodes its chunks, merges the rows of the earlier one-row-per-point `metrics`
/// table, sorts by step, timestamp and value, and keeps identical points once (as MLflow does).
extension SQLTrackingStore {
    static let pointBytes = 24

    static func appendChunks(_ s: any SQLSession, _ runId: String, _ metrics: [Metric]) throws(StoreError) {
        guard !metrics.isEmpty else { return }
        var byKey: [String: [Metric]] = [:], order: [String] = []
        for m in metrics {
            if byKey[m.key] == nil { order.append(m.key) }
            byKey[m.key, default: []].append(m)
        }
        // Chunk numbers come from one counter (a row lock in PostgreSQL), so concurrent writers to
        // the same run and key never collide.
        let n = Int64(order.count)
        guard let last = try s.query("UPDATE counters SET value = value + ? WHERE name = 'metric_chunk' RETURNING value", .int(n)).first?[0].int else {
            throw StoreError(.internalError, "the metric chunk counter is missing")
        }
        var chunk = last - n
        for key in order {
            let points = byKey[key]!
            var bytes = [UInt8]()
            bytes.reserveCapacity(points.count * pointBytes)
            var lo = Int64.max, hi = Int64.min
            for p in points {
                append(p.step, to: &bytes)
                append(p.timestamp, to: &bytes)
                append(Int64(bitPattern: (p.value.isNaN ? Double.nan : p.value).bitPattern), to: &bytes)
                lo = min(lo, p.step)
                hi = max(hi, p.step)
            }
            chunk += 1
            try s.execute("INSERT INTO metric_chunks VALUES (?, ?, ?, ?, ?, ?, ?)", .text(runId), .text(key), .int(chunk), .int(Int64(points.count)),
                          .int(lo), .int(hi), .blob(bytes))
        }
    }

    @inline(__always)
    static func append(_ v: Int64, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// The whole history of one metric of a run, ordered by step, timestamp and value, without duplicates.
    static func history(_ s: any SQLSession, _ runId: String, _ key: String) throws(StoreError) -> [Metric] {
        var points: [Metric] = try s.query("SELECT value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ? AND key = ?", .text(runId), .text(key)).map { r in
            Metric(key, r[3].int == 1 ? .nan : r[0].double!, timestamp: r[1].int!, step: r[2].int!)
        }
        for r in try s.query("SELECT points FROM metric_chunks WHERE run_uuid = ? AND key = ? ORDER BY chunk", .text(runId), .text(key)) {
            guard let blob = r[0].blob, blob.count % pointBytes == 0 else { throw StoreError(.internalError, "a metric chunk of run \(runId) is damaged") }
            blob.withUnsafeBytes { raw in
                for k in 0..<(raw.count / pointBytes) {
                    let base = k * pointBytes
                    let step = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: base, as: Int64.self))
                    let time = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: base + 8, as: Int64.self))
                    let bits = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: base + 16, as: UInt64.self))
                    points.append(Metric(key, Double(bitPattern: bits), timestamp: time, step: step))
                }
            }
        }
        // NaN sorts as 0 (as the earlier table stored it) and after a real 0.
        func rank(_ m: Metric) -> (Int64, Int64, Double, Int) { (m.step, m.timestamp, m.value.isNaN ? 0 : m.value, m.value.isNaN ? 1 : 0) }
        points.sort { rank($0) < rank($1) }
        var out: [Metric] = []
        out.reserveCapacity(points.count)
        for p in points where out.last.map({ rank($0) != rank(p) }) ?? true { out.append(p) }
        return out
    }
}
