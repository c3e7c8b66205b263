/// The tracking schema: named, append-only migrations in SQL both SQLite and PostgreSQL accept
/// (BIGINT, DOUBLE PRECISION, TEXT; ids from a counter table, not autoincrement).
enum Schema {
    static let migrations: [(id: String, statements: [String])] = [
        ("2026-11-23-tracking", [
            "CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
            "INSERT INTO counters (name, value) VALUES ('experiment', 0)",
            """
            CREATE TABLE experiments (experiment_id BIGINT PRIMARY KEY, name TEXT NOT NULL UNIQUE, artifact_location TEXT NOT NULL,
              lifecycle_stage TEXT NOT NULL, creation_time BIGINT NOT NULL, last_update_time BIGINT NOT NULL)
            """,
            "CREATE TABLE experiment_tags (experiment_id BIGINT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (experiment_id, key))",
            """
            CREATE TABLE runs (run_uuid TEXT PRIMARY KEY, experiment_id BIGINT NOT NULL, name TEXT NOT NULL, user_id TEXT NOT NULL,
              status TEXT NOT NULL, start_time BIGINT NOT NULL, end_time BIGINT, artifact_uri TEXT NOT NULL, lifecycle_stage TEXT NOT NULL,
              deleted_time BIGINT)
            """,
            "CREATE INDEX runs_by_experiment ON runs (experiment_id, lifecycle_stage, start_time DESC, run_uuid)",
            "CREATE TABLE run_tags (run_uuid TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_uuid, key))",
            "CREATE TABLE params (run_uuid TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_uuid, key))",
            "CREATE INDEX params_by_key ON params (key, value)",
            """
            CREATE TABLE metrics (run_uuid TEXT NOT NULL, key TEXT NOT NULL, step BIGINT NOT NULL, timestamp BIGINT NOT NULL,
              value DOUBLE PRECISION NOT NULL, is_nan BIGINT NOT NULL)
            """,
            "CREATE INDEX metrics_history ON metrics (run_uuid, key, step, timestamp)",
            """
            CREATE TABLE latest_metrics (run_uuid TEXT NOT NULL, key TEXT NOT NULL, step BIGINT NOT NULL, timestamp BIGINT NOT NULL,
              value DOUBLE PRECISION NOT NULL, is_nan BIGINT NOT NULL, PRIMARY KEY (run_uuid, key))
            """,
            "CREATE INDEX latest_metrics_by_key ON latest_metrics (key, value)",
        ]),
    ]

    /// Applies the migrations this database lacks, each in its own transaction; refuses a database
    /// that knows migrations this build does not.
    static func migrate(_ db: any SQLDatabase) async throws(StoreError) {
        try await db.write { s throws(StoreError) in
            try s.execute("CREATE TABLE IF NOT EXISTS pulk_store_migrations (id TEXT PRIMARY KEY)")
        }
        let applied = Set(try await db.read { s throws(StoreError) in
            try s.query("SELECT id FROM pulk_store_migrations").compactMap { $0[0].text }
        })
        let known = Set(migrations.map(\.id))
        if let unknown = applied.subtracting(known).sorted().first {
            throw StoreError(.invalidState, "the tracking database has migration \(unknown), which this pulk does not know; upgrade pulk")
        }
        for m in migrations where !applied.contains(m.id) {
            try await db.write { s throws(StoreError) in
                // Another process may have applied it since we looked.
                if try !s.query("SELECT id FROM pulk_store_migrations WHERE id = ?", .text(m.id)).isEmpty { return }
                for sql in m.statements { try s.execute(sql, []) }
                try s.execute("INSERT INTO pulk_store_migrations (id) VALUES (?)", .text(m.id))
            }
        }
    }
}
