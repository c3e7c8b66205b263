import PulkFrame

/// The reference of every model and its hyperparameters, rendered from the declarations themselves
/// (docs/models.md is this text; a test keeps it current).
public enum ModelCatalog {
    /// A search dimension in words: its range (and scale) and where the search starts.
    static func describe(_ d: SearchDimension) -> String {
        switch d.range {
        case .int(let r, let log): return "over \(r.lowerBound)…\(r.upperBound)\(log ? " (log scale)" : "") from \(d.start)"
        case .double(let r, let log): return "over \(formatDouble(r.lowerBound))…\(formatDouble(r.upperBound))\(log ? " (log scale)" : "") from \(d.start)"
        case .choice(let options): return "among " + options.joined(separator: ", ") + " from \(d.start)"
        }
    }

    public static func markdown(_ estimators: [any Estimator.Type] = EstimatorRegistry.all) -> String {
        var out = ["# Models and hyperparameters", "",
                   "Generated from the parameter declarations (`ModelCatalog.markdown()`); do not edit by hand.",
                   "Use them as `pulk train --model NAME --param name=value`; `pulk train --model NAME --help-params` prints the same.", ""]
        for e in estimators {
            out.append("## `\(e.name)` (\(e.tasks.map(\.rawValue).joined(separator: " or ")))")
            out.append("")
            out.append(e.summary)
            out.append("")
            if e.parameterSpecs.isEmpty {
                out.append("No hyperparameters.")
            } else {
                out.append("| parameter | default | accepts | aliases | meaning |")
                out.append("|---|---|---|---|---|")
                for s in e.parameterSpecs {
                    out.append("| `\(s.name)` | `\(s.defaultValue)` | \(s.kind.expected) | \(s.aliases.map { "`\($0)`" }.joined(separator: ", ")) | \(s.doc) |")
                }
            }
            if !e.searchSpace.isEmpty {
                out.append("")
                out.append("`pulk automl` searches " + e.searchSpace.map { d in "`\(d.name)` " + Self.describe(d) }.joined(separator: ", ") + ".")
            }
            out.append("")
        }
        return out.joined(separator: "\n")
    }
}
