public import PulkStore
/// Metric histories stored in chunks (`metric_chunks`): each logging call appends one row per key,
/// holding that call's points packed: a format byte (1), then per point the step and the timestamp
/// as zigzag varint deltas from the previous point's, and the value's 64 bits little-endian (about
/// 10 bytes a point instead of 24: the write-ahead log's bytes were the largest cost of a batch).
/// Reading a history decodes its chunks, merges the rows of the earlier one-row-per-point `metrics`
/// table, sorts by step, timestamp and value, and keeps identical points once (as MLflow does).
extension SQLTrackingStore {
    static let chunkFormat: UInt8 = 1

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
        var rows: [[SQLValue]] = []
        rows.reserveCapacity(order.count)
        for key in order {
            let points = byKey[key]!
            var bytes = [UInt8]()
            bytes.reserveCapacity(1 + points.count * 12)
            bytes.append(chunkFormat)
            var lo = Int64.max, hi = Int64.min, step: Int64 = 0, time: Int64 = 0
            for p in points {
                appendVarint(p.step &- step, to: &bytes)
                appendVarint(p.timestamp &- time, to: &bytes)
                append(Int64(bitPattern: (p.value.isNaN ? Double.nan : p.value).bitPattern), to: &bytes)
                step = p.step
                time = p.timestamp
                lo = min(lo, p.step)
                hi = max(hi, p.step)
            }
            chunk += 1
            rows.append([.text(runId), .text(key), .int(chunk), .int(Int64(points.count)), .int(lo), .int(hi), .blob(bytes)])
        }
        try insertRows(s, into: "metric_chunks", rows, chunk: 50)
    }

    @inline(__always)
    static func append(_ v: Int64, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A signed integer as a zigzag varint (small magnitudes in one byte).
    @inline(__always)
    static func appendVarint(_ v: Int64, to bytes: inout [UInt8]) {
        var z = UInt64(bitPattern: (v << 1) ^ (v >> 63))
        while z >= 0x80 { bytes.append(UInt8(truncatingIfNeeded: z) | 0x80); z >>= 7 }
        bytes.append(UInt8(z))
    }

    /// Decodes one chunk's points (nil when the bytes are not a chunk this build writes).
    static func decodeChunk(_ blob: [UInt8], count: Int, key: String, into points: inout [Metric]) -> Bool {
        blob.withUnsafeBytes { raw -> Bool in
            guard raw.count >= 1, raw[0] == chunkFormat else { return false }
            var at = 1, step: Int64 = 0, time: Int64 = 0
            func varint() -> Int64? {
                var z: UInt64 = 0, shift: UInt64 = 0
                while at < raw.count, shift < 64 {
                    let b = raw[at]
                    at += 1
                    z |= UInt64(b & 0x7F) << shift
                    if b < 0x80 { return Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1) }
                    shift += 7
                }
                return nil
            }
            for _ in 0..<count {
                guard let ds = varint(), let dt = varint(), at + 8 <= raw.count else { return false }
                step = step &+ ds
                time = time &+ dt
                let bits = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))
                at += 8
                points.append(Metric(key, Double(bitPattern: bits), timestamp: time, step: step))
            }
            return at == raw.count
        }
    }

    /// The whole history of one metric of a run, ordered by step, timestamp and value, without duplicates.
    static func history(_ s: any SQLSession, _ runId: String, _ key: String) throws(StoreError) -> [Metric] {
        var points: [Metric] = try s.query("SELECT value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ? AND key = ?", .text(runId), .text(key)).map { r in
            Metric(key, r[3].int == 1 ? .nan : r[0].double!, timestamp: r[1].int!, step: r[2].int!)
        }
        for r in try s.query("SELECT points, count FROM metric_chunks WHERE run_uuid = ? AND key = ? ORDER BY chunk", .text(runId), .text(key)) {
            guard let blob = r[0].blob, let n = r[1].int, decodeChunk(blob, count: Int(n), key: key, into: &points) else {
                throw StoreError(.internalError, "a metric chunk of run \(runId) is damaged or written by a newer pulk; upgrade pulk")
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
