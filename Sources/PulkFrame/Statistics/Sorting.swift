/// Sorting primitives for the profiler: an LSD radix argsort of doubles (four 16-bit passes over
/// order-preserving integer keys, skipping passes where every key shares the digit).
public enum Sorting {
    /// An integer whose unsigned order equals the double's numeric order (-0.0 sorts before 0.0).
    @inline(__always) public static func key(_ d: Double) -> UInt64 {
        let b = d.bitPattern
        return b & (1 << 63) != 0 ? ~b : b | (1 << 63)
    }

    /// Indices of `values` in ascending order (stable). Callers pass finite or infinite values only.
    public static func argsort(_ values: UnsafeBufferPointer<Double>) -> [Int32] {
        let n = values.count
        let keys = [UInt64](unsafeUninitializedCapacity: n) { b, c in
            for i in 0..<n { b[i] = key(values[i]) }
            c = n
        }
        return argsort(keys: keys)
    }

    /// Indices of `keys` in ascending order (stable).
    public static func argsort(keys: [UInt64]) -> [Int32] {
        var keys = keys
        let n = keys.count
        var idx = [Int32](unsafeUninitializedCapacity: n) { b, c in
            for i in 0..<n { b[i] = Int32(i) }
            c = n
        }
        if n < 2 { return idx }
        var keys2 = [UInt64](repeating: 0, count: n)
        var idx2 = [Int32](repeating: 0, count: n)
        var counts = [Int](repeating: 0, count: 65536)
        for pass in 0..<4 {
            let shift = UInt64(pass * 16)
            keys.withUnsafeBufferPointer { k in
                counts.withUnsafeMutableBufferPointer { c in
                    for i in 0..<65536 { c[i] = 0 }
                    for i in 0..<n { c[Int((k[i] >> shift) & 0xFFFF)] += 1 }
                }
            }
            if counts[Int((keys[0] >> shift) & 0xFFFF)] == n { continue } // all share this digit
            var sum = 0
            for i in 0..<65536 { let c = counts[i]; counts[i] = sum; sum += c }
            keys.withUnsafeBufferPointer { k in
                idx.withUnsafeBufferPointer { ix in
                    keys2.withUnsafeMutableBufferPointer { k2 in
                        idx2.withUnsafeMutableBufferPointer { ix2 in
                            counts.withUnsafeMutableBufferPointer { c in
                                for i in 0..<n {
                                    let d = Int((k[i] >> shift) & 0xFFFF)
                                    let pos = c[d]
                                    c[d] = pos + 1
                                    k2[pos] = k[i]
                                    ix2[pos] = ix[i]
                                }
                            }
                        }
                    }
                }
            }
            swap(&keys, &keys2)
            swap(&idx, &idx2)
        }
        return idx
    }

    /// The values in ascending order (an LSD radix sort on order-preserving keys, skipping passes
    /// where every key shares the digit). Callers pass no NaN.
    public static func sorted(_ values: [Double]) -> [Double] {
        let n = values.count
        if n < 2 { return values }
        var keys = [UInt64](unsafeUninitializedCapacity: n) { b, c in
            values.withUnsafeBufferPointer { v in for i in 0..<n { b[i] = key(v[i]) } }
            c = n
        }
        var other = [UInt64](repeating: 0, count: n)
        var counts = [Int](repeating: 0, count: 65536)
        for pass in 0..<4 {
            let shift = UInt64(pass * 16)
            let skip: Bool = keys.withUnsafeBufferPointer { k in
                counts.withUnsafeMutableBufferPointer { c in
                    for i in 0..<65536 { c[i] = 0 }
                    for i in 0..<n { c[Int((k[i] >> shift) & 0xFFFF)] += 1 }
                    if c[Int((k[0] >> shift) & 0xFFFF)] == n { return true }
                    var sum = 0
                    for i in 0..<65536 { let x = c[i]; c[i] = sum; sum += x }
                    return false
                }
            }
            if skip { continue }
            keys.withUnsafeBufferPointer { k in
                other.withUnsafeMutableBufferPointer { o in
                    counts.withUnsafeMutableBufferPointer { c in
                        for i in 0..<n {
                            let d = Int((k[i] >> shift) & 0xFFFF)
                            o[c[d]] = k[i]
                            c[d] += 1
                        }
                    }
                }
            }
            swap(&keys, &other)
        }
        return keys.map { k in Double(bitPattern: k & (1 << 63) != 0 ? k & ~(1 << 63) : ~k) }
    }

    /// 1-based ranks with ties given their average rank (as scipy's `rankdata`), from an argsort.
    public static func averageRanks(_ values: UnsafeBufferPointer<Double>, order: [Int32]) -> [Double] {
        let n = values.count
        var ranks = [Double](repeating: 0, count: n)
        var i = 0
        while i < n {
            var j = i + 1
            let v = values[Int(order[i])]
            while j < n, values[Int(order[j])] == v { j += 1 }
            let r = Double(i + j + 1) / 2 // average of ranks i+1 … j
            for k in i..<j { ranks[Int(order[k])] = r }
            i = j
        }
        return ranks
    }
}
