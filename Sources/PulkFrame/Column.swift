/// The typed values of a column. Missing slots hold a placeholder (0, or NaN for floats); the
/// column's validity bitmap is the source of truth for what is missing.
public enum ColumnStorage: Sendable, Equatable {
    case float64(ColumnBuffer<Double>)
    case int64(ColumnBuffer<Int64>)
    case bool(ColumnBuffer<Bool>)
    /// Dictionary-encoded text: `codes[i]` indexes `dictionary`.
    case string(codes: ColumnBuffer<Int32>, dictionary: [String])
    /// Days since 1970-01-01.
    case date(ColumnBuffer<Int32>)
    /// Microseconds since 1970-01-01T00:00:00Z.
    case datetime(ColumnBuffer<Int64>)

    // Array-taking spellings of the cases, for building columns from owned values.
    public static func float64(_ v: [Double]) -> ColumnStorage { .float64(ColumnBuffer(v)) }
    public static func int64(_ v: [Int64]) -> ColumnStorage { .int64(ColumnBuffer(v)) }
    public static func bool(_ v: [Bool]) -> ColumnStorage { .bool(ColumnBuffer(v)) }
    public static func string(codes: [Int32], dictionary: [String]) -> ColumnStorage {
        .string(codes: ColumnBuffer(codes), dictionary: dictionary)
    }
    public static func date(_ v: [Int32]) -> ColumnStorage { .date(ColumnBuffer(v)) }
    public static func datetime(_ v: [Int64]) -> ColumnStorage { .datetime(ColumnBuffer(v)) }

    public var type: DataType {
        switch self {
        case .float64: return .float64
        case .int64: return .int64
        case .bool: return .bool
        case .string: return .string
        case .date: return .date
        case .datetime: return .datetime
        }
    }

    public var count: Int {
        switch self {
        case .float64(let v): return v.count
        case .int64(let v): return v.count
        case .bool(let v): return v.count
        case .string(let c, _): return c.count
        case .date(let v): return v.count
        case .datetime(let v): return v.count
        }
    }
}

/// One value of a column, for display, tests and row-wise access (not for hot loops).
public enum Value: Sendable, Hashable, CustomStringConvertible {
    case missing
    case double(Double)
    case int(Int64)
    case bool(Bool)
    case string(String)
    case date(Int32)
    case datetime(Int64)

    public var description: String {
        switch self {
        case .missing: return ""
        case .double(let d): return formatDouble(d)
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return s
        case .date(let d): return CivilDate.format(days: d)
        case .datetime(let t): return CivilDate.format(micros: t)
        }
    }

    /// The value as a number when it is one (ints, floats, bools as 0/1, dates as days, datetimes as seconds).
    public var numeric: Double? {
        switch self {
        case .double(let d): return d
        case .int(let i): return Double(i)
        case .bool(let b): return b ? 1 : 0
        case .date(let d): return Double(d)
        case .datetime(let t): return Double(t) / 1e6
        case .missing, .string: return nil
        }
    }
}

/// Shortest text that reads back as the same `Double` (`inf`, `-inf` for infinities).
public func formatDouble(_ d: Double) -> String {
    if d.isInfinite { return d < 0 ? "-inf" : "inf" }
    if d.isNaN { return "nan" }
    if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) + (d == 0 && d.sign == .minus ? ".0" : "") }
    return "\(d)"
}

/// A byte count for people: `512 B`, `15.0 KiB`, `221.3 MiB`, … (one decimal, binary units).
public func formatBytes(_ n: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var v = Double(n), u = 0
    while v >= 1024, u < units.count - 1 { v /= 1024; u += 1 }
    if u == 0 { return "\(n) B" }
    let tenths = Int((v * 10).rounded())
    return "\(tenths / 10).\(tenths % 10) \(units[u])"
}

/// A named, typed column with a validity bitmap for missing values.
public struct Column: Sendable, Equatable {
    public var name: String
    public var storage: ColumnStorage
    /// `nil` means no value is missing.
    public var validity: Bitmap?

    public init(name: String, storage: ColumnStorage, validity: Bitmap? = nil) {
        precondition(validity == nil || validity!.count == storage.count, "validity length must match values")
        self.name = name
        self.storage = storage
        self.validity = (validity?.allSet ?? true) ? nil : validity
    }

    public var type: DataType { storage.type }
    public var count: Int { storage.count }
    public var field: Field { Field(name: name, type: type) }

    /// Number of missing values.
    public var missingCount: Int { validity.map { $0.count - $0.nonzeroCount } ?? 0 }

    @inlinable public func isValid(_ i: Int) -> Bool { validity?[i] ?? true }

    /// The value at row `i`.
    public func value(at i: Int) -> Value {
        guard isValid(i) else { return .missing }
        switch storage {
        case .float64(let v): return .double(v[i])
        case .int64(let v): return .int(v[i])
        case .bool(let v): return .bool(v[i])
        case .string(let c, let d): return .string(d[Int(c[i])])
        case .date(let v): return .date(v[i])
        case .datetime(let v): return .datetime(v[i])
        }
    }

    /// Values as `Double` (ints, bools as 0/1, dates as days, datetimes as seconds); missing → NaN.
    /// Returns nil for string columns.
    public func doubles() -> [Double]? {
        var out: [Double]
        switch storage {
        case .float64(let v): out = v.array
        case .int64(let v): out = v.map { Double($0) }
        case .bool(let v): out = v.map { $0 ? 1 : 0 }
        case .date(let v): out = v.map { Double($0) }
        case .datetime(let v): out = v.map { Double($0) / 1e6 }
        case .string: return nil
        }
        if let validity {
            for i in 0..<out.count where !validity[i] { out[i] = .nan }
        }
        return out
    }

    /// Rows at `indices`, in that order.
    public func take(_ indices: [Int]) -> Column {
        func pick<T>(_ v: ColumnBuffer<T>) -> [T] { v.withUnsafeBufferPointer { b in indices.map { b[$0] } } }
        let storage: ColumnStorage
        switch self.storage {
        case .float64(let v): storage = .float64(pick(v))
        case .int64(let v): storage = .int64(pick(v))
        case .bool(let v): storage = .bool(pick(v))
        case .string(let c, let d): storage = .string(codes: pick(c), dictionary: d)
        case .date(let v): storage = .date(pick(v))
        case .datetime(let v): storage = .datetime(pick(v))
        }
        let valid = validity.map { b in Bitmap(indices.lazy.map { b[$0] }) }
        return Column(name: name, storage: storage, validity: valid)
    }

    /// Rows in `range`.
    public func slice(_ range: Range<Int>) -> Column { take(Array(range)) }

    /// The same values as a column with dictionary entries no row uses removed, in first-use order.
    public func compactingDictionary() -> Column {
        guard case .string(let codes, let dict) = storage else { return self }
        var remap = [Int32](repeating: -1, count: dict.count)
        var newDict: [String] = []
        var newCodes = codes.array
        for i in 0..<codes.count where isValid(i) {
            let c = Int(codes[i])
            if remap[c] < 0 { remap[c] = Int32(newDict.count); newDict.append(dict[c]) }
            newCodes[i] = remap[c]
        }
        for i in 0..<codes.count where !isValid(i) { newCodes[i] = 0 }
        return Column(name: name, storage: .string(codes: newCodes, dictionary: newDict), validity: validity)
    }
}
