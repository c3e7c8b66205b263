public import PulkStore

extension SearchFilter {
    // MARK: SQL

    /// The filter as a SQL condition on `runs` (EXISTS subqueries per metric, param and tag: no joins).
    func sql(_ dialect: SQLDialect, binds: inout [SQLValue]) -> String {
        switch self {
        case .and(let parts): return "(" + parts.map { $0.sql(dialect, binds: &binds) }.joined(separator: " AND ") + ")"
        case .or(let parts): return "(" + parts.map { $0.sql(dialect, binds: &binds) }.joined(separator: " OR ") + ")"
        case .comparison(let c): return c.sql(dialect, binds: &binds)
        }
    }
}

extension SearchFilter.Comparison {
    func sql(_ dialect: SQLDialect, binds: inout [SQLValue]) -> String {
        func condition(_ column: String) -> String {
            switch value {
            case .number(let v):
                binds.append(.double(v))
                return "\(column) \(op) ?"
            case .string(let s):
                return Self.textCondition(column, op, s, dialect, binds: &binds)
            case .list(let items):
                binds += items.map { .text($0) }
                return "\(column) \(op) (" + items.map { _ in "?" }.joined(separator: ", ") + ")"
            }
        }
        switch entity {
        case .attribute:
            let column = "runs." + SearchFilter.attributes[key]!
            return condition(column)
        case .metric:
            binds.append(.text(key))
            let inner = condition("m.value")
            return "EXISTS (SELECT 1 FROM latest_metrics m WHERE m.run_uuid = runs.run_uuid AND m.key = ? AND m.is_nan = 0 AND \(inner))"
        case .dataset where key == "context":
            let inner = condition("t.value")
            return "EXISTS (SELECT 1 FROM run_dataset_input_tags t WHERE t.run_uuid = runs.run_uuid AND t.key = 'mlflow.data.context' AND \(inner))"
        case .dataset:
            let inner = condition(key == "name" ? "d.name" : "d.digest")
            return "EXISTS (SELECT 1 FROM run_dataset_inputs i JOIN datasets d ON d.dataset_uuid = i.dataset_uuid WHERE i.run_uuid = runs.run_uuid AND \(inner))"
        case .param, .tag:
            let table = entity == .param ? "params" : "run_tags"
            binds.append(.text(key))
            let inner = condition("x.value")
            return "EXISTS (SELECT 1 FROM \(table) x WHERE x.run_uuid = runs.run_uuid AND x.key = ? AND \(inner))"
        }
    }

    /// `column OP ?` for text: `=`, `!=`, or LIKE (case-sensitive) / ILIKE in the dialect's spelling.
    static func textCondition(_ column: String, _ op: String, _ value: String, _ dialect: SQLDialect, binds: inout [SQLValue]) -> String {
        switch op {
        case "LIKE":
            binds.append(.text(dialect == .sqlite ? glob(value) : value))
            return "\(column) \(dialect.like) ?"
        case "ILIKE":
            binds.append(.text(value))
            return "\(column) \(dialect.ilike) ?"
        default:
            binds.append(.text(value))
            return "\(column) \(op) ?"
        }
    }

    /// A SQL LIKE pattern as a SQLite GLOB pattern (case-sensitive, as MLflow's LIKE).
    static func glob(_ like: String) -> String {
        var out = ""
        for c in like {
            switch c {
            case "%": out += "*"
            case "_": out += "?"
            case "*": out += "[*]"
            case "?": out += "[?]"
            case "[": out += "[[]"
            default: out.append(c)
            }
        }
        return out
    }
}
