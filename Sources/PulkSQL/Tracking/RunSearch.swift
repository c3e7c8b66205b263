public import PulkStore
import Foundation

/// Run search: MLflow's filter grammar compiled to SQL, `order_by` terms, and keyset page tokens (the
/// last run's sort values), so deep pages cost what the first does. A search ordered by one metric
/// takes the index-driven path in SearchByMetric.swift.
extension SQLTrackingStore {
    /// The run columns as `runs.COLUMN`, for queries that join other tables.
    static let qualifiedRunColumns = runColumns.split(separator: ",").map { "runs." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")

    /// What every run search asks: the experiments, the view (active, deleted, all) and the filter.
    func runConditions(ids: [Int64], view: ViewType, filter: SearchFilter?, binds: inout [SQLValue]) -> String {
        var c = ["runs.experiment_id IN (" + ids.map { _ in "?" }.joined(separator: ", ") + ")", Self.viewCondition(view, column: "runs.lifecycle_stage")]
        binds += ids.map { .int($0) }
        if let filter { c.append(filter.sql(db.dialect, binds: &binds)) }
        return c.joined(separator: " AND ")
    }


    public func searchRuns(experimentIds: [String], filter: String?, view: ViewType, maxResults: Int, orderBy: [String], pageToken: String?) async throws(StoreError) -> Page<Run> {
        guard maxResults >= 1 && maxResults <= TrackingLimits.maxSearchResults else {
            throw .invalid("Invalid value \(maxResults) for parameter 'max_results' supplied. It must be at most \(TrackingLimits.maxSearchResults)")
        }
        let ids = try experimentIds.map(Self.experimentId)
        guard !ids.isEmpty else { return Page(items: [], nextPageToken: nil) }
        try TrackingLimits.checkOrderCount(orderBy)
        let order = try orderBy.map(RunOrder.parse) + (orderBy.isEmpty ? [RunOrder(kind: .attribute("start_time"), ascending: false)] : [])
        let parsed = try filter.flatMap(SearchFilter.parse)
        let token = try pageToken.map(RunPageToken.decode)
        if let token, token.values.count != order.count { throw .invalid("Invalid page token: it belongs to another ordering") }
        if order.count == 1, case .metric(let key) = order[0].kind {
            return try await searchByMetric(key: key, ascending: order[0].ascending, ids: ids, filter: parsed, view: view, maxResults: maxResults, token: token)
        }
        var binds: [SQLValue] = []
        // Inner query: the matching runs and their sort keys.
        var select = "SELECT \(Self.qualifiedRunColumns)"
        for (i, o) in order.enumerated() { select += ", " + o.expression(&binds) + " AS k\(i)" }
        var sql = select + " FROM runs WHERE " + runConditions(ids: ids, view: view, filter: parsed, binds: &binds)
        sql = "SELECT * FROM (" + sql + ") r"
        if let token { sql += " WHERE " + token.after(order, binds: &binds) }
        sql += " ORDER BY " + order.enumerated().map { i, o in "(r.k\(i) IS NULL), r.k\(i) \(o.ascending ? "ASC" : "DESC")" }.joined(separator: ", ")
            + ", r.run_uuid ASC LIMIT \(maxResults + 1)"
        let statement = sql, arguments = binds, count = order.count
        let (runs, keys) = try await db.read { s throws(StoreError) in
            let rows = try s.query(statement, arguments)
            let infos = rows.prefix(maxResults).map(Self.info)
            return (try Self.assemble(s, Array(infos)), rows.count > maxResults ? Array(rows[maxResults - 1].values[9..<(9 + count)]) : nil)
        }
        let next = keys.map { RunPageToken(values: $0, runId: runs.last!.info.runId).encoded }
        return Page(items: runs, nextPageToken: next)
    }
}

/// One `order_by` term of a run search.
struct RunOrder: Sendable {
    enum Kind: Sendable { case attribute(String), metric(String), param(String), tag(String) }
    var kind: Kind
    var ascending: Bool

    static func parse(_ text: String) throws(StoreError) -> RunOrder {
        var t = text.trimmingCharacters(in: .whitespaces)
        var ascending = true
        if t.uppercased().hasSuffix(" DESC") { ascending = false; t = String(t.dropLast(5)) } else if t.uppercased().hasSuffix(" ASC") { t = String(t.dropLast(4)) }
        t = t.trimmingCharacters(in: .whitespaces)
        guard let dot = t.firstIndex(of: ".") else {
            if SearchFilter.attributes[t] != nil { return RunOrder(kind: .attribute(t), ascending: ascending) }
            throw .invalid("Invalid order_by clause '\(text)': use metrics.KEY, params.KEY, tags.KEY or attributes.NAME, then ASC or DESC")
        }
        let prefix = t[..<dot].lowercased()
        var key = String(t[t.index(after: dot)...])
        if key.count >= 2, let f = key.first, f == key.last, f == "`" || f == "\"" {
            key = String(key.dropFirst().dropLast())
        } else if key.isEmpty || key.contains(where: { $0.isWhitespace || $0 == "`" || $0 == "\"" || $0 == "'" }) {
            throw .invalid("Invalid order_by clause '\(text)': the key after '\(prefix).' must be one word or quoted in backticks, then ASC or DESC")
        }
        switch prefix {
        case "metric", "metrics": return RunOrder(kind: .metric(key), ascending: ascending)
        case "param", "params", "parameter", "parameters": return RunOrder(kind: .param(key), ascending: ascending)
        case "tag", "tags": return RunOrder(kind: .tag(key), ascending: ascending)
        case "attribute", "attributes", "attr", "run":
            guard SearchFilter.attributes[key] != nil else { throw .invalid("Invalid order_by clause '\(text)': unknown attribute '\(key)'") }
            return RunOrder(kind: .attribute(key), ascending: ascending)
        default: throw .invalid("Invalid order_by clause '\(text)': '\(prefix)' is not metrics, params, tags or attributes")
        }
    }

    func expression(_ binds: inout [SQLValue]) -> String {
        switch kind {
        case .attribute(let a): return "runs." + SearchFilter.attributes[a]!
        case .metric(let k):
            binds.append(.text(k))
            return "(SELECT CASE WHEN m.is_nan = 1 THEN NULL ELSE m.value END FROM latest_metrics m WHERE m.run_uuid = runs.run_uuid AND m.key = ?)"
        case .param(let k):
            binds.append(.text(k))
            return "(SELECT x.value FROM params x WHERE x.run_uuid = runs.run_uuid AND x.key = ?)"
        case .tag(let k):
            binds.append(.text(k))
            return "(SELECT x.value FROM run_tags x WHERE x.run_uuid = runs.run_uuid AND x.key = ?)"
        }
    }
}

/// A keyset page token: the sort values and run id of the last run of the page.
struct RunPageToken: Codable {
    var values: [SQLValue]
    var runId: String

    enum CodingKeys: String, CodingKey { case values = "v", runId = "r" }

    var encoded: String { (try? JSONEncoder().encode(self)).map { $0.base64EncodedString() } ?? "" }

    static func decode(_ token: String) throws(StoreError) -> RunPageToken {
        guard let data = Data(base64Encoded: token), let t = try? JSONDecoder().decode(RunPageToken.self, from: data) else {
            throw .invalid("Invalid page token '\(token.prefix(40))'")
        }
        return t
    }

    /// Rows strictly after this one in the ordering (NULLs last, then run id).
    func after(_ order: [RunOrder], binds: inout [SQLValue]) -> String {
        var terms: [String] = []
        var equalSoFar: [String] = []
        var equalBinds: [SQLValue] = []
        for (i, o) in order.enumerated() {
            let k = "r.k\(i)", v = values[i]
            var term = equalSoFar
            var termBinds = equalBinds
            if v == .null {
                // After a NULL only other NULLs with a larger tie-breaker remain: nothing for this key.
                equalSoFar.append("\(k) IS NULL")
                continue
            }
            term.append("(\(k) IS NULL OR \(k) \(o.ascending ? ">" : "<") ?)")
            termBinds.append(v)
            terms.append("(" + term.joined(separator: " AND ") + ")")
            binds += termBinds
            equalSoFar.append("\(k) = ?")
            equalBinds.append(v)
        }
        terms.append("(" + (equalSoFar + ["r.run_uuid > ?"]).joined(separator: " AND ") + ")")
        binds += equalBinds + [.text(runId)]
        return "(" + terms.joined(separator: " OR ") + ")"
    }
}
