import PulkFrame

/// Turns a profile's numbers into plain-words warnings, like Azure ML's data guardrails.
/// Thresholds are documented in docs/profiling.md.
enum Warnings {
    static func make(_ p: DatasetProfile) -> [Warning] {
        var out: [Warning] = []
        func pct(_ x: Double) -> String { String(format1(x)) + "%" }
        for c in p.columns {
            if c.missing > 0 {
                let severity = c.missingPercent >= 50 ? "critical" : c.missingPercent >= 5 ? "warning" : "info"
                out.append(Warning(code: "missing-values", column: c.name, severity: severity,
                                   message: "'\(c.name)' is missing in \(pct(c.missingPercent)) of rows (\(c.missing) of \(c.count + c.missing)). "
                                       + (c.missingPercent >= 50 ? "Consider dropping the column." : "Impute it (median or most frequent) or add a missing-indicator column.")))
            }
            for flag in c.flags {
                switch flag {
                case "constant":
                    out.append(Warning(code: "constant", column: c.name, severity: "warning",
                                       message: "'\(c.name)' has a single value\(c.topValues.first.map { " ('\($0.value)')" } ?? ""); it carries no information. Drop it."))
                case "near-constant":
                    let top = c.topValues.first!
                    out.append(Warning(code: "near-constant", column: c.name, severity: "info",
                                       message: "'\(c.name)' is '\(top.value)' in \(pct(Double(top.count) / Double(max(c.count, 1)) * 100)) of present rows; it carries little information."))
                case "high-cardinality":
                    out.append(Warning(code: "high-cardinality", column: c.name, severity: "warning",
                                       message: "'\(c.name)' has \(c.distinct) distinct values (\(pct(c.distinctPercent)) of rows). One-hot encoding would explode; group rare values or use target encoding."))
                case "id-like":
                    out.append(Warning(code: "id-like", column: c.name, severity: "warning",
                                       message: "'\(c.name)' is unique in every row, like an identifier. Exclude it from features: a model would memorise it."))
                case "date-like-strings":
                    out.append(Warning(code: "date-like-strings", column: c.name, severity: "info",
                                       message: "'\(c.name)' holds dates written as text in a format not read as dates. Pass `--type \(c.name)=date` if the format is supported, or reformat as YYYY-MM-DD."))
                case "mixed-types":
                    out.append(Warning(code: "mixed-types", column: c.name, severity: "warning",
                                       message: "'\(c.name)' mixes numbers and text, so it was read as text. Clean the non-numeric values, or declare them missing tokens."))
                default: break
                }
            }
            if let o = c.outliers, o.count > 0, c.count > 0, Double(o.count) / Double(c.count) > 0.05 {
                out.append(Warning(code: "outliers", column: c.name, severity: "info",
                                   message: "'\(c.name)' has \(o.count) values (\(pct(Double(o.count) / Double(c.count) * 100))) outside the IQR fences [\(format1(o.lowerFence)), \(format1(o.upperFence))]."))
            }
            if let s = c.numeric?.skewness, abs(s) > 2, c.type.isNumeric {
                out.append(Warning(code: "skewed", column: c.name, severity: "info",
                                   message: "'\(c.name)' is strongly skewed (skewness \(format1(s))); a log transform may help linear models."))
            }
        }
        if p.summary.duplicateRows > 0 {
            out.append(Warning(code: "duplicate-rows", column: nil, severity: "warning",
                               message: "\(p.summary.duplicateRows) rows repeat an earlier row exactly. Remove duplicates unless they are genuine repeated observations."))
        }
        for g in p.summary.duplicateColumns {
            out.append(Warning(code: "duplicate-columns", column: g[0], severity: "warning",
                               message: "Columns " + g.map { "'\($0)'" }.joined(separator: ", ") + " hold identical values. Keep one."))
        }
        let corr = p.correlations
        for a in 0..<corr.numericColumns.count {
            for b in (a + 1)..<max(a + 1, corr.numericColumns.count) {
                if let r = corr.pearson[a][b], abs(r) >= 0.95 {
                    out.append(Warning(code: "high-correlation", column: corr.numericColumns[a], severity: "info",
                                       message: "'\(corr.numericColumns[a])' and '\(corr.numericColumns[b])' are almost collinear (Pearson \(format3(r))). Linear models will be unstable; consider keeping one."))
                }
            }
        }
        if let t = p.target {
            if let balance = t.classBalance, let most = balance.first, let least = balance.last, balance.count > 1,
               Double(least.count) < 0.2 * Double(most.count) {
                out.append(Warning(code: "class-imbalance", column: t.column, severity: "warning",
                                   message: "The target is imbalanced: class '\(least.value)' has \(least.count) rows against \(most.count) for '\(most.value)'. Use class weights, stratified splits and metrics such as balanced accuracy or AUC."))
            }
            let ids = Set(p.columns.filter { $0.flags.contains("id-like") }.map(\.name))
            for a in t.associations where !ids.contains(a.column) {
                if a.normalizedMutualInformation >= 0.95 || (a.value.map { abs($0) >= 0.98 } ?? false) {
                    out.append(Warning(code: "leakage-suspected", column: a.column, severity: "critical",
                                       message: "'\(a.column)' predicts the target '\(t.column)' almost perfectly (\(a.measure) \(a.value.map(format3) ?? "–"), normalised mutual information \(format3(a.normalizedMutualInformation))). Check that it is known at prediction time; otherwise it leaks the answer."))
                }
            }
        }
        return out
    }

    static func format1(_ x: Double) -> String { formatFixed(x, 1) }
    static func format3(_ x: Double) -> String { formatFixed(x, 3) }
}

/// `x` with `digits` decimals (no Foundation formatting, so output is locale-independent).
public func formatFixed(_ x: Double, _ digits: Int) -> String {
    guard x.isFinite else { return x.isNaN ? "–" : (x > 0 ? "∞" : "-∞") }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let r = (abs(x) * scale).rounded()
    let whole = Int64(r / scale)
    let frac = Int64(r - Double(whole) * scale)
    var f = String(frac)
    while f.count < digits { f = "0" + f }
    let sign = x < 0 && r != 0 ? "-" : ""
    return digits == 0 ? sign + String(whole) : sign + String(whole) + "." + f
}
