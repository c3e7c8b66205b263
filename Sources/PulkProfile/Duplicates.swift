import PulkFrame

/// Exact duplicate rows and columns, found by hashing then confirmed value by value.
enum Duplicates {
    /// A hash of each column's value bits (and missingness) per row, folded across columns.
    static func rowHashes(_ frame: Frame) -> [UInt64] {
        var h = [UInt64](repeating: 0xcbf29ce484222325, count: frame.rowCount)
        for c in frame.columns {
            h.withUnsafeMutableBufferPointer { hb in
                func mix(_ i: Int, _ v: UInt64) {
                    var x = hb[i] ^ v
                    x = (x ^ (x >> 33)) &* 0xff51afd7ed558ccd
                    hb[i] = x ^ (x >> 29)
                }
                switch c.storage {
                case .float64(let v): for i in 0..<v.count { mix(i, c.isValid(i) ? (v[i] == 0 ? 0 : v[i].bitPattern) : 0x9e3779b97f4a7c15) }
                case .int64(let v), .datetime(let v): for i in 0..<v.count { mix(i, c.isValid(i) ? UInt64(bitPattern: v[i]) : 0x9e3779b97f4a7c15) }
                case .date(let v): for i in 0..<v.count { mix(i, c.isValid(i) ? UInt64(UInt32(bitPattern: v[i])) : 0x9e3779b97f4a7c15) }
                case .bool(let v): for i in 0..<v.count { mix(i, c.isValid(i) ? (v[i] ? 1 : 2) : 0x9e3779b97f4a7c15) }
                case .string(let codes, _): for i in 0..<codes.count { mix(i, c.isValid(i) ? UInt64(codes[i]) : 0x9e3779b97f4a7c15) }
                }
            }
        }
        return h
    }

    static func rowsEqual(_ frame: Frame, _ a: Int, _ b: Int) -> Bool {
        frame.columns.allSatisfy { c in
            let x = c.value(at: a), y = c.value(at: b)
            if case .double(let p) = x, case .double(let q) = y { return p == q }
            return x == y
        }
    }

    /// Rows identical to an earlier row, and up to `examples` groups of identical rows.
    static func rows(_ frame: Frame, examples: Int) -> (count: Int, groups: [[Int]]) {
        let hashes = rowHashes(frame)
        let order = Sorting.argsort(keys: hashes)
        var count = 0
        var groups: [[Int]] = []
        var i = 0
        while i < order.count {
            var j = i + 1
            while j < order.count, hashes[Int(order[j])] == hashes[Int(order[i])] { j += 1 }
            if j - i > 1 {
                // Confirm: group members equal to the first of their run.
                var remaining = (i..<j).map { Int(order[$0]) }.sorted()
                while let first = remaining.first {
                    let same = remaining.filter { rowsEqual(frame, first, $0) }
                    remaining.removeAll { same.contains($0) }
                    if same.count > 1 {
                        count += same.count - 1
                        if groups.count < examples { groups.append(same) }
                    }
                }
            }
            i = j
        }
        return (count, groups.sorted { $0[0] < $1[0] })
    }

    /// Groups of columns with identical values (and types).
    static func columns(_ frame: Frame) -> [[String]] {
        var groups: [[String]] = []
        var used = Set<Int>()
        for a in 0..<frame.columnCount where !used.contains(a) {
            var group = [frame.columns[a].name]
            for b in (a + 1)..<max(a + 1, frame.columnCount) where !used.contains(b) {
                let x = frame.columns[a], y = frame.columns[b]
                guard x.type == y.type, x.validity == y.validity else { continue }
                let equal: Bool
                switch (x.storage, y.storage) {
                case (.string, .string): equal = (0..<x.count).allSatisfy { x.value(at: $0) == y.value(at: $0) }
                case (.float64(let p), .float64(let q)): equal = (0..<p.count).allSatisfy { !x.isValid($0) || p[$0] == q[$0] }
                default: equal = x.storage == y.storage
                }
                if equal { group.append(y.name); used.insert(b) }
            }
            if group.count > 1 { groups.append(group) }
        }
        return groups
    }
}
