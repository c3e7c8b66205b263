/// Numeric model input: `rows × columns` doubles stored column by column (column j occupies
/// `values[j * rows ..< (j + 1) * rows]`), the layout coordinate-descent and tree learners scan.
public struct DesignMatrix: Sendable, Equatable {
    public let rows: Int
    public let names: [String]
    public var values: [Double]

    public init(rows: Int, names: [String], values: [Double]) {
        precondition(values.count == rows * names.count, "values must hold rows × columns numbers")
        self.rows = rows
        self.names = names
        self.values = values
    }

    public var columns: Int { names.count }

    /// Column `j` as an array.
    public func column(_ j: Int) -> [Double] { Array(values[(j * rows)..<((j + 1) * rows)]) }

    /// The value at row `i`, column `j`.
    public subscript(i: Int, j: Int) -> Double { values[j * rows + i] }
}
