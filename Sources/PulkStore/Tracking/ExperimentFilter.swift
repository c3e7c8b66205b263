/// The filter of `search_experiments`: `name LIKE 'prod%'`, `attributes.name = 'x'`,
/// `tags.team = 'ml'`, with =, !=, LIKE, ILIKE, joined by AND (and OR, parentheses, as for runs).
indirect enum ExperimentFilter: Sendable {
    case and([ExperimentFilter]), or([ExperimentFilter])
    case name(op: String, value: String)
    case tag(key: String, op: String, value: String)

    static func parse(_ text: String) throws(StoreError) -> ExperimentFilter? {
        let tokens = try SearchFilter.tokenize(text)
        if tokens.isEmpty { return nil }
        var at = 0
        func bad(_ why: String) -> StoreError { .invalid("Invalid experiment filter '\(text)': \(why)") }
        func keyword(_ k: String) -> Bool { if at < tokens.count, case .word(let w) = tokens[at] { return w.uppercased() == k }; return false }
        func orExpr() throws(StoreError) -> ExperimentFilter {
            var parts = [try andExpr()]
            while keyword("OR") { at += 1; parts.append(try andExpr()) }
            return parts.count == 1 ? parts[0] : .or(parts)
        }
        func andExpr() throws(StoreError) -> ExperimentFilter {
            var parts = [try primary()]
            while keyword("AND") { at += 1; parts.append(try primary()) }
            return parts.count == 1 ? parts[0] : .and(parts)
        }
        func primary() throws(StoreError) -> ExperimentFilter {
            if at < tokens.count, tokens[at] == .lparen {
                at += 1
                let f = try orExpr()
                guard at < tokens.count, tokens[at] == .rparen else { throw bad("missing ')'") }
                at += 1
                return f
            }
            guard at < tokens.count, case .word(let first) = tokens[at] else { throw bad("expected name or tags.KEY") }
            at += 1
            var tagKey: String?
            if at < tokens.count, tokens[at] == .dot {
                at += 1
                guard at < tokens.count else { throw bad("expected a key") }
                var key: String
                switch tokens[at] {
                case .word(let w): key = w
                case .quoted(let q, let c) where c == "`" || c == "\"": key = q
                default: throw bad("expected a key after '\(first).'")
                }
                at += 1
                switch first.lowercased() {
                case "tag", "tags": tagKey = key
                case "attribute", "attributes", "attr":
                    guard key == "name" else { throw bad("only the name attribute can be filtered") }
                default: throw bad("'\(first)' is not tags or attributes")
                }
                key = ""
            } else if first.lowercased() != "name" { throw bad("'\(first)' is not name or tags.KEY") }
            guard at < tokens.count else { throw bad("expected a comparator") }
            let op: String
            switch tokens[at] {
            case .op(let o) where o == "=" || o == "!=": op = o
            case .word(let w) where ["LIKE", "ILIKE"].contains(w.uppercased()): op = w.uppercased()
            default: throw bad("expected =, !=, LIKE or ILIKE")
            }
            at += 1
            guard at < tokens.count, case .quoted(let v, let q) = tokens[at], q != "`" else { throw bad("expected a quoted value") }
            at += 1
            return tagKey.map { .tag(key: $0, op: op, value: v) } ?? .name(op: op, value: v)
        }
        let f = try orExpr()
        guard at == tokens.count else { throw bad("unexpected text after a complete condition") }
        return f
    }

    func sql(_ d: SQLDialect, binds: inout [SQLValue]) -> String {
        func cmp(_ column: String, _ op: String, _ v: String) -> String {
            SearchFilter.Comparison.textCondition(column, op, v, d, binds: &binds)
        }
        switch self {
        case .and(let p): return "(" + p.map { $0.sql(d, binds: &binds) }.joined(separator: " AND ") + ")"
        case .or(let p): return "(" + p.map { $0.sql(d, binds: &binds) }.joined(separator: " OR ") + ")"
        case .name(let op, let v): return cmp("name", op, v)
        case .tag(let k, let op, let v):
            binds.append(.text(k))
            let c = cmp("t.value", op, v)
            return "EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = experiments.experiment_id AND t.key = ? AND \(c))"
        }
    }
}
