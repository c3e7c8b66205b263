import Foundation
import Testing
@testable import PulkStore

@Suite("Artifact store")
struct ArtifactStoreTests {
    static func store() throws -> ArtifactStore {
        try ArtifactStore(root: FileManager.default.temporaryDirectory.appendingPathComponent("pulk-artifacts-\(UUID().uuidString)"))
    }

    @Test(arguments: [
        ("../etc/passwd", "'..' and '.' are not allowed"),
        ("1/run/../../../x", "'..' and '.' are not allowed"),
        ("/etc/passwd", "relative to the artifact root"),
        ("a\\..\\b", "backslashes"),
        ("a/%2e%2e/b", "percent-encoded"),
        ("a/%252e%252e/b", "percent-encoded"),
        ("a\0b", "NUL byte"),
        ("./a", "'..' and '.' are not allowed"),
        ("a/" + String(repeating: "n", count: 300), "at most 255"),
        (String(repeating: "a/", count: 1100), "at most 2048"),
        ("1/.pulk-upload-0123", "reserved"),
    ])
    func traversalIsRefused(key: String, why: String) throws {
        let s = try Self.store()
        do {
            _ = try s.resolve(key)
            Issue.record("'\(key)' must be refused")
        } catch {
            #expect(error.code == .invalidParameterValue && error.message.contains(why), "\(error.message)")
        }
    }

    /// Uploads onto an existing folder or with a name the file system refuses are the client's
    /// errors (400), leave nothing behind, and close their file once.
    @Test func uploadsTheFileSystemRefusesAre400s() async throws {
        let s = try Self.store()
        func upload(_ key: String) async throws(StoreError) {
            let chunks = AsyncThrowingStream<[UInt8], any Error> { c in c.yield([1, 2, 3]); c.finish() }
            _ = try await s.write(key, chunks: chunks)
        }
        try await upload("1/dir/file.txt")
        for key in ["1/dir", "1/dir/file.txt/inner", "1/" + String(repeating: "x", count: 300)] {
            do {
                try await upload(key)
                Issue.record("'\(key)' must be refused")
            } catch {
                #expect(error.code == .invalidParameterValue, "\(key): \(error)")
            }
        }
        // No temporary file is left, and none is listed.
        let left = try FileManager.default.subpathsOfDirectory(atPath: s.root.path).filter { $0.contains(".pulk-upload-") }
        #expect(left.isEmpty)
    }

    /// Unfinished uploads of a killed server are swept at start.
    @Test func unfinishedUploadsAreSwept() throws {
        let s = try Self.store()
        let dir = s.root.appendingPathComponent("1/run/artifacts")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for name in [".pulk-upload-A", ".pulk-upload-B", "model.pulk"] {
            FileManager.default.createFile(atPath: dir.appendingPathComponent(name).path, contents: Data([1]))
        }
        #expect(s.sweepUnfinishedUploads() == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["model.pulk"])
    }

    @Test func symlinksAreRefused() throws {
        let s = try Self.store()
        try FileManager.default.createSymbolicLink(atPath: s.root.appendingPathComponent("out").path, withDestinationPath: "/tmp")
        #expect(throws: StoreError.self) { try s.resolve("out/x") }
    }

    @Test func uploadsLandWholeAndListSorted() async throws {
        let s = try Self.store()
        let chunks = AsyncThrowingStream<[UInt8], any Error> { c in
            for i in 0..<4 { c.yield([UInt8](repeating: UInt8(i), count: 1000)) }
            c.finish()
        }
        #expect(try await s.write("1/run/artifacts/data/b.bin", chunks: chunks) == 4000)
        let empty = AsyncThrowingStream<[UInt8], any Error> { $0.finish() }
        _ = try await s.write("1/run/artifacts/data/a.txt", chunks: empty)
        #expect(try s.list("1/run/artifacts/data").map(\.path) == ["a.txt", "b.bin"])
        #expect(try s.list("1/run/artifacts").map { "\($0.path) \($0.isDir)" } == ["data true"])
        #expect(try Data(contentsOf: s.resolve("1/run/artifacts/data/b.bin")).count == 4000)
        // An interrupted upload leaves nothing behind.
        struct Cut: Error {}
        let broken = AsyncThrowingStream<[UInt8], any Error> { c in c.yield([1, 2, 3]); c.finish(throwing: Cut()) }
        await #expect(throws: StoreError.self) { _ = try await s.write("1/run/artifacts/data/c.bin", chunks: broken) }
        #expect(try s.list("1/run/artifacts/data").map(\.path) == ["a.txt", "b.bin"])
        try s.delete("1/run/artifacts/data/a.txt")
        #expect(throws: StoreError.self) { try s.delete("1/run/artifacts/data/a.txt") }
    }
}
