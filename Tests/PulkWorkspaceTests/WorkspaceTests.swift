import Foundation
import GRDB
import Testing
@testable import PulkFrame
@testable import PulkWorkspace

func temporaryDirectory() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-ws-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A clock that advances one second per reading, so timestamps are deterministic.
final class TestClock: @unchecked Sendable {
    private var t = 1_800_000_000.0
    private let lock = NSLock()
    func now() -> Date { lock.lock(); defer { lock.unlock() }; t += 1; return Date(timeIntervalSince1970: t) }
}

func write(_ text: String, _ name: String, in dir: URL) -> String {
    let path = dir.appendingPathComponent(name).path
    try! text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

@Suite("Workspace and dataset versions")
struct WorkspaceTests {
    let dir = temporaryDirectory()
    let clock = TestClock()

    func workspace() throws -> Workspace {
        let c = clock
        return try Workspace.open(at: dir.appendingPathComponent("ws").path, now: { c.now() })
    }

    @Test func addListShowVersions() throws {
        let ws = try workspace()
        let a = write("x,y\n1,a\n2,b\n", "a.csv", in: dir)
        let first = try ws.datasets.add(file: a, name: "demo", options: .init(description: "first"))
        #expect(first.created)
        #expect(first.version.version == 1)
        #expect(first.version.rowCount == 2 && first.version.columnCount == 2)
        #expect(first.version.schema == Schema([Field(name: "x", type: .int64), Field(name: "y", type: .string)]))
        #expect(first.version.createdAt == Date(timeIntervalSince1970: 1_800_000_001))
        // Same bytes again: the existing version.
        let again = try ws.datasets.add(file: a, name: "demo")
        #expect(!again.created && again.version == first.version)
        // New content: version 2.
        let b = write("x,y\n1,a\n2,b\n3,c\n", "b.csv", in: dir)
        let second = try ws.datasets.add(file: b, name: "demo")
        #expect(second.version.version == 2)
        #expect(try ws.datasets.versions(of: "demo").map(\.version) == [1, 2])
        #expect(try ws.datasets.version(DatasetRef(name: "demo")).version == 2)
        #expect(try ws.datasets.version(DatasetRef(parsing: "demo:1")) == first.version)
        let list = try ws.datasets.list()
        #expect(list.count == 1 && list[0].versionCount == 2 && list[0].latestRowCount == 3 && list[0].description == "first")
    }

    @Test func contentIsHashedAndFrameLoads() throws {
        let ws = try workspace()
        let path = write("x\n1\n2\n", "h.csv", in: dir)
        let v = try ws.datasets.add(file: path, name: "h").version
        // SHA-256 of "x\n1\n2\n".
        #expect(v.contentSHA256 == "aea284871ddeeebac4b57b7a8ee7dad070886e690408ce2409306b9b6487beb1")
        let key = try #require(BlobKey(hex: v.contentSHA256))
        #expect(FileManager.default.contents(atPath: ws.blobs.url(for: key).path) == Data("x\n1\n2\n".utf8))
        let frame = try ws.datasets.loadFrame(v)
        #expect(frame == (try CSVReader().read(path: path).0))
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: ws.root.appendingPathComponent("tmp").path).isEmpty)
    }

    @Test func sha256IsCorrect() throws {
        let path = write("abc", "abc.txt", in: dir)
        #expect(try BlobStore.hash(fileAt: path).0.hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func errorsNameTheFix() throws {
        let ws = try workspace()
        let bad = write("a,b\n1,2,3\n", "bad.csv", in: dir)
        #expect(throws: WorkspaceError.self) { try ws.datasets.add(file: bad, name: "bad") }
        do { _ = try ws.datasets.add(file: bad, name: "bad") } catch {
            #expect(error.description.contains("bad.csv:2"))
        }
        // Nothing was registered, and no blob was kept for the failed file.
        #expect(try ws.datasets.list().isEmpty)
        do { _ = try ws.datasets.versions(of: "nope") } catch {
            #expect(error.description.contains("pulk data add FILE --name nope"))
        }
        let ok = write("a\n1\n", "ok.csv", in: dir)
        _ = try ws.datasets.add(file: ok, name: "ok")
        do { _ = try ws.datasets.version(DatasetRef(name: "ok", version: 7)) } catch {
            #expect(error.description == "dataset 'ok' has no version 7. Its versions are: 1.")
        }
        #expect(throws: WorkspaceError.self) { try ws.datasets.add(file: ok, name: "../evil") }
        #expect(throws: WorkspaceError.self) { try ws.datasets.add(file: ok, name: "") }
        #expect(throws: WorkspaceError.self) { try ws.datasets.add(file: write("a", "x.parquet", in: dir), name: "p") }
    }

    @Test(arguments: ["", "penguins:", ":3", "a:b", "a:0", "a:-1", "a:1:2"])
    func badReferences(text: String) {
        #expect(throws: WorkspaceError.self) { try DatasetRef(parsing: text) }
    }

    @Test(arguments: ["../../etc/passwd", "ABCDEF" + String(repeating: "0", count: 58), String(repeating: "a", count: 63),
                      String(repeating: "g", count: 64), "/" + String(repeating: "a", count: 63), "%2e%2e"])
    func blobKeysRejectPaths(text: String) {
        #expect(BlobKey(hex: text) == nil)
    }

    @Test func lineageBlocksRemoval() throws {
        let ws = try workspace()
        let raw = try ws.datasets.add(file: write("a\n1\n2\n", "raw.csv", in: dir), name: "raw").version
        var o = DatasetStore.AddOptions()
        o.derivedFrom = DatasetRef(name: "raw", version: 1)
        let clean = try ws.datasets.add(file: write("a\n1\n", "clean.csv", in: dir), name: "clean", options: o).version
        #expect(try ws.datasets.parents(of: clean) == [raw])
        #expect(try ws.datasets.uses(of: raw).map(\.referrer) == ["clean:1"])
        do {
            try ws.datasets.remove(DatasetRef(name: "raw"))
            Issue.record("removal should be refused")
        } catch {
            #expect(error.description.contains("derived-dataset clean:1"))
            #expect(error.description.contains("nothing was deleted"))
        }
        #expect(try ws.datasets.versions(of: "raw").count == 1)
        // Removing the child frees the parent.
        try ws.datasets.remove(DatasetRef(name: "clean", version: 1))
        try ws.datasets.remove(DatasetRef(name: "raw"))
        #expect(try ws.datasets.list().isEmpty)
        // Blobs no version needs are gone.
        let blobs = FileManager.default.enumerator(atPath: ws.blobs.root.path)!.compactMap { $0 as? String }
            .filter { $0.count > 60 }
        #expect(blobs.isEmpty)
    }

    @Test func externalUseBlocksRemoval() throws {
        let ws = try workspace()
        let v = try ws.datasets.add(file: write("a\n1\n", "u.csv", in: dir), name: "u").version
        try ws.datasets.addUse(of: v, kind: "run", referrer: "run-42")
        #expect(throws: WorkspaceError.self) { try ws.datasets.remove(DatasetRef(name: "u", version: 1)) }
    }

    @Test func sharedContentKeepsBlobUntilLastUser() throws {
        let ws = try workspace()
        let path = write("a\n5\n", "s.csv", in: dir)
        let one = try ws.datasets.add(file: path, name: "one").version
        _ = try ws.datasets.add(file: path, name: "two")
        try ws.datasets.remove(DatasetRef(name: "one"))
        #expect(ws.blobs.contains(BlobKey(hex: one.contentSHA256)!))
        #expect(try ws.datasets.loadFrame(try ws.datasets.version(DatasetRef(name: "two"))).rowCount == 1)
    }

    @Test func jsonlDatasets() throws {
        let ws = try workspace()
        let v = try ws.datasets.add(file: write("{\"a\": 1}\n{\"a\": 2, \"b\": \"x\"}\n", "j.jsonl", in: dir), name: "j").version
        #expect(v.format == "jsonl" && v.rowCount == 2 && v.columnCount == 2)
    }

    @Test func schemaVersionChecks() throws {
        let path = dir.appendingPathComponent("ws").path
        _ = try workspace()
        // Simulate a workspace made before the latest migration.
        let db = try DatabaseQueue(path: path + "/pulk.sqlite")
        try db.write { try $0.execute(sql: "DELETE FROM pulk_store_migrations WHERE id = '2026-12-06-one-ledger'") }
        do {
            _ = try Workspace.open(at: path)
            Issue.record("an out-of-date workspace must not open")
        } catch {
            #expect(error.description.contains("pulk workspace upgrade"))
        }
        // Simulate a workspace from a newer pulk.
        try db.write { try $0.execute(sql: "INSERT INTO pulk_store_migrations VALUES ('2026-12-06-one-ledger'), ('2099-01-01-future')") }
        do {
            _ = try Workspace.open(at: path)
            Issue.record("a newer workspace must not open")
        } catch {
            #expect(error.description.contains("made by a newer pulk"))
        }
    }

    @Test func notAWorkspace() throws {
        let other = dir.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: other.appendingPathComponent("notes.txt").path, contents: Data("x".utf8)))
        #expect(throws: WorkspaceError.self) { try Workspace.open(at: other.path) }
    }

    /// Writers on separate connections (as separate processes would have) never collide:
    /// each distinct file gets its own version number, identical files one version.
    @Test func concurrentWriters() throws {
        let path = dir.appendingPathComponent("ws").path
        _ = try workspace()
        let files = (0..<8).map { write("a\n\($0)\n", "c\($0).csv", in: dir) }
        let errors = ResultSlots<String>(count: 16)
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            do {
                let ws = try Workspace.open(at: path)
                _ = try ws.datasets.add(file: files[i % 8], name: "shared")
            } catch { errors[i] = "\(error)" }
        }
        #expect(errors.values.compactMap { $0 }.isEmpty)
        let versions = try Workspace.open(at: path).datasets.versions(of: "shared")
        #expect(versions.map(\.version) == Array(1...8))
        #expect(Set(versions.map(\.contentSHA256)).count == 8)
    }
}
