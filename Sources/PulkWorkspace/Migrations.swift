import GRDB

/// The workspace schema as named, append-only migrations. Never edit a migration that has shipped:
/// add a new one.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("2026-11-23-datasets") { db in
            try db.execute(sql: """
                CREATE TABLE dataset (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL UNIQUE,
                    description TEXT,
                    created_at REAL NOT NULL
                );
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
                );
                CREATE INDEX dataset_version_content ON dataset_version(content_sha256);
                CREATE INDEX dataset_version_frame ON dataset_version(frame_sha256);
                -- What uses a dataset version: another version derived from it, and later runs and models.
                CREATE TABLE dataset_reference (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    dataset_version_id INTEGER NOT NULL REFERENCES dataset_version(id) ON DELETE RESTRICT,
                    kind TEXT NOT NULL,
                    referrer TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    UNIQUE (dataset_version_id, kind, referrer)
                );
                """)
        }
        return m
    }
}
