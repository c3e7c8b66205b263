public import PulkStore
/// The schemas as named, append-only migration sets, applied under `Ledger`'s one policy.
public enum StoreSchema {
    /// The workspace's dataset catalog (SQLite only: `pulk.sqlite`).
    public static let workspace = MigrationSet(name: "workspace", migrations: [
        ("2026-11-23-datasets", [
            """
            CREATE TABLE dataset (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL UNIQUE,
                description TEXT,
                created_at REAL NOT NULL
            )
            """,
            """
            CREATE TABLE dataset_version (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                dataset_id INTEGER NOT NULL REFERENCES dataset(id) ON DELETE RESTRICT,
                version INTEGER NOT NULL,
                content_sha256 TEXT NOT NULL,
                frame_sha256 TEXT NOT NULL,
                format TEXT NOT NULL,
                source_path TEXT NOT NULL,
                size_bytes INTEGER NOT NULL,
                row_count INTEGER NOT NULL,
                column_count INTEGER NOT NULL,
                schema_json TEXT NOT NULL,
                read_options_json TEXT NOT NULL,
                description TEXT,
                created_at REAL NOT NULL,
                UNIQUE (dataset_id, version),
                UNIQUE (dataset_id, content_sha256)
            )
            """,
            "CREATE INDEX dataset_version_content ON dataset_version(content_sha256)",
            "CREATE INDEX dataset_version_frame ON dataset_version(frame_sha256)",
            // What uses a dataset version: another version derived from it, and later runs and models.
            """
            CREATE TABLE dataset_reference (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                dataset_version_id INTEGER NOT NULL REFERENCES dataset_version(id) ON DELETE RESTRICT,
                kind TEXT NOT NULL,
                referrer TEXT NOT NULL,
                created_at REAL NOT NULL,
                UNIQUE (dataset_version_id, kind, referrer)
            )
            """,
        ]),
        // Until this migration the workspace's set kept its own ledger (GRDB's `grdb_migrations`):
        // its ids move into the database's one ledger.
        ("2026-12-06-one-ledger", [
            "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)",
            "INSERT INTO pulk_store_migrations (id) SELECT identifier FROM grdb_migrations WHERE identifier NOT IN (SELECT id FROM pulk_store_migrations)",
            "DROP TABLE grdb_migrations",
        ]),
        // The catalog's tables get names of their own, apart from the tracking store's MLflow tables
        // (`datasets`, `run_dataset_inputs`) in the same file: `dataset` → `catalog_datasets`,
        // `dataset_version` → `catalog_dataset_versions`, `dataset_reference` → `catalog_dataset_uses`.
        // SQLite renames the foreign keys that point at them; the indexes follow their table.
        ("2026-12-06-catalog-names", [
            "ALTER TABLE dataset RENAME TO catalog_datasets",
            "ALTER TABLE dataset_version RENAME TO catalog_dataset_versions",
            "ALTER TABLE dataset_reference RENAME TO catalog_dataset_uses",
            "DROP INDEX dataset_version_content",
            "DROP INDEX dataset_version_frame",
            "CREATE INDEX catalog_dataset_versions_content ON catalog_dataset_versions(content_sha256)",
            "CREATE INDEX catalog_dataset_versions_frame ON catalog_dataset_versions(frame_sha256)",
        ]),
    ], legacyLedger: (table: "grdb_migrations", column: "identifier"))

    /// The tracking store, in SQL both SQLite and PostgreSQL accept (BIGINT, DOUBLE PRECISION, TEXT; ids
    /// from a counter table, not autoincrement); `{blob}` is BLOB or BYTEA.
    public static let tracking = MigrationSet(name: "tracking", migrations: [
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
        ("2026-12-01-registry-models-inputs", [
            // Datasets are identified within an experiment by name and digest, as MLflow's.
            """
            CREATE TABLE datasets (dataset_uuid TEXT PRIMARY KEY, experiment_id BIGINT NOT NULL, name TEXT NOT NULL, digest TEXT NOT NULL,
              source_type TEXT NOT NULL, source TEXT NOT NULL, schema TEXT NOT NULL, profile TEXT NOT NULL, UNIQUE (experiment_id, name, digest))
            """,
            "CREATE TABLE run_dataset_inputs (run_uuid TEXT NOT NULL, dataset_uuid TEXT NOT NULL, PRIMARY KEY (run_uuid, dataset_uuid))",
            """
            CREATE TABLE run_dataset_input_tags (run_uuid TEXT NOT NULL, dataset_uuid TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
              PRIMARY KEY (run_uuid, dataset_uuid, key))
            """,
            "CREATE INDEX run_dataset_inputs_by_dataset ON run_dataset_inputs (dataset_uuid)",
            // direction: 'input' (the run used the model) or 'output' (the run produced it).
            """
            CREATE TABLE run_models (run_uuid TEXT NOT NULL, model_id TEXT NOT NULL, direction TEXT NOT NULL, step BIGINT NOT NULL,
              PRIMARY KEY (run_uuid, direction, model_id))
            """,
            """
            CREATE TABLE logged_models (model_id TEXT PRIMARY KEY, experiment_id BIGINT NOT NULL, name TEXT NOT NULL,
              artifact_location TEXT NOT NULL, creation_time BIGINT NOT NULL, last_updated_time BIGINT NOT NULL, status TEXT NOT NULL,
              model_type TEXT NOT NULL, source_run_id TEXT NOT NULL, lifecycle_stage TEXT NOT NULL)
            """,
            "CREATE INDEX logged_models_by_experiment ON logged_models (experiment_id, creation_time DESC, model_id)",
            "CREATE INDEX logged_models_by_run ON logged_models (source_run_id)",
            "CREATE TABLE logged_model_tags (model_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (model_id, key))",
            "CREATE TABLE logged_model_params (model_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (model_id, key))",
            """
            CREATE TABLE logged_model_metrics (model_id TEXT NOT NULL, key TEXT NOT NULL, step BIGINT NOT NULL, timestamp BIGINT NOT NULL,
              value DOUBLE PRECISION NOT NULL, is_nan BIGINT NOT NULL, run_uuid TEXT NOT NULL, dataset_name TEXT NOT NULL,
              dataset_digest TEXT NOT NULL, PRIMARY KEY (model_id, key, step, timestamp, run_uuid, dataset_name, dataset_digest))
            """,
            // next_version never goes down, so a deleted version's number is never reused.
            """
            CREATE TABLE registered_models (name TEXT PRIMARY KEY, creation_time BIGINT NOT NULL, last_updated_time BIGINT NOT NULL,
              description TEXT NOT NULL, user_id TEXT NOT NULL, next_version BIGINT NOT NULL)
            """,
            "CREATE TABLE registered_model_tags (name TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (name, key))",
            """
            CREATE TABLE model_versions (name TEXT NOT NULL, version BIGINT NOT NULL, creation_time BIGINT NOT NULL,
              last_updated_time BIGINT NOT NULL, description TEXT NOT NULL, user_id TEXT NOT NULL, current_stage TEXT NOT NULL,
              source TEXT NOT NULL, storage_location TEXT NOT NULL, run_id TEXT NOT NULL, run_link TEXT NOT NULL, model_id TEXT NOT NULL,
              status TEXT NOT NULL, PRIMARY KEY (name, version))
            """,
            "CREATE INDEX model_versions_by_run ON model_versions (run_id)",
            """
            CREATE TABLE model_version_tags (name TEXT NOT NULL, version BIGINT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
              PRIMARY KEY (name, version, key))
            """,
            "CREATE TABLE registered_model_aliases (name TEXT NOT NULL, alias TEXT NOT NULL, version BIGINT NOT NULL, PRIMARY KEY (name, alias))",
            // Append-only: rows are inserted and never deleted (not even with the model); a rename of the
            // model carries them to the new name.
            """
            CREATE TABLE alias_history (sequence BIGINT PRIMARY KEY, name TEXT NOT NULL, alias TEXT NOT NULL, from_version BIGINT,
              to_version BIGINT, user_id TEXT NOT NULL, time BIGINT NOT NULL)
            """,
            "CREATE INDEX alias_history_by_model ON alias_history (name, alias, sequence)",
            "INSERT INTO counters (name, value) VALUES ('alias_move', 0)",
        ]),
        // Metric histories in chunks: one row per (run, key, logging call) holding its points packed
        // (MetricChunks.swift). A 1000-metric batch writes ten rows, not a thousand. An ordinary
        // (rowid) table, not a clustered one: SQLite keeps rows of up to ~4 KB in a rowid table's page
        // but spills anything over ~1 KB of a clustered table's row to an overflow page of its own.
        // Rows of the earlier `metrics` table stay readable and are merged in.
        ("2026-12-02-metric-chunks", [
            """
            CREATE TABLE metric_chunks (run_uuid TEXT NOT NULL, key TEXT NOT NULL, chunk BIGINT NOT NULL, count BIGINT NOT NULL,
              min_step BIGINT NOT NULL, max_step BIGINT NOT NULL, points {blob} NOT NULL, PRIMARY KEY (run_uuid, key, chunk))
            """,
            "INSERT INTO counters (name, value) VALUES ('metric_chunk', 0)",
            // Searches ordered by a metric walk this index in order and stop at the page size.
            "CREATE INDEX latest_metrics_order ON latest_metrics (key, is_nan, value, run_uuid)",
            "DROP INDEX latest_metrics_by_key",
        ]),
        // Serving: endpoints (settings and deployments as JSON, changed whole), the history of their
        // changes, and the sampled serving log (bounded per endpoint by its retention).
        ("2026-12-02-endpoints", [
            """
            CREATE TABLE endpoints (name TEXT PRIMARY KEY, description TEXT NOT NULL, settings TEXT NOT NULL, deployments TEXT NOT NULL,
              generation BIGINT NOT NULL, creation_time BIGINT NOT NULL, last_updated_time BIGINT NOT NULL)
            """,
            """
            CREATE TABLE endpoint_events (sequence BIGINT PRIMARY KEY, endpoint TEXT NOT NULL, time BIGINT NOT NULL, user_id TEXT NOT NULL,
              kind TEXT NOT NULL, message TEXT NOT NULL, deployments TEXT NOT NULL)
            """,
            "CREATE INDEX endpoint_events_by_endpoint ON endpoint_events (endpoint, sequence)",
            "INSERT INTO counters (name, value) VALUES ('endpoint_generation', 0)",
            "INSERT INTO counters (name, value) VALUES ('endpoint_event', 0)",
            """
            CREATE TABLE serving_log (endpoint TEXT NOT NULL, deployment TEXT NOT NULL, model TEXT NOT NULL, version TEXT NOT NULL,
              time BIGINT NOT NULL, request_id TEXT NOT NULL, status BIGINT NOT NULL, latency_us BIGINT NOT NULL, shadow BIGINT NOT NULL,
              rows_scored BIGINT NOT NULL, input TEXT NOT NULL, output TEXT NOT NULL)
            """,
            "CREATE INDEX serving_log_by_time ON serving_log (endpoint, time)",
        ]),
        // Teams: users (PBKDF2 password hashes), API tokens and web sessions (SHA-256 of their secrets
        // only), per-resource grants, and the append-only, hash-chained audit trail.
        ("2026-12-05-access-audit", [
            "CREATE TABLE users (name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL, creation_time BIGINT NOT NULL, last_updated_time BIGINT NOT NULL)",
            """
            CREATE TABLE api_tokens (token_id TEXT PRIMARY KEY, user_name TEXT NOT NULL, name TEXT NOT NULL, secret_hash TEXT NOT NULL UNIQUE,
              creation_time BIGINT NOT NULL, expires_time BIGINT, revoked_time BIGINT)
            """,
            "CREATE INDEX api_tokens_by_user ON api_tokens (user_name)",
            "CREATE TABLE login_sessions (secret_hash TEXT PRIMARY KEY, user_name TEXT NOT NULL, expires_time BIGINT NOT NULL)",
            "CREATE TABLE grants (user_name TEXT NOT NULL, kind TEXT NOT NULL, resource TEXT NOT NULL, permission TEXT NOT NULL, PRIMARY KEY (user_name, kind, resource))",
            """
            CREATE TABLE audit_log (sequence BIGINT PRIMARY KEY, time BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, resource_kind TEXT NOT NULL,
              resource TEXT NOT NULL, before_state TEXT NOT NULL, after_state TEXT NOT NULL, previous_hash TEXT NOT NULL, hash TEXT NOT NULL)
            """,
            "CREATE INDEX audit_log_by_actor ON audit_log (actor, sequence)",
            "CREATE INDEX audit_log_by_resource ON audit_log (resource, sequence)",
            "INSERT INTO counters (name, value) VALUES ('audit', 0)",
        ]),
        // Registry webhooks (MLflow 3's API); events as comma-separated `entity.action`.
        ("2026-12-06-webhooks", [
            """
            CREATE TABLE webhooks (webhook_id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL, url TEXT NOT NULL,
              events TEXT NOT NULL, status TEXT NOT NULL, secret TEXT NOT NULL, creation_time BIGINT NOT NULL, last_updated_time BIGINT NOT NULL)
            """,
        ]),
        // Background jobs (AutoML searches, …): what was asked, progress and result as the kind's JSON.
        ("2026-12-07-jobs", [
            """
            CREATE TABLE jobs (job_id TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, user_name TEXT NOT NULL, request TEXT NOT NULL,
              progress TEXT NOT NULL, result TEXT NOT NULL, error TEXT, cancel_requested INTEGER NOT NULL, creation_time BIGINT NOT NULL,
              start_time BIGINT, end_time BIGINT, last_updated_time BIGINT NOT NULL)
            """,
            "CREATE INDEX jobs_by_kind ON jobs (kind, creation_time)",
            "CREATE INDEX jobs_by_status ON jobs (status, kind)",
        ]),
        // Drift monitors of endpoints (settings as JSON; the schedule in columns) and their computed windows.
        ("2026-12-07-monitors", [
            """
            CREATE TABLE monitors (name TEXT PRIMARY KEY, endpoint TEXT NOT NULL, settings TEXT NOT NULL, paused INTEGER NOT NULL,
              next_run_time BIGINT NOT NULL, creation_time BIGINT NOT NULL)
            """,
            "CREATE INDEX monitors_due ON monitors (paused, next_run_time)",
            """
            CREATE TABLE monitor_runs (run_id TEXT PRIMARY KEY, monitor TEXT NOT NULL, window_start BIGINT NOT NULL, window_end BIGINT NOT NULL,
              time BIGINT NOT NULL, status TEXT NOT NULL, rows_compared BIGINT NOT NULL, dataset_drift INTEGER NOT NULL,
              drifted_share DOUBLE PRECISION NOT NULL, columns TEXT NOT NULL, report TEXT NOT NULL, message TEXT, tracking_run_id TEXT,
              performance TEXT NOT NULL, alerts TEXT NOT NULL)
            """,
            "CREATE INDEX monitor_runs_by_window ON monitor_runs (monitor, window_end)",
            // Ground truth for answered requests, by request id and row.
            """
            CREATE TABLE feedback (endpoint TEXT NOT NULL, request_id TEXT NOT NULL, row_index BIGINT NOT NULL, truth TEXT NOT NULL,
              time BIGINT NOT NULL, PRIMARY KEY (endpoint, request_id, row_index))
            """,
        ]),
        // A monitor window reads the feedback that arrived since the window opened.
        ("2026-12-07-feedback-by-time", [
            "CREATE INDEX feedback_by_time ON feedback (endpoint, time)",
        ]),
    ], legacyLedger: nil)
}
