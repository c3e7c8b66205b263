/// A table of equally long, named, typed columns: the unit every reader produces and every
/// profiler and learner consumes. A value type; copies share storage until written.
public struct Frame: Sendable, Equatable {
    public private(set) var columns: [Column]
    public let rowCount: Int

    /// A frame from columns of equal length and distinct names.
    public init(columns: [Column]) throws(FrameError) {
        let n = columns.first?.count ?? 0
        var seen = Set<String>()
        for c in columns {
            if c.count != n {
                throw .invalidArgument("column '\(c.name)' has \(c.count) rows but '\(columns[0].name)' has \(n)")
            }
            if !seen.insert(c.name).inserted {
                throw .invalidArgument("two columns are named '\(c.name)'; column names must be unique")
            }
        }
        self.columns = columns
        self.rowCount = n
    }

    public var columnCount: Int { columns.count }
    public var schema: Schema { Schema(columns.map(\.field)) }
    public var names: [String] { columns.map(\.name) }

    /// The column called `name`.
    public func column(_ name: String) throws(FrameError) -> Column {
        guard let c = columns.first(where: { $0.name == name }) else { throw .unknownColumn(name, available: names) }
        return c
    }

    /// Only the named columns, in the given order.
    public func select(_ names: [String]) throws(FrameError) -> Frame {
        var out: [Column] = []
        for n in names { out.append(try column(n)) }
        return try Frame(columns: out)
    }

    /// Rows at `indices`, in that order.
    public func take(_ indices: [Int]) -> Frame {
        for i in indices { precondition(i >= 0 && i < rowCount, "row index \(i) out of range 0..<\(rowCount)") }
        return try! Frame(columns: columns.map { $0.take(indices) })
    }

    /// Rows where `mask` is true.
    public func filter(_ mask: [Bool]) throws(FrameError) -> Frame {
        guard mask.count == rowCount else {
            throw .invalidArgument("filter mask has \(mask.count) entries but the frame has \(rowCount) rows")
        }
        return take(mask.indices.filter { mask[$0] })
    }

    /// Rows where `predicate` holds.
    public func filter(_ predicate: (Int) -> Bool) -> Frame { take((0..<rowCount).filter(predicate)) }

    /// The first `n` rows (fewer when the frame is shorter).
    public func head(_ n: Int) -> Frame { slice(0..<min(max(n, 0), rowCount)) }

    /// Rows in `range`, clamped to the frame.
    public func slice(_ range: Range<Int>) -> Frame {
        let r = max(0, range.lowerBound)..<min(rowCount, max(range.upperBound, range.lowerBound))
        return try! Frame(columns: columns.map { $0.slice(r) })
    }

    /// Bytes held by values, dictionaries and bitmaps: what the frame costs in memory.
    public var memoryBytes: Int {
        columns.reduce(0) { total, c in
            var b = c.count * c.type.valueWidth + (c.validity.map { $0.words.count * 8 } ?? 0)
            if case .string(_, let d) = c.storage { b += d.reduce(0) { $0 + $1.utf8.count + 16 } }
            return total + b
        }
    }

    /// Appends a column (its length must match).
    public mutating func append(_ column: Column) throws(FrameError) {
        self = try Frame(columns: columns + [column])
    }
}
