public import Foundation
public import GRDB
import PulkSQL
#if canImport(Glibc)
import Glibc
#endif

/// A folder holding all of Pulk's state: `pulk.sqlite` (metadata, WAL mode, foreign keys) and
/// `blobs/` (content-addressed files). Several processes may use one workspace at once: SQLite
/// serialises writers, blobs are written atomically, and opening takes a file lock so only one
/// process creates or migrates the schema.
///
/// ```swift
/// let ws = try Workspace.open(at: "./pulk-workspace")
/// let (version, created) = try ws.datasets.add(file: "penguins.csv", name: "penguins")
/// ```
public final class Workspace: Sendable {
    public let root: URL
    public let database: DatabasePool
    public let blobs: BlobStore
    /// The clock used for every timestamp (injected in tests).
    public let now: @Sendable () -> Date
    /// Whether this `open` created the workspace (so a front end can say where it is).
    public let created: Bool
    /// The catalog migrations this `open` applied to an existing workspace (`upgrade: true`).
    public let upgraded: [String]

    /// The default location: `$PULK_HOME`, else `./pulk-workspace`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        environment["PULK_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "pulk-workspace"
    }

    /// Opens (creating when absent) the workspace at `path`. An existing workspace whose schema is
    /// older than this pulk's is not touched: the error says to run `pulk workspace upgrade`.
    public static func open(at path: String, create: Bool = true, upgrade: Bool = false,
                            now: @escaping @Sendable () -> Date = { Date() }) throws(WorkspaceError) -> Workspace {
        let root = URL(fileURLWithPath: path).standardizedFileURL
        let fm = FileManager.default
        var isDir: ObjCBool = false
        let exists = fm.fileExists(atPath: root.path, isDirectory: &isDir)
        let dbPath = root.appendingPathComponent("pulk.sqlite").path
        if exists {
            guard isDir.boolValue else { throw .notAWorkspace(root.path) }
        } else if !create {
            throw .notAWorkspace(root.path)
        }
        do {
            try fm.createDirectory(at: root, withIntermediateDirectories: true)
        } catch {
            throw .io(root.path, reason: "cannot create the workspace folder: \(error.localizedDescription)")
        }
        // Everything below happens under the lock, so a process creating the workspace is never seen
        // half-done by another.
        let lock = try FileLock(path: root.appendingPathComponent("workspace.lock").path)
        defer { lock.unlock() }
        let entries = (try? fm.contentsOfDirectory(atPath: root.path)) ?? []
        if !entries.contains("pulk.sqlite"), entries.contains(where: { !Self.ownEntries.contains($0) }) {
            throw .notAWorkspace(root.path)
        }
        do {
            for sub in ["blobs", "tmp"] {
                try fm.createDirectory(at: root.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
        } catch {
            throw .io(root.path, reason: "cannot create the workspace folder: \(error.localizedDescription)")
        }
        let pool: DatabasePool
        do {
            var config = Configuration()
            config.foreignKeysEnabled = true
            config.busyMode = .timeout(30)
            config.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            pool = try DatabasePool(path: dbPath, configuration: config)
        } catch {
            throw .database("cannot open \(dbPath): \(error)")
        }
        let upgraded = try checkSchema(pool, path: root.path, upgrade: upgrade)
        return Workspace(root: root, database: pool, now: now, created: !entries.contains("pulk.sqlite"), upgraded: upgraded)
    }

    /// Names a workspace folder may hold before its database exists.
    static let ownEntries: Set<String> = ["pulk.sqlite", "pulk.sqlite-wal", "pulk.sqlite-shm", "blobs", "tmp",
                                          "workspace.lock", "blobs.lock"]

    init(root: URL, database: DatabasePool, now: @escaping @Sendable () -> Date, created: Bool = false, upgraded: [String] = []) {
        self.root = root
        self.upgraded = upgraded
        self.database = database
        self.now = now
        self.created = created
        blobs = BlobStore(root: root.appendingPathComponent("blobs"), tmp: root.appendingPathComponent("tmp"))
    }

    /// Creates the catalog in a new database; refuses an older one unless `upgrade`, and a newer one
    /// always (one policy for every schema: `Ledger`).
    static func checkSchema(_ pool: DatabasePool, path: String, upgrade: Bool) throws(WorkspaceError) -> [String] {
        let result: Result<Ledger.Outcome, Ledger.Refusal>
        do { result = try Ledger.open(StoreSchema.workspace, in: pool, upgrade: upgrade) } catch { throw .database("\(error)") }
        switch result {
        case .success(.upgraded(let ids)): return ids
        case .success: return []
        case .failure(.outOfDate(_, let missing)): throw .schemaOutOfDate(path: path, missing: missing)
        case .failure(.newer): throw .schemaNewer(path: path)
        }
    }

    /// Schema migrations this workspace's catalog lacks (empty when current).
    public func pendingMigrations() throws(WorkspaceError) -> [String] {
        do { return try Ledger.pending(StoreSchema.workspace, in: database) } catch { throw .database("\(error)") }
    }

    /// Dataset versions stored in this workspace.
    public var datasets: DatasetStore { DatasetStore(workspace: self) }
}

/// An exclusive advisory lock on a file, held while a process creates or migrates a workspace.
final class FileLock {
    private let fd: Int32

    init(path: String) throws(WorkspaceError) {
        fd = open(path, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else { throw .io(path, reason: String(cString: strerror(errno))) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw .io(path, reason: String(cString: strerror(errno))) }
        }
    }

    func unlock() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
