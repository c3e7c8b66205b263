public import Foundation
public import PulkFrame

/// Compares a current window of data with a reference, column by column, on every core.
public struct DriftAnalyzer: Sendable {
    public var options: DriftOptions

    public init(options: DriftOptions = DriftOptions()) { self.options = options }

    public func analyze(reference: Frame, current: Frame, referenceName: String, currentName: String,
                        now: Date = Date()) throws(DriftError) -> DriftReport {
        guard options.driftShare >= 0, options.driftShare <= 1 else { throw .badShare(options.driftShare) }
        guard reference.rowCount > 0 else { throw .emptyWindow("reference") }
        guard current.rowCount > 0 else { throw .emptyWindow("current") }
        let refNames = Set(reference.names), curNames = Set(current.names)
        var skipped: [SkippedColumn] = []
        var names: [String]
        if let chosen = options.columns {
            for c in chosen {
                if !refNames.contains(c) { throw .unknownColumn(c, window: "reference") }
                if !curNames.contains(c) { throw .unknownColumn(c, window: "current") }
            }
            var seen = Set<String>()
            names = chosen.filter { seen.insert($0).inserted }
        } else {
            names = reference.names.filter(curNames.contains)
            for c in reference.names where !curNames.contains(c) { skipped.append(SkippedColumn(name: c, reason: "not in the current data")) }
            for c in current.names where !refNames.contains(c) { skipped.append(SkippedColumn(name: c, reason: "not in the reference data")) }
        }
        for extra in options.predictionColumns + (options.targetColumn.map { [$0] } ?? []) where !names.contains(extra) {
            if refNames.contains(extra) && curNames.contains(extra) { names.append(extra) }
        }
        var jobs: [(Column, Column, ColumnDrift.Role)] = []
        for name in names {
            let r = try! reference.column(name), c = try! current.column(name)
            let role: ColumnDrift.Role = options.predictionColumns.contains(name) ? .prediction : name == options.targetColumn ? .target : .feature
            if r.type == .date || r.type == .datetime || c.type == .date || c.type == .datetime {
                skipped.append(SkippedColumn(name: name, reason: "a date column: dates move on with time, so it is not tested for drift"))
                continue
            }
            jobs.append((r, c, role))
        }
        guard !jobs.isEmpty else { throw .noColumns }
        for (r, c, _) in jobs {
            if let m = options.methods[r.name] ?? options.method, options.methods[r.name] != nil || options.columns != nil {
                let kind = Self.kind(r, c)
                if !m.applies(numeric: kind == .numerical) { throw .methodDoesNotApply(column: r.name, method: m, kind: kind) }
            }
        }
        let slots = ResultSlots<ColumnComparison.Outcome>(count: jobs.count)
        let shared = UncheckedSendable(jobs)
        let options = self.options
        parallelFor(jobs.count, threads: options.threads ?? defaultThreadCount()) { i in
            let (r, c, role) = shared.value[i]
            slots[i] = ColumnComparison(options: options).compare(r, c, role: role)
        }
        var tested: [ColumnDrift] = []
        for case let result? in slots.values {
            switch result {
            case .tested(let d): tested.append(d)
            case .skipped(let s): skipped.append(s)
            }
        }
        // importance normalized to the largest; the ranking key is drift size × importance
        let top = options.importance.values.max() ?? 0
        for i in tested.indices where tested[i].role == .feature && top > 0 {
            let imp = (options.importance[tested[i].name] ?? 0) / top
            tested[i].importance = imp
            tested[i].score = tested[i].driftSize * imp
        }
        var features = tested.filter { $0.role == .feature }
        let order = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        features.sort { a, b in
            if a.drifted != b.drifted { return a.drifted }
            if a.score != b.score { return a.score > b.score }
            return order[a.name]! < order[b.name]!
        }
        let drifted = features.filter(\.drifted).count
        let share = features.isEmpty ? 0 : Double(drifted) / Double(features.count)
        return DriftReport(
            reference: referenceName, current: currentName, generatedAt: now,
            referenceRows: reference.rowCount, currentRows: current.rowCount,
            driftShareThreshold: options.driftShare, driftedFeatures: drifted, testedFeatures: features.count,
            driftedShare: share, datasetDrift: !features.isEmpty && share >= options.driftShare,
            features: features, predictions: tested.filter { $0.role == .prediction },
            target: tested.first { $0.role == .target }, skipped: skipped)
    }

    static func kind(_ r: Column, _ c: Column) -> ColumnDrift.Kind {
        r.type.isNumeric && c.type.isNumeric ? .numerical : .categorical
    }
}
