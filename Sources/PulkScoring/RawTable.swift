/// One JSON scalar of a scoring request, kept as a position in the body (strings are decoded only
/// when a text feature needs them) or as the parsed number.
struct Scalar: Sendable {
    enum Kind: UInt8, Sendable { case null, number, string, bool, nested }
    var kind: Kind
    var escaped = false
    var flag = false
    /// Byte range in the body: the string's contents (without quotes) or the number's text.
    var start: Int32 = 0
    var length: Int32 = 0
    var number: Double = 0

    static let null = Scalar(kind: .null)
}

/// A request's cells, column by column, before they meet the model's schema. Columns are named
/// (records, `columns` of a split, column dictionaries) or positional (lists of lists).
struct RawTable {
    /// Column names, when the shape had any; nil for positional rows.
    var names: [String]?
    var columns: [[Scalar]]
    var rows: Int
    /// Rows whose length differs from the first row's (positional shapes): (row, length).
    var ragged: [(Int, Int)] = []
    /// Positional rows of plain numbers, read without a `Scalar` per cell (`RequestParser.numericRows`):
    /// the cells row by row, `width` per row; `columns` is then empty.
    var numbers: [Double]? = nil
    var width = 0

    /// How many columns the table has, in either form.
    var columnCount: Int { numbers == nil ? columns.count : width }

    /// Column `k`'s numbers from the row-by-row cells.
    func numberColumn(_ k: Int) -> [Double] { numberColumns(CollectionOfOne(k)) }

    /// The numbers of columns `source` from the row-by-row cells, one column after another
    /// (column-major: column `source[j]` at `j * rows`).
    func numberColumns(_ source: some Collection<Int>) -> [Double] {
        guard let numbers else { return [] }
        return [Double](unsafeUninitializedCapacity: rows * source.count) { out, done in
            numbers.withUnsafeBufferPointer { v in
                for (j, k) in source.enumerated() {
                    let column = out.baseAddress! + j * rows
                    var at = k
                    for r in 0..<rows { column[r] = v[at]; at &+= width }
                }
            }
            done = rows * source.count
        }
    }
}
