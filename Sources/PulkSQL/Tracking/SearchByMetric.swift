public import PulkStore
import Foundation

/// Run search ordered by one metric, the common case ("best runs by validation loss"): instead of
/// computing every matching run's sort key and sorting them all, walk the `latest_metrics_order`
/// index (key, is_nan, value, run_uuid) in order and stop at the page size. Runs without a value of
/// the metric (or with NaN) come after all the others, ordered by run id, as the general query orders them.
extension SQLTrackingStore {
    func searchByMetric(key: String, ascending: Bool, ids: [Int64], filter: SearchFilter?, view: ViewType, maxResults: Int,
                        token: RunPageToken?) async throws(StoreError) -> Page<Run> {
        let columns = Self.qualifiedRunColumns
        // Phase A: runs with a value, in index order (SQLite is told to drive from the index).
        var statements: [(sql: String, binds: [SQLValue], limit: Int)] = []
        let afterNull = token.map { $0.values.first == .null } ?? false
        if !afterNull {
            var binds: [SQLValue] = [.text(key)]
            var sql = "SELECT \(columns), m.value FROM latest_metrics m \(db.dialect == .sqlite ? "CROSS JOIN" : "JOIN") runs ON runs.run_uuid = m.run_uuid"
                + " WHERE m.key = ? AND m.is_nan = 0 AND " + runConditions(ids: ids, view: view, filter: filter, binds: &binds)
            if let token, let v = token.values.first?.double {
                sql += " AND (m.value \(ascending ? ">" : "<") ? OR (m.value = ? AND m.run_uuid > ?))"
                binds += [.double(v), .double(v), .text(token.runId)]
            }
            sql += " ORDER BY m.value \(ascending ? "ASC" : "DESC"), m.run_uuid ASC LIMIT \(maxResults + 1)"
            statements.append((sql, binds, maxResults + 1))
        }
        // Phase B: runs without a value, by run id; run only when phase A leaves room on the page.
        var binds: [SQLValue] = []
        var sql = "SELECT \(columns), NULL FROM runs WHERE " + runConditions(ids: ids, view: view, filter: filter, binds: &binds)
            + " AND NOT EXISTS (SELECT 1 FROM latest_metrics m WHERE m.run_uuid = runs.run_uuid AND m.key = ? AND m.is_nan = 0)"
        binds.append(.text(key))
        if afterNull, let token { sql += " AND runs.run_uuid > ?"; binds.append(.text(token.runId)) }
        statements.append((sql + " ORDER BY runs.run_uuid ASC LIMIT ?", binds, -1))
        let planned = statements
        let (runs, last) = try await db.read { s throws(StoreError) in
            var rows: [SQLRow] = []
            for st in planned where rows.count <= maxResults {
                let limit = st.limit > 0 ? st.limit : maxResults + 1 - rows.count
                rows += try s.query(st.sql, st.limit > 0 ? st.binds : st.binds + [.int(Int64(limit))])
            }
            let infos = rows.prefix(maxResults).map(Self.info)
            return (try Self.assemble(s, Array(infos)), rows.count > maxResults ? rows[maxResults - 1].values[9] : nil)
        }
        let next = last.map { RunPageToken(values: [$0], runId: runs.last!.info.runId).encoded }
        return Page(items: runs, nextPageToken: next)
    }
}
