/// MLflow's search grammar for runs: `metrics.acc > 0.9 AND params.model = 'gbdt' AND tags.`team x` LIKE 'ml%'`
/// with `metrics.`, `params.`, `tags.`, `attributes.` (and their singular forms), backtick- or
/// double-quoted keys, `=`, `!=`, `<`, `<=`, `>`, `>=`, `LIKE`, `ILIKE`, `IN`, `NOT IN`, joined by
/// `AND`; `datasets.name`, `datasets.digest` and `datasets.context` match a run's dataset inputs, as
/// in MLflow; Pulk adds `OR` and parentheses (AND binds tighter).
public indirect enum SearchFilter: Sendable, Equatable {
    case and([SearchFilter])
    case or([SearchFilter])
    case comparison(Comparison)

    public enum Entity: String, Sendable { case metric, param, tag, attribute, dataset }

    /// What `datasets.KEY` may name: a dataset input's name, digest, or context (its `mlflow.data.context` tag).
    package static let datasetKeys: Set<String> = ["name", "digest", "context"]

    public enum Value: Sendable, Equatable {
        case number(Double)
        case string(String)
        case list([String])
    }

    public struct Comparison: Sendable, Equatable {
        public var entity: Entity
        public var key: String
        public var op: String
        public var value: Value
    }

    /// Run attributes a filter or ordering may name, and their columns.
    package static let attributes: [String: String] = [
        "run_id": "run_uuid", "run_name": "name", "status": "status", "artifact_uri": "artifact_uri", "user_id": "user_id",
        "start_time": "start_time", "end_time": "end_time", "created": "start_time", "Created": "start_time",
        "lifecycle_stage": "lifecycle_stage",
    ]
    package static let numericAttributes: Set<String> = ["start_time", "end_time", "created", "Created"]

    // MARK: parsing

    package enum Token: Equatable { case word(String), quoted(String, Character), number(Double), op(String), lparen, rparen, comma, dot }

    static func tokenize(_ text: String) throws(StoreError) -> [Token] {
        var out: [Token] = []
        let chars = Array(text)
        var i = 0
        func bad(_ why: String) -> StoreError { .invalid("Invalid filter '\(text)': \(why)") }
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            if c == "(" { out.append(.lparen); i += 1; continue }
            if c == ")" { out.append(.rparen); i += 1; continue }
            if c == "," { out.append(.comma); i += 1; continue }
            if c == "." && !(i + 1 < chars.count && chars[i + 1].isNumber && (out.last.map { if case .op = $0 { return true }; return false } ?? true)) {
                out.append(.dot); i += 1; continue
            }
            if c == "'" || c == "\"" || c == "`" {
                var j = i + 1, s = ""
                while j < chars.count && chars[j] != c {
                    // Doubled quotes inside a string stand for one quote.
                    s.append(chars[j]); j += 1
                }
                guard j < chars.count else { throw bad("unterminated \(c) quote") }
                out.append(.quoted(s, c)); i = j + 1; continue
            }
            if "<>=!".contains(c) {
                var op = String(c)
                if i + 1 < chars.count && chars[i + 1] == "=" { op.append("="); i += 1 }
                guard op != "!" else { throw bad("'!' must be followed by '='") }
                out.append(.op(op)); i += 1; continue
            }
            if c.isNumber || c == "-" || c == "+" || c == "." {
                var j = i + 1
                while j < chars.count && (chars[j].isNumber || ".eE+-".contains(chars[j])) { j += 1 }
                let s = String(chars[i..<j])
                guard let v = Double(s) else { throw bad("'\(s)' is not a number") }
                out.append(.number(v)); i = j; continue
            }
            if c.isLetter || c == "_" {
                var j = i + 1
                while j < chars.count && (chars[j].isLetter || chars[j].isNumber || chars[j] == "_" || chars[j] == "-" || chars[j] == ":" || chars[j] == "/") { j += 1 }
                out.append(.word(String(chars[i..<j]))); i = j; continue
            }
            throw bad("unexpected character '\(c)'")
        }
        return out
    }

    /// How deep parentheses may nest and how many conditions one filter may join. The parsers
    /// recurse once per parenthesis and the SQL grows with every condition, so both are bounded
    /// before parsing: a hostile filter gets a 400 that names the limit, never a stack overflow or
    /// a database error.
    public static let maxNesting = 32, maxConditions = 200, maxLength = 100_000

    /// Tokens of a filter within the limits above.
    package static func boundedTokens(_ text: String, entity: String = "filter") throws(StoreError) -> [Token] {
        guard text.utf8.count <= maxLength else {
            throw .invalid("Invalid \(entity) of \(text.utf8.count) bytes: a filter may be at most \(maxLength) bytes long")
        }
        let tokens = try tokenize(text)
        var depth = 0, deepest = 0, joins = 0
        for t in tokens {
            switch t {
            case .lparen: depth += 1; deepest = max(deepest, depth)
            case .rparen: depth -= 1
            case .word(let w) where w.count <= 3 && (w.uppercased() == "AND" || w.uppercased() == "OR"): joins += 1
            default: break
            }
        }
        guard deepest <= maxNesting else {
            throw .invalid("Invalid \(entity): parentheses nest \(deepest) deep; at most \(maxNesting) levels are allowed")
        }
        guard joins < maxConditions else {
            throw .invalid("Invalid \(entity): it joins \(joins + 1) conditions; at most \(maxConditions) are allowed, so split the search")
        }
        return tokens
    }

    /// Parses a filter; nil for an empty or blank one.
    public static func parse(_ text: String) throws(StoreError) -> SearchFilter? {
        let tokens = try boundedTokens(text)
        if tokens.isEmpty { return nil }
        var p = Parser(tokens: tokens, text: text)
        let f = try p.orExpr()
        guard p.at == tokens.count else { throw p.bad("unexpected text after a complete condition") }
        return f
    }

    struct Parser {
        let tokens: [Token]
        let text: String
        var at = 0

        func bad(_ why: String) -> StoreError { .invalid("Invalid filter '\(text)': \(why)") }
        func keyword(_ t: Token?, _ k: String) -> Bool { if case .word(let w)? = t { return w.uppercased() == k }; return false }
        var peek: Token? { at < tokens.count ? tokens[at] : nil }

        mutating func orExpr() throws(StoreError) -> SearchFilter {
            var parts = [try andExpr()]
            while keyword(peek, "OR") { at += 1; parts.append(try andExpr()) }
            return parts.count == 1 ? parts[0] : .or(parts)
        }

        mutating func andExpr() throws(StoreError) -> SearchFilter {
            var parts = [try primary()]
            while keyword(peek, "AND") { at += 1; parts.append(try primary()) }
            return parts.count == 1 ? parts[0] : .and(parts)
        }

        mutating func primary() throws(StoreError) -> SearchFilter {
            if peek == .lparen {
                at += 1
                let inner = try orExpr()
                guard peek == .rparen else { throw bad("missing ')'") }
                at += 1
                return inner
            }
            return .comparison(try comparison())
        }

        mutating func identifier() throws(StoreError) -> (Entity, String) {
            guard case .word(let prefix)? = peek else { throw bad("expected metrics.KEY, params.KEY, tags.KEY, attributes.KEY or datasets.KEY") }
            at += 1
            let entity: Entity
            switch prefix.lowercased() {
            case "metric", "metrics": entity = .metric
            case "param", "params", "parameter", "parameters": entity = .param
            case "tag", "tags": entity = .tag
            case "attribute", "attributes", "attr", "run": entity = .attribute
            case "dataset", "datasets": entity = .dataset
            default: throw bad("'\(prefix)' is not metrics, params, tags, attributes or datasets")
            }
            guard peek == .dot else { throw bad("expected '.' after '\(prefix)'") }
            at += 1
            var key: String
            switch peek {
            case .word(let w)?: key = w
            case .quoted(let q, let quote)? where quote == "`" || quote == "\"": key = q
            default: throw bad("expected a key after '\(prefix).'")
            }
            at += 1
            // Unquoted keys may contain dots (metrics.a.b).
            while peek == .dot, case .word(let w)? = (at + 1 < tokens.count ? tokens[at + 1] : nil) { key += "." + w; at += 2 }
            if entity == .dataset && !SearchFilter.datasetKeys.contains(key) {
                throw bad("unknown dataset field '\(key)'; use datasets.name, datasets.digest or datasets.context")
            }
            if entity == .attribute && SearchFilter.attributes[key] == nil {
                throw bad("unknown attribute '\(key)'; use one of " + SearchFilter.attributes.keys.sorted().joined(separator: ", "))
            }
            return (entity, key)
        }

        mutating func comparison() throws(StoreError) -> Comparison {
            let (entity, key) = try identifier()
            var op: String
            switch peek {
            case .op(let o)?: op = o == "==" ? "=" : o; at += 1
            case .word(let w)? where ["LIKE", "ILIKE", "IN"].contains(w.uppercased()): op = w.uppercased(); at += 1
            case .word(let w)? where w.uppercased() == "NOT" && keyword(at + 1 < tokens.count ? tokens[at + 1] : nil, "IN"):
                op = "NOT IN"; at += 2
            default: throw bad("expected a comparator after '\(key)'")
            }
            let numeric = entity == .metric || (entity == .attribute && SearchFilter.numericAttributes.contains(key))
            let value: Value
            if op == "IN" || op == "NOT IN" {
                guard peek == .lparen else { throw bad("IN needs a list: IN ('a', 'b')") }
                at += 1
                var items: [String] = []
                while true {
                    guard case .quoted(let s, let q)? = peek, q != "`" else { throw bad("IN lists hold quoted strings") }
                    items.append(s); at += 1
                    if peek == .comma { at += 1; continue }
                    guard peek == .rparen else { throw bad("missing ')' after the IN list") }
                    at += 1
                    break
                }
                guard entity != .metric else { throw bad("IN is not supported for metrics") }
                value = .list(items)
            } else {
                switch peek {
                case .number(let v)?: value = .number(v)
                case .quoted(let s, let q)? where q != "`":
                    if numeric, let v = Double(s) { value = .number(v) } else { value = .string(s) }
                case .word(let w)?:
                    // An unquoted text value: say how to write it, with the condition corrected.
                    let prefix = entity == .metric ? "metrics" : entity == .param ? "params" : entity == .tag ? "tags"
                        : entity == .dataset ? "datasets" : "attributes"
                    throw bad("string values need quotes: write \(prefix).\(key) \(op) '\(w)'")
                default: throw bad("expected a value after '\(op)'")
                }
                at += 1
            }
            if numeric {
                guard ["=", "!=", "<", "<=", ">", ">="].contains(op) else { throw bad("'\(op)' is not a comparator for numbers") }
                guard case .number = value else { throw bad("'\(key)' is compared with numbers") }
            } else {
                guard ["=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"].contains(op) else {
                    throw bad("'\(op)' is not a comparator for strings; use =, !=, LIKE, ILIKE, IN")
                }
                if case .number(let v) = value { return Comparison(entity: entity, key: key, op: op, value: .string(String(v))) }
            }
            return Comparison(entity: entity, key: key, op: op, value: value)
        }
    }
}
