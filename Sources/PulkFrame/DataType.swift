/// The logical type of a column.
///
/// Storage per type: `float64` → `Double`, `int64` → `Int64`, `bool` → `Bool`,
/// `string` → dictionary-encoded categorical (`Int32` codes into a `[String]` dictionary),
/// `date` → days since 1970-01-01 (`Int32`), `datetime` → microseconds since the Unix epoch, UTC (`Int64`).
public enum DataType: String, Codable, Sendable, CaseIterable {
    case float64, int64, bool, string, date, datetime

    /// Whether values of this type are numbers that statistics such as mean and correlation apply to.
    public var isNumeric: Bool { self == .float64 || self == .int64 }

    /// Bytes per value in memory, not counting dictionaries or validity bitmaps.
    public var valueWidth: Int {
        switch self {
        case .float64, .int64, .datetime: return 8
        case .string, .date: return 4
        case .bool: return 1
        }
    }
}

/// One column's name and type.
public struct Field: Codable, Sendable, Hashable {
    public var name: String
    public var type: DataType
    public init(name: String, type: DataType) {
        self.name = name
        self.type = type
    }
}

/// The ordered fields of a frame.
public struct Schema: Codable, Sendable, Hashable {
    public var fields: [Field]
    public init(_ fields: [Field]) { self.fields = fields }

    /// Column names in order.
    public var names: [String] { fields.map(\.name) }

    /// The index of the field called `name`, if any.
    public func index(of name: String) -> Int? { fields.firstIndex { $0.name == name } }
}
