public import PulkFrame
public import PulkLearn

/// Input columns copied beside the predictions (`--keep id,col`, `--keep-all`), so that each
/// prediction can be joined back to its row.
public enum KeptColumns: Sendable, Equatable {
    case none
    case columns([String])
    case all

    /// The names to copy from an input with columns `available`, in the order asked for (every
    /// column in the input's order for `.all`). A name the input lacks is refused with the choices;
    /// one the predictions take (`prediction`, `probability_…`) is refused with the fix.
    public func names(available: [String]) throws(FrameError) -> [String] {
        let names: [String]
        switch self {
        case .none: return []
        case .all: names = available
        case .columns(let asked):
            for name in asked where !available.contains(name) { throw FrameError.unknownColumn(name, available: available) }
            var seen = Set<String>()
            names = asked.filter { seen.insert($0).inserted }
        }
        if let clash = names.first(where: { $0 == "prediction" || $0.hasPrefix("probability_") }) {
            throw FrameError.invalidArgument("the input column '\(clash)' would collide with the predictions' columns; keep other columns with --keep, or rename it in the input")
        }
        return names
    }

    /// The kept columns of `frame`, ready to be written before the predictions.
    public func columns(of frame: Frame) throws(FrameError) -> [Column] {
        var out: [Column] = []
        for name in try names(available: frame.columns.map(\.name)) { out.append(try frame.column(name)) }
        return out
    }

    /// The kept columns to read as text, so that values such as the id `007` are copied as written:
    /// every kept column but features of a type text cannot stand for (booleans, dates).
    public func textColumns(among names: [String], schema: FeatureSchema) -> [String] {
        let kept: [String]
        switch self {
        case .none: return []
        case .all: kept = names
        case .columns(let asked): kept = asked.filter(names.contains)
        }
        return kept.filter { name in
            guard let f = schema.features.first(where: { $0.name == name }) else { return true }
            return f.type == .string || f.type.isNumeric
        }
    }

    /// `frame` with the numeric features that were read as text (being kept) turned back into
    /// numbers; a column with a value that is not a number is left for the schema check to report.
    public static func numericFeatures(_ frame: Frame, schema: FeatureSchema) -> Frame {
        var columns = frame.columns
        for (i, c) in columns.enumerated() where c.type == .string {
            guard let f = schema.features.first(where: { $0.name == c.name }), f.type.isNumeric else { continue }
            var values = [Double](repeating: .nan, count: c.count)
            var ok = true
            for r in 0..<c.count where c.isValid(r) {
                guard let v = ValueParser.parse(c.value(at: r).description, ValueParser.double) else { ok = false; break }
                values[r] = v
            }
            if ok { columns[i] = Column(name: c.name, storage: .float64(values), validity: c.validity) }
        }
        return (try? Frame(columns: columns)) ?? frame
    }
}
