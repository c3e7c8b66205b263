/// A classifier's probabilities, one row per input row and one column per class, kept in one
/// row-major buffer: a row is an array when read (`[i]`), but scoring a batch makes no array per row
/// (for a 100-row request those were most of its allocations).
public struct ClassProbabilities: Sendable, RandomAccessCollection, ExpressibleByArrayLiteral, CustomStringConvertible {
    /// Row-major, `width` per row.
    public let values: [Double]
    /// Probabilities per row (the number of classes).
    public let width: Int
    public let count: Int

    /// `rows` rows of `width` probabilities, row-major in `values`.
    public init(values: [Double], width: Int, rows: Int) {
        precondition(values.count == width * rows, "\(values.count) probabilities for \(rows) rows of \(width)")
        self.values = values
        self.width = width
        count = rows
    }

    /// Rows given as arrays, all of one length.
    public init(_ rows: [[Double]]) {
        let width = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == width }, "probability rows of different lengths")
        self.init(values: rows.flatMap { $0 }, width: width, rows: rows.count)
    }

    public init(arrayLiteral rows: [Double]...) { self.init(rows) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(row: Int) -> [Double] {
        precondition(row >= 0 && row < count, "probability row \(row) of \(count)")
        return Array(values[(row * width)..<((row + 1) * width)])
    }

    /// Rows `range`.
    public func rows(_ range: Range<Int>) -> ClassProbabilities {
        ClassProbabilities(values: Array(values[(range.lowerBound * width)..<(range.upperBound * width)]), width: width, rows: range.count)
    }

    /// The most probable class of each row (`Predictions.mostProbable`).
    public func mostProbable() -> [Int] {
        (0..<count).map { Predictions.mostProbable(values[($0 * width)..<(($0 + 1) * width)]) }
    }

    public var description: String { Array(self).description }
}

extension ClassProbabilities: Equatable {
    /// Equal rows (with no rows, whatever their width).
    public static func == (a: ClassProbabilities, b: ClassProbabilities) -> Bool {
        a.count == b.count && a.values == b.values && (a.count == 0 || a.width == b.width)
    }
}
