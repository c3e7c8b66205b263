public import PulkStore
import Foundation

/// The filter grammar of the searches over named entities (experiments, registered models, model
/// versions): `name LIKE 'prod%'`, `attributes.name = 'x'`, `tags.team = 'ml'`, `run_id IN ('a', 'b')`,
/// `version_number > 2`, with =, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, joined by AND (and, as for
/// runs, OR and parentheses). Which attributes exist, and where tags (and, for logged models, params
/// and metrics) live, is the `Grammar`'s.
indirect enum AttributeFilter: Sendable {
    case and([AttributeFilter]), or([AttributeFilter])
    case attribute(column: String, numeric: Bool, op: String, value: SearchFilter.Value)
    case tag(key: String, op: String, value: String)
    case param(key: String, op: String, value: String)
    case metric(key: String, op: String, value: Double)

    /// What one search may filter on.
    struct Grammar: Sendable {
        /// What the errors call the thing searched ("experiment", "registered model").
        var entity: String
        /// Attribute names (as the client writes them) and their SQL columns; numeric ones compare as numbers.
        var attributes: [String: (column: String, numeric: Bool)]
        /// `EXISTS (…)` over the tag table, with `?` for the key and `%@` for the value condition on `t.value`.
        var tagExists: String
        /// Whether `tags.K != 'v'` also matches entities without the tag (the registry's rule); else
        /// it needs the tag with another value (the experiments' rule in MLflow).
        var missingTagIsNotEqual = true
        /// `EXISTS (…)` over a params table, as `tagExists`; nil where params cannot be searched.
        var paramExists: String? = nil
        /// `EXISTS (…)` over a metrics table with `?` for the key and `%@` for the condition on `t.value`;
        /// `metricScope` is added inside it (logged models: the datasets asked for).
        var metricExists: String? = nil
        var metricScope: (sql: String, binds: [SQLValue])? = nil

        static let experiments = Grammar(
            entity: "experiment",
            attributes: ["name": ("name", false), "creation_time": ("creation_time", true), "last_update_time": ("last_update_time", true)],
            tagExists: "EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = experiments.experiment_id AND t.key = ? AND %@)",
            missingTagIsNotEqual: false)
        static let registeredModels = Grammar(
            entity: "registered model",
            attributes: ["name": ("registered_models.name", false), "creation_timestamp": ("registered_models.creation_time", true),
                         "last_updated_timestamp": ("registered_models.last_updated_time", true)],
            tagExists: "EXISTS (SELECT 1 FROM registered_model_tags t WHERE t.name = registered_models.name AND t.key = ? AND %@)")
        static let modelVersions = Grammar(
            entity: "model version",
            attributes: ["name": ("model_versions.name", false), "run_id": ("model_versions.run_id", false),
                         "source_path": ("model_versions.source", false), "version_number": ("model_versions.version", true),
                         "model_id": ("model_versions.model_id", false), "current_stage": ("model_versions.current_stage", false),
                         "creation_timestamp": ("model_versions.creation_time", true),
                         "last_updated_timestamp": ("model_versions.last_updated_time", true)],
            tagExists: """
                EXISTS (SELECT 1 FROM model_version_tags t WHERE t.name = model_versions.name AND t.version = model_versions.version \
                AND t.key = ? AND %@)
                """)
    }

    static func parse(_ text: String, _ grammar: Grammar) throws(StoreError) -> AttributeFilter? {
        let tokens = try SearchFilter.boundedTokens(text, entity: "\(grammar.entity) filter")
        if tokens.isEmpty { return nil }
        var at = 0
        let names = grammar.attributes.keys.sorted().joined(separator: ", ")
        func bad(_ why: String) -> StoreError { .invalid("Invalid \(grammar.entity) filter '\(text)': \(why)") }
        func keyword(_ k: String) -> Bool { if at < tokens.count, case .word(let w) = tokens[at] { return w.uppercased() == k }; return false }
        func orExpr() throws(StoreError) -> AttributeFilter {
            var parts = [try andExpr()]
            while keyword("OR") { at += 1; parts.append(try andExpr()) }
            return parts.count == 1 ? parts[0] : .or(parts)
        }
        func andExpr() throws(StoreError) -> AttributeFilter {
            var parts = [try primary()]
            while keyword("AND") { at += 1; parts.append(try primary()) }
            return parts.count == 1 ? parts[0] : .and(parts)
        }
        func key() throws(StoreError) -> String {
            guard at < tokens.count else { throw bad("expected a key") }
            defer { at += 1 }
            switch tokens[at] {
            case .word(let w): return w
            case .quoted(let q, let c) where c == "`" || c == "\"": return q
            default: throw bad("expected a key")
            }
        }
        func primary() throws(StoreError) -> AttributeFilter {
            if at < tokens.count, tokens[at] == .lparen {
                at += 1
                let f = try orExpr()
                guard at < tokens.count, tokens[at] == .rparen else { throw bad("missing ')'") }
                at += 1
                return f
            }
            var first = try key()
            var tagKey: String?, paramKey: String?, metricKey: String?
            let prefixes = "tags" + (grammar.paramExists == nil ? "" : ", params") + (grammar.metricExists == nil ? "" : ", metrics")
            if at < tokens.count, tokens[at] == .dot {
                at += 1
                let k = try key()
                switch first.lowercased() {
                case "tag", "tags": tagKey = k
                case "param", "params" where grammar.paramExists != nil: paramKey = k
                case "metric", "metrics" where grammar.metricExists != nil: metricKey = k
                case "attribute", "attributes", "attr": first = k
                default: throw bad("'\(first)' is not \(prefixes) or attributes")
                }
            }
            let entityKey = tagKey ?? paramKey ?? metricKey
            let attribute = entityKey == nil ? grammar.attributes[first] : nil
            if entityKey == nil && attribute == nil { throw bad("'\(first)' is not a searchable attribute; use \(names) or \(prefixes.replacingOccurrences(of: ", ", with: ".KEY, ")).KEY") }
            guard at < tokens.count else { throw bad("expected a comparator after '\(first)'") }
            var op: String
            switch tokens[at] {
            case .op(let o): op = o
            case .word(let w) where ["LIKE", "ILIKE", "IN"].contains(w.uppercased()): op = w.uppercased()
            case .word(let w) where w.uppercased() == "NOT" && at + 1 < tokens.count && tokens[at + 1] == .word("IN"): op = "NOT IN"; at += 1
            default: throw bad("expected =, !=, <, <=, >, >=, LIKE, ILIKE, IN or NOT IN after '\(first)'")
            }
            at += 1
            let numeric = attribute?.numeric ?? (metricKey != nil)
            let allowed: Set<String> = numeric ? ["=", "!=", "<", "<=", ">", ">="] : entityKey != nil ? ["=", "!=", "LIKE", "ILIKE"]
                : ["=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"]
            let shown = tagKey.map { "tags." + $0 } ?? paramKey.map { "params." + $0 } ?? metricKey.map { "metrics." + $0 } ?? first
            guard allowed.contains(op) else { throw bad("'\(op)' cannot compare '\(shown)'; use \(allowed.sorted().joined(separator: ", "))") }
            if op == "IN" || op == "NOT IN" {
                guard at < tokens.count, tokens[at] == .lparen else { throw bad("expected '(' after \(op)") }
                at += 1
                var items: [String] = []
                while at < tokens.count, case .quoted(let v, let q) = tokens[at], q != "`" {
                    items.append(v); at += 1
                    if at < tokens.count, tokens[at] == .comma { at += 1 }
                }
                guard !items.isEmpty, at < tokens.count, tokens[at] == .rparen else { throw bad("expected a list of quoted values after \(op)") }
                at += 1
                return .attribute(column: attribute!.column, numeric: false, op: op, value: .list(items))
            }
            guard at < tokens.count else { throw bad("expected a value after '\(op)'") }
            defer { at += 1 }
            switch tokens[at] {
            case .number(let n) where numeric:
                return metricKey.map { .metric(key: $0, op: op, value: n) } ?? .attribute(column: attribute!.column, numeric: true, op: op, value: .number(n))
            case .quoted(let v, let q) where q != "`" && !numeric:
                if let tagKey { return .tag(key: tagKey, op: op, value: v) }
                if let paramKey { return .param(key: paramKey, op: op, value: v) }
                return .attribute(column: attribute!.column, numeric: false, op: op, value: .string(v))
            default: throw bad(numeric ? "'\(shown)' compares with a number" : "expected a quoted value after '\(op)'")
            }
        }
        let f = try orExpr()
        guard at == tokens.count else { throw bad("unexpected text after a complete condition") }
        return f
    }

    /// Whether a metric condition appears anywhere in the filter.
    var hasMetric: Bool {
        switch self {
        case .and(let p), .or(let p): return p.contains { $0.hasMetric }
        case .metric: return true
        default: return false
        }
    }

    func sql(_ d: SQLDialect, _ grammar: Grammar, binds: inout [SQLValue]) -> String {
        switch self {
        case .and(let p): return "(" + p.map { $0.sql(d, grammar, binds: &binds) }.joined(separator: " AND ") + ")"
        case .or(let p): return "(" + p.map { $0.sql(d, grammar, binds: &binds) }.joined(separator: " OR ") + ")"
        case .attribute(let column, _, let op, let value):
            switch value {
            case .number(let n): binds.append(.double(n)); return "\(column) \(op) ?"
            case .string(let s): return SearchFilter.Comparison.textCondition(column, op, s, d, binds: &binds)
            case .list(let items):
                binds += items.map { .text($0) }
                return "\(column) \(op) (" + items.map { _ in "?" }.joined(separator: ", ") + ")"
            }
        case .tag(let k, let op, let v):
            binds.append(.text(k))
            // `!=` also matches entities without the tag, as MLflow's registry does (its client
            // excludes prompts with `tags.mlflow.prompt.is_prompt != 'true'`).
            if op == "!=" && grammar.missingTagIsNotEqual {
                binds.append(.text(v))
                return "NOT " + grammar.tagExists.replacingOccurrences(of: "%@", with: "t.value = ?")
            }
            let c = SearchFilter.Comparison.textCondition("t.value", op, v, d, binds: &binds)
            return grammar.tagExists.replacingOccurrences(of: "%@", with: c)
        case .param(let k, let op, let v):
            binds.append(.text(k))
            let c = SearchFilter.Comparison.textCondition("t.value", op, v, d, binds: &binds)
            return (grammar.paramExists ?? "FALSE").replacingOccurrences(of: "%@", with: c)
        case .metric(let k, let op, let v):
            binds.append(.text(k))
            binds.append(.double(v))
            var c = "t.is_nan = 0 AND t.value \(op) ?"
            if let scope = grammar.metricScope { c += " AND " + scope.sql; binds += scope.binds }
            return (grammar.metricExists ?? "FALSE").replacingOccurrences(of: "%@", with: c)
        }
    }
}
