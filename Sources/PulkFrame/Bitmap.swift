/// A packed bit per row; in a column it marks which values are present (1) or missing (0).
public struct Bitmap: Sendable, Hashable {
    /// 64 rows per word, least significant bit first.
    public private(set) var words: [UInt64]
    /// Number of bits.
    public private(set) var count: Int

    /// A bitmap of `count` bits, all set to `value`.
    public init(count: Int, value: Bool) {
        self.count = count
        let n = (count + 63) >> 6
        words = [UInt64](repeating: value ? ~0 : 0, count: n)
        if value { clearTail() }
    }

    /// A bitmap from raw words (extra high bits beyond `count` are cleared).
    public init(words: [UInt64], count: Int) {
        precondition(words.count == (count + 63) >> 6, "word count does not match bit count")
        self.words = words
        self.count = count
        clearTail()
    }

    /// A bitmap from one `Bool` per bit.
    public init<S: Sequence>(_ bits: S) where S.Element == Bool {
        var b = Bitmap(count: 0, value: false)
        for bit in bits { b.append(bit) }
        self = b
    }

    private mutating func clearTail() {
        let r = count & 63
        if r != 0, !words.isEmpty { words[words.count - 1] &= (1 << UInt64(r)) - 1 }
    }

    public subscript(i: Int) -> Bool {
        get { words[i >> 6] & (1 << UInt64(i & 63)) != 0 }
        set {
            if newValue { words[i >> 6] |= 1 << UInt64(i & 63) } else { words[i >> 6] &= ~(1 << UInt64(i & 63)) }
        }
    }

    /// Adds a bit at the end.
    public mutating func append(_ bit: Bool) {
        if count & 63 == 0 { words.append(0) }
        if bit { words[count >> 6] |= 1 << UInt64(count & 63) }
        count += 1
    }

    /// Adds all bits of `other` at the end.
    public mutating func append(contentsOf other: Bitmap) {
        if count & 63 == 0 {
            words.append(contentsOf: other.words)
            count += other.count
            return
        }
        for i in 0..<other.count { append(other[i]) }
    }

    /// Number of set bits.
    public var nonzeroCount: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// True when every bit is set.
    public var allSet: Bool { nonzeroCount == count }
}
