/// A feature's way from a value to its bin (how many of its sorted thresholds lie below the value)
/// without a binary search: the thresholds' range cut into equal buckets, each knowing the bin its
/// values start from, so that a value's bin is that start plus a branch-free count over at most
/// `width` thresholds. Two dependent loads in place of the seven of a binary search over 100
/// thresholds.
///
/// Exact for every value, not only most: the bucket of a value only grows with the value (a
/// subtraction, a multiplication by a positive number and clamping all keep order), so every
/// threshold of an earlier bucket lies below a value and every threshold of a later one does not;
/// the thresholds of the value's own bucket, at most `width` of them, are counted one by one. Past
/// them the count reads the next bucket's thresholds (which do not lie below the value) or the
/// `+infinity` padding after the feature's last one.
public struct BinGuide: Sendable, Equatable {
    /// The first threshold, buckets per unit of value, and the last bucket (as a double, to clamp).
    public var low: Double
    public var scale: Double
    public var top: Double
    /// Where the feature's buckets start in the guides' bucket table, and its thresholds in the
    /// padded threshold table; `bucketStart` is -1 when the feature has no guide (its thresholds
    /// crowd some bucket however finely cut: the binary search serves it).
    public var bucketStart: Int32
    public var paddedStart: Int32

    /// Thresholds counted one by one in a value's bucket (and `+infinity` entries after each
    /// feature's thresholds in the padded table).
    public static let width = 4
    /// The most buckets a feature may have, per threshold and in all.
    static let bucketsPerThreshold = 64, maxBuckets = 1 << 15

    public static let none = BinGuide(low: 0, scale: 0, top: 0, bucketStart: -1, paddedStart: 0)

    /// `value`'s bucket. NaN goes to bucket 0 (the caller answers missing values apart);
    /// infinities and values past the thresholds go to the first or the last bucket.
    @inlinable @inline(__always)
    public func bucket(_ value: Double) -> Int {
        let s = (value - low) * scale
        return Self.nearest(s > 0 ? (s < top ? s : top) : 0)
    }

    /// The integer nearest `s` (0 ≤ s < 2^32), by the bits of s + 2^52: no conversion with its
    /// range checks, so that the eight-lane copy (`bins`) is vector arithmetic. Rounding to nearest
    /// keeps order as truncating would.
    @inlinable @inline(__always)
    static func nearest(_ s: Double) -> Int { Int(truncatingIfNeeded: (s + 0x1p52).bitPattern & 0xFFFF_FFFF) }

    /// The guide of one feature's `sorted` distinct finite thresholds, and its buckets' first bins;
    /// nil when no cut of at most `maxBuckets` buckets leaves every bucket `width` thresholds or fewer,
    /// or a threshold is the largest finite double (values are clamped to it before the count).
    public static func make(_ sorted: ArraySlice<Double>) -> (guide: BinGuide, starts: [UInt16])? {
        guard let first = sorted.first, let last = sorted.last, sorted.count < Int(UInt16.max),
              sorted.allSatisfy({ $0.isFinite && $0 < .greatestFiniteMagnitude }) else { return nil }
        let span = last - first
        var buckets = 1
        while buckets < sorted.count { buckets <<= 1 }
        while buckets <= min(maxBuckets, sorted.count * bucketsPerThreshold) {
            let scale = span > 0 ? Double(buckets) / span : 0
            guard scale.isFinite else { return nil }
            let guide = BinGuide(low: first, scale: scale, top: Double(buckets - 1), bucketStart: 0, paddedStart: 0)
            var perBucket = [Int](repeating: 0, count: buckets)
            for t in sorted { perBucket[guide.bucket(t)] += 1 }
            if perBucket.max()! <= width {
                // A bucket's values start above every threshold of the buckets before it.
                var starts = [UInt16](), below = 0
                starts.reserveCapacity(buckets)
                for n in perBucket {
                    starts.append(UInt16(below))
                    below += n
                }
                return (guide, starts)
            }
            buckets <<= 1
        }
        return nil
    }

    /// How many of the feature's thresholds lie below `value` (not NaN), its thresholds at
    /// `padded` (`paddedStart` already added, `width` `+infinity` after the last) and its buckets'
    /// first bins at `starts` (`bucketStart` added).
    @inlinable @inline(__always)
    public func bin(_ value: Double, padded: UnsafePointer<Double>, starts: UnsafePointer<UInt16>) -> Int {
        // +infinity counts as the largest finite double: every threshold is below both, and the
        // padding is above both (infinity minus infinity would be NaN, whose sign is set).
        let v = value < .greatestFiniteMagnitude ? value : .greatestFiniteMagnitude
        let b = Int(starts[bucket(v)])
        let t = padded + b
        var n = b
        for k in 0..<Self.width { n &+= 1 & BitvectorTables.below(t[k], v) }
        return n
    }

    /// `bin` of eight values at once (NaN lanes get some bin; the caller answers them apart): the
    /// same doubles and comparisons lane by lane, so the same bins. The arithmetic is vector
    /// arithmetic; the loads are eight independent ones per step (LLVM inserts them lane by lane).
    @_transparent  // as `BitvectorTables.guidedCounts`
    public func bins(_ value: SIMD8<Double>, padded: UnsafePointer<Double>, starts: UnsafePointer<UInt16>) -> SIMD8<Int64> {
        let v = value.replacing(with: .greatestFiniteMagnitude, where: .!(value .< .greatestFiniteMagnitude))
        var s = (v - low) * scale
        s.replace(with: 0, where: .!(s .> 0))
        s.replace(with: top, where: s .> top)
        let bucket = unsafeBitCast(s + 0x1p52, to: SIMD8<Int64>.self) & 0xFFFF_FFFF
        var b = SIMD8<Int64>()
        for j in 0..<8 { b[j] = Int64(starts[Int(bucket[j])]) }
        var n = b
        for k in 0..<Self.width {
            var t = SIMD8<Double>()
            for j in 0..<8 { t[j] = padded[Int(b[j]) &+ k] }
            n &+= SIMD8<Int64>(repeating: 1).replacing(with: 0, where: .!(t .< v))
        }
        return n
    }
}
