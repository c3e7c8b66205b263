public import Foundation
public import PulkFrame

/// What to compute in a profile.
public struct ProfileOptions: Sendable {
    /// Values listed in each column's `topValues`.
    public var topValues: Int = 10
    public var histogramBins: Int = 20
    /// Compute correlation matrices.
    public var correlations: Bool = true
    /// Categorical columns with more categories than this are left out of Cramér's V and η.
    public var maxCategories: Int = 200
    /// Bins used to discretise numbers for mutual information.
    public var informationBins: Int = 10
    public var threads: Int = defaultThreadCount()
    /// The clock stamped into `generatedAt` (injected in tests).
    public var now: @Sendable () -> Date = { Date() }

    public init() {}
}

/// Errors of profiling.
public enum ProfileError: Error, Sendable, CustomStringConvertible {
    case unknownTarget(String, available: [String])
    case emptyFrame

    public var description: String {
        switch self {
        case .unknownTarget(let t, let available):
            return "no column named '\(t)' to use as the target. Columns: " + available.map { "'\($0)'" }.joined(separator: ", ") + "."
        case .emptyFrame:
            return "the data has no rows to profile."
        }
    }
}

/// Builds a `DatasetProfile` of a frame: per-column statistics, dataset-level duplicates,
/// correlations, target associations and plain-words warnings. Columns are profiled in parallel.
///
/// ```swift
/// let profile = try Profiler().profile(frame, source: "penguins:1", target: "species")
/// ```
public struct Profiler: Sendable {
    public var options: ProfileOptions

    public init(options: ProfileOptions = ProfileOptions()) { self.options = options }

    public func profile(_ frame: Frame, source: String, target: String? = nil,
                        progress: ProgressHandler? = nil) throws(ProfileError) -> DatasetProfile {
        if let target, !frame.names.contains(target) { throw .unknownTarget(target, available: frame.names) }
        let steps = frame.columnCount + 3
        let profiler = ColumnProfiler(options: options, rowCount: frame.rowCount)
        let slots = ResultSlots<ColumnWork>(count: frame.columnCount)
        let done = Counter()
        parallelFor(frame.columnCount, threads: options.threads) { j in
            slots[j] = profiler.profile(frame.columns[j])
            progress?(done.increment(), steps)
        }
        let work = slots.values.map { $0! }
        let (dupCount, dupGroups) = Duplicates.rows(frame, examples: 5)
        progress?(frame.columnCount + 1, steps)
        let correlations = options.correlations ? self.correlations(work) : Correlations(
            numericColumns: [], pearson: [], spearman: [], categoricalColumns: [], cramersV: [], correlationRatio: [])
        progress?(frame.columnCount + 2, steps)
        let targetProfile = target.map { self.target($0, work: work, correlations: correlations) }
        progress?(steps, steps)
        let missingCells = work.reduce(0) { $0 + $1.profile.missing }
        let cells = frame.rowCount * frame.columnCount
        var typeCounts: [String: Int] = [:]
        for c in frame.columns { typeCounts[c.type.rawValue, default: 0] += 1 }
        let summary = DatasetProfile.Summary(
            rows: frame.rowCount, columns: frame.columnCount, missingCells: missingCells,
            missingCellsPercent: cells == 0 ? 0 : Double(missingCells) / Double(cells) * 100,
            duplicateRows: dupCount, duplicateRowExamples: dupGroups, duplicateColumns: Duplicates.columns(frame),
            memoryBytes: frame.memoryBytes, typeCounts: typeCounts)
        var profile = DatasetProfile(source: source, generatedAt: options.now(), summary: summary,
                                     columns: work.map(\.profile), correlations: correlations, target: targetProfile,
                                     warnings: [])
        profile.warnings = Warnings.make(profile)
        return profile
    }

    private func correlations(_ work: [ColumnWork]) -> Correlations {
        let numeric = work.filter { $0.values != nil }
        let categorical = work.filter { $0.codes != nil && $0.categoryCount <= options.maxCategories }
        let pearson = Correlation.matrix(numeric.map { $0.values! }, rankWhenMissing: false, threads: options.threads)
        let spearman = Correlation.matrix(numeric.map { $0.ranks! }, rankWhenMissing: true, threads: options.threads)
        var cramers = [[Double?]](repeating: [Double?](repeating: nil, count: categorical.count), count: categorical.count)
        for a in 0..<categorical.count {
            for b in a..<categorical.count {
                let v = a == b ? (categorical[a].profile.distinct > 1 ? 1 : nil)
                    : Correlation.cramersV(categorical[a].codes!, categorical[a].categoryCount,
                                           categorical[b].codes!, categorical[b].categoryCount)
                cramers[a][b] = v
                cramers[b][a] = v
            }
        }
        let ratio = numeric.map { x in
            categorical.map { g in Correlation.correlationRatio(x.values!, g.codes!, g.categoryCount) }
        }
        return Correlations(numericColumns: numeric.map(\.profile.name), pearson: pearson, spearman: spearman,
                            categoricalColumns: categorical.map(\.profile.name), cramersV: cramers,
                            correlationRatio: ratio)
    }

    private func discretized(_ w: ColumnWork) -> (codes: [Int32], count: Int)? {
        if let codes = w.codes { return MutualInformation.discretize(codes: codes, categories: w.categoryCount, cap: 50) }
        if let values = w.values, let sorted = w.sorted {
            return MutualInformation.discretize(values: values, sorted: sorted, bins: options.informationBins)
        }
        return nil // dates and datetimes: not associated with the target
    }

    private func target(_ name: String, work: [ColumnWork], correlations: Correlations) -> TargetProfile {
        let t = work.first { $0.profile.name == name }!
        let isClassification = t.codes != nil || (t.profile.type == .int64 && t.profile.distinct <= 20)
        let y = discretized(t) ?? ([Int32](repeating: 0, count: t.codes?.count ?? t.values?.count ?? 0), 1)
        let hy = MutualInformation.entropy(y.codes, y.count)
        // Class codes for η when the target is categorical but stored as ints.
        let targetGroups: (codes: [Int32], count: Int)? = t.codes.map { ($0, t.categoryCount) }
            ?? (isClassification ? y : nil)
        var out: [Association] = []
        for w in work where w.profile.name != name {
            guard let x = discretized(w) else { continue }
            let mi = MutualInformation.mutualInformation(x.codes, x.count, y.codes, y.count)
            var measure = "", value: Double?
            switch (w.values != nil, isClassification) {
            case (true, false):
                measure = "spearman"
                if let i = correlations.numericColumns.firstIndex(of: w.profile.name),
                   let j = correlations.numericColumns.firstIndex(of: name) { value = correlations.spearman[i][j] }
            case (true, true):
                measure = "correlation_ratio"
                if let g = targetGroups { value = Correlation.correlationRatio(w.values!, g.codes, g.count) }
            case (false, false):
                measure = "correlation_ratio"
                if let v = t.values { value = Correlation.correlationRatio(v, w.codes!, w.categoryCount) }
            case (false, true):
                measure = "cramers_v"
                if let g = targetGroups { value = Correlation.cramersV(w.codes!, w.categoryCount, g.codes, g.count) }
            }
            out.append(Association(column: w.profile.name, mutualInformation: mi,
                                   normalizedMutualInformation: hy > 0 ? min(1, mi / hy) : 0, measure: measure, value: value))
        }
        out.sort { $0.mutualInformation != $1.mutualInformation ? $0.mutualInformation > $1.mutualInformation : $0.column < $1.column }
        return TargetProfile(column: name, task: isClassification ? "classification" : "regression",
                             classBalance: isClassification ? classBalance(t) : nil, associations: out)
    }

    /// Count of every class, most frequent first.
    private func classBalance(_ t: ColumnWork) -> [ValueCount] {
        var pairs: [(String, Int)] = []
        if let codes = t.codes, let labels = t.labels {
            var counts = [Int](repeating: 0, count: labels.count)
            for c in codes where c >= 0 { counts[Int(c)] += 1 }
            pairs = zip(labels, counts).filter { $0.1 > 0 }.map { ($0.0, $0.1) }
        } else if let sorted = t.sorted {
            var i = 0
            while i < sorted.count {
                var j = i + 1
                while j < sorted.count, sorted[j] == sorted[i] { j += 1 }
                pairs.append((formatDouble(sorted[i]), j - i))
                i = j
            }
        }
        return pairs.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.map { ValueCount(value: $0.0, count: $0.1) }
    }
}

/// A thread-safe counter for progress reports.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int {
        lock.lock(); defer { lock.unlock() }
        value += 1
        return value
    }
}
