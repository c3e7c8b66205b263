public import Foundation
public import PulkSQL
public import PulkStore
public import PulkTracking
public import PulkWorkspace
public import PulkEndpoints

/// Where a process keeps its state, opened once: the workspace (one file lock, one schema check, one
/// SQLite pool), the tracking store in it or in PostgreSQL, and the tracking client that commands
/// record runs through (the workspace's store, or a remote server over MLflow's protocol).
///
/// The CLI makes one per command; `pulk server` and workers make one per process. Every flow of the
/// application layer takes one, so the same flow runs against a laptop's workspace and a shared server.
public actor Workbench {
    /// The workspace folder (created on first use).
    public nonisolated let workspacePath: String
    /// Where runs are tracked: the workspace's store or a tracking server.
    public nonisolated let tracking: TrackingTarget
    /// Where endpoints and the registry deploys read live: the workspace's store, or a server's PostgreSQL.
    public nonisolated let store: StoreLocation
    /// A `pulk server` whose native API holds the endpoints (and, unless `tracking` names another
    /// server, the runs and models): `--server URL` / `PULK_SERVER`.
    public nonisolated let server: URL?
    let now: @Sendable () -> Int64
    /// Told when opening the workspace created it (the CLI says where it is).
    let onCreate: (@Sendable (Workspace) -> Void)?

    private var openedWorkspace: Workspace?
    private var openedStore: SQLTrackingStore?
    private var openedRunStore: SQLTrackingStore?
    private var openedClient: (any TrackingClient)?

    public init(workspacePath: String? = nil, tracking: TrackingTarget = .workspace, store: StoreLocation = .workspace, server: URL? = nil,
                now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) },
                onCreate: (@Sendable (Workspace) -> Void)? = nil) {
        self.onCreate = onCreate
        self.workspacePath = workspacePath ?? Workspace.defaultPath()
        if let server, tracking == .workspace { self.tracking = .server(server) } else { self.tracking = tracking }
        self.store = store
        self.server = server
        self.now = now
    }

    /// The workspace, opened (and created when absent) on first use.
    public func workspace() throws(WorkspaceError) -> Workspace {
        if let openedWorkspace { return openedWorkspace }
        let ws = try Workspace.open(at: workspacePath)
        if ws.created { onCreate?(ws) }
        openedWorkspace = ws
        return ws
    }

    /// The SQL store of `store`: the workspace's own (sharing the workspace's SQLite pool) or PostgreSQL.
    public func sqlStore() async throws -> SQLTrackingStore {
        if let openedStore { return openedStore }
        let opened = try await store.open(workspace: try workspace(), now: now)
        openedStore = opened
        return opened
    }

    /// The client runs are recorded through and read from.
    public func trackingClient() async throws -> any TrackingClient {
        if let openedClient { return openedClient }
        let client: any TrackingClient
        switch tracking {
        case .server(let url): client = RemoteTracking(base: url)
        case .workspace:
            let ws = try workspace()
            client = LocalTracking(store: try await runStore(), artifacts: try LocalTracking.artifacts(ws), datasets: ws.datasets,
                                   location: "workspace \(ws.root.path)")
        }
        openedClient = client
        return client
    }

    /// The store the workspace's own runs are recorded in: the workspace's (its SQLite pool shared when
    /// `store` is the workspace too).
    public func runStore() async throws -> SQLTrackingStore {
        if store == .workspace { return try await sqlStore() }
        if let openedRunStore { return openedRunStore }
        let opened = try await StoreLocation.workspace.open(workspace: try workspace(), now: now)
        openedRunStore = opened
        return opened
    }

    /// The datasets: the server's, else the workspace's (with the runs of the workspace's store as their readers).
    public func datasets() throws -> any DatasetCatalog {
        if let server { return RemoteDatasets(client: PulkServerClient(base: server)) }
        return LocalDatasets(try workspace(), readers: { [self] in DatasetReaders(store: try await self.runStore()) })
    }

    /// Endpoint management: on the server given, else on the store of `store`.
    public func endpoints() async throws -> any EndpointService {
        if let server { return RemoteEndpoints(client: PulkServerClient(base: server)) }
        return LocalEndpoints(store: try await sqlStore(), registry: try await registryClient(), location: store.description)
    }

    /// Drift monitors: the server's (it computes their windows on its schedule), else the store's
    /// (windows computed here when asked: `pulk monitor run`, `backfill`).
    public func monitors() async throws -> any MonitorService {
        if let server { return RemoteMonitors(client: PulkServerClient(base: server)) }
        let store = try await sqlStore()
        let monitoring = Monitoring(store: store, catalog: try datasets(), tracking: { [self] in try await self.trackingClient() },
                                    endpoints: { [self] in try await self.endpoints() })
        return LocalMonitors(monitoring: monitoring, user: RunRecorder.user())
    }

    /// Registry webhooks: the server's (through MLflow's webhook API), else the store's.
    public func webhooks() async throws -> any WebhookService {
        if let server { return RemoteWebhooks(client: PulkServerClient(base: server)) }
        return LocalWebhooks(store: try await sqlStore(), location: store.description)
    }

    /// Users, tokens, grants and the audit trail: the server's, else the store's (as its owner, `owner`).
    public func access(owner: String) async throws -> any AccessService {
        if let server { return RemoteAccess(client: PulkServerClient(base: server)) }
        return LocalAccess(store: try await sqlStore(), owner: owner, location: store.description)
    }

    /// The registry endpoints deploy from (the store of `store`), as a tracking client; model files come
    /// from the workspace's artifact folder.
    public func registryClient() async throws -> any TrackingClient {
        if let server { return RemoteTracking(base: server) }
        let ws = try workspace()
        return LocalTracking(store: try await sqlStore(), artifacts: try LocalTracking.artifacts(ws), datasets: nil, location: store.description)
    }
}

/// Where the SQL store lives.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    /// How a SQLite store commits: `normal` survives a killed process; `full` also power loss.
    public typealias Durability = SQLiteDatabase.Durability

    /// `--durability NAME`: normal or full.
    public static func durability(named name: String) throws(AppError) -> Durability {
        guard let d = Durability(rawValue: name) else { throw .invalid("--durability must be normal or full, not '\(name)'.") }
        return d
    }

    /// `pulk.sqlite` in the workspace.
    case workspace
    /// A PostgreSQL database, `postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE`.
    case postgres(String)

    /// `--store-uri`: nil or empty for the workspace.
    public init(uri: String?) {
        if let uri, !uri.isEmpty { self = .postgres(uri) } else { self = .workspace }
    }

    public var description: String {
        switch self {
        case .workspace: return "the workspace"
        case .postgres: return "the PostgreSQL store"
        }
    }

    /// Opens the store, creating its tables in a new database; an older schema is refused with how to
    /// upgrade it (`Ledger`'s policy). In the workspace at normal durability it shares the workspace's
    /// SQLite pool; `.full` durability (an fsync per commit) opens its own.
    public func open(workspace: Workspace, durability: SQLiteDatabase.Durability = .normal, maxConnections: Int = 2,
                     now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) async throws(StoreError) -> SQLTrackingStore {
        let (database, hint) = try self.database(workspace: workspace, durability: durability, maxConnections: maxConnections)
        return try await SQLTrackingStore.open(database, artifactRoot: LocalTracking.artifactRoot, upgradeHint: hint, now: now)
    }

    /// Applies the tracking migrations the store lacks (`pulk workspace upgrade`); returns them, oldest first.
    public func upgrade(workspace: Workspace) async throws(StoreError) -> [String] {
        let (database, hint) = try self.database(workspace: workspace, durability: .normal, maxConnections: 1)
        switch try await Ledger.open(StoreSchema.tracking, in: database, upgrade: true, upgradeHint: hint) {
        case .upgraded(let ids): return ids
        case .created: return StoreSchema.tracking.migrations.map(\.id)
        case .current: return []
        }
    }

    func database(workspace: Workspace, durability: SQLiteDatabase.Durability, maxConnections: Int) throws(StoreError) -> (any SQLDatabase, hint: String) {
        switch self {
        case .postgres(let url):
            return (try PostgresDatabase(url: url, maxConnections: maxConnections),
                    "Back the database up (pg_dump), then run `pulk workspace upgrade --store-uri URI` with this store's URI.")
        case .workspace:
            let database: any SQLDatabase = durability == .normal ? SQLiteDatabase(pool: workspace.database)
                : try SQLiteDatabase(path: LocalTracking.databasePath(workspace), durability: durability)
            return (database, "Back up the workspace \(workspace.root.path), then run `pulk workspace upgrade`.")
        }
    }
}
