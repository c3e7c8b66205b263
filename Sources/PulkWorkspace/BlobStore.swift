public import Foundation
import Crypto
import PulkFrame
#if canImport(Glibc)
import Glibc
#endif

/// A SHA-256 content hash in lowercase hex: the only way to name a blob, so no caller can point
/// the store at a path of its choosing.
public struct BlobKey: Hashable, Sendable, Codable, CustomStringConvertible {
    public let hex: String

    /// Validates `hex` as 64 lowercase hexadecimal digits.
    public init?(hex: String) {
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
            return nil
        }
        self.hex = hex
    }

    init(digest: SHA256.Digest) { hex = digest.map { String(format: "%02x", $0) }.joined() }

    public var description: String { hex }
}

/// Content-addressed files under `root/sha256/ab/cdef…`. Writes are atomic and durable: data goes
/// to a temporary file, is fsynced, renamed into place, and the directory is fsynced. Identical
/// content is stored once; concurrent writers of the same content are harmless.
public struct BlobStore: Sendable {
    public let root: URL
    let tmp: URL

    public init(root: URL, tmp: URL) {
        self.root = root
        self.tmp = tmp
    }

    /// Where the blob for `key` lives.
    public func url(for key: BlobKey) -> URL {
        let h = key.hex
        return root.appendingPathComponent("sha256").appendingPathComponent(String(h.prefix(2)))
            .appendingPathComponent(String(h.dropFirst(2)))
    }

    public func contains(_ key: BlobKey) -> Bool { FileManager.default.fileExists(atPath: url(for: key).path) }

    /// Calls `body` with successive 1 MiB chunks of the file at `path`; returns the byte count.
    static func forEachChunk(ofFileAt path: String, _ body: (Data) throws(WorkspaceError) -> Void) throws(WorkspaceError) -> Int {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            if !FileManager.default.fileExists(atPath: path) { throw .frame(.fileNotFound(path)) }
            throw .io(path, reason: "cannot be opened for reading")
        }
        defer { try? handle.close() }
        var size = 0
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
                throw .io(path, reason: error.localizedDescription)
            }
            if chunk.isEmpty { return size }
            try body(chunk)
            size += chunk.count
        }
    }

    /// The SHA-256 of a file, streamed.
    public static func hash(fileAt path: String) throws(WorkspaceError) -> (BlobKey, Int) {
        var hasher = SHA256()
        let size = try forEachChunk(ofFileAt: path) { chunk in hasher.update(data: chunk) }
        return (BlobKey(digest: hasher.finalize()), size)
    }

    /// Stores a copy of the file at `path`; returns its key and size.
    @discardableResult
    public func put(fileAt path: String) throws(WorkspaceError) -> (BlobKey, Int) {
        try write { (out: Int32, hasher: inout SHA256) throws(WorkspaceError) -> Int in
            try Self.forEachChunk(ofFileAt: path) { (chunk: Data) throws(WorkspaceError) in
                hasher.update(data: chunk)
                try Self.writeAll(out, chunk, path: path)
            }
        }
    }

    /// Stores `bytes`; returns their key.
    @discardableResult
    public func put(bytes: [UInt8]) throws(WorkspaceError) -> BlobKey {
        try write { (out: Int32, hasher: inout SHA256) throws(WorkspaceError) -> Int in
            let data = Data(bytes)
            hasher.update(data: data)
            try Self.writeAll(out, data, path: "blob")
            return bytes.count
        }.0
    }

    /// Stores what `produce` writes to the sink it is given (streamed: hashed and written piece by piece).
    @discardableResult
    public func put(streaming produce: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws(WorkspaceError) -> BlobKey {
        try write { (out: Int32, hasher: inout SHA256) throws(WorkspaceError) -> Int in
            var size = 0
            var h = hasher
            do {
                try produce { piece in
                    h.update(bufferPointer: piece)
                    try Self.writeAll(out, piece, path: "blob")
                    size += piece.count
                }
            } catch {
                throw error as? WorkspaceError ?? .io("blob", reason: "\(error)")
            }
            hasher = h
            return size
        }.0
    }

    /// Deletes the blob (no error when it is already gone).
    public func remove(_ key: BlobKey) {
        try? FileManager.default.removeItem(at: url(for: key))
    }

    private static func writeAll(_ fd: Int32, _ data: Data, path: String) throws(WorkspaceError) {
        try data.withUnsafeBytes { raw in Result { () throws(WorkspaceError) in try writeAll(fd, raw, path: path) } }.get()
    }

    private static func writeAll(_ fd: Int32, _ raw: UnsafeRawBufferPointer, path: String) throws(WorkspaceError) {
        var off = 0
        while off < raw.count {
            let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path, reason: String(cString: strerror(errno)))
            }
            off += n
        }
    }

    private func write(_ body: (Int32, inout SHA256) throws(WorkspaceError) -> Int) throws(WorkspaceError) -> (BlobKey, Int) {
        let temp = tmp.appendingPathComponent("blob-\(UUID().uuidString)")
        let fd = open(temp.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw .io(temp.path, reason: String(cString: strerror(errno))) }
        var hasher = SHA256()
        let size: Int
        do {
            size = try body(fd, &hasher)
            guard fsync(fd) == 0 else { throw WorkspaceError.io(temp.path, reason: "fsync failed") }
            close(fd)
        } catch {
            close(fd)
            unlink(temp.path)
            throw error as? WorkspaceError ?? .io(temp.path, reason: "\(error)")
        }
        let key = BlobKey(digest: hasher.finalize())
        let dest = url(for: key)
        let dir = dest.deletingLastPathComponent()
        do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
            unlink(temp.path)
            throw .io(dir.path, reason: error.localizedDescription)
        }
        if FileManager.default.fileExists(atPath: dest.path) {
            unlink(temp.path) // same content already stored
            return (key, size)
        }
        guard rename(temp.path, dest.path) == 0 else {
            unlink(temp.path)
            throw .io(dest.path, reason: String(cString: strerror(errno)))
        }
        Self.syncDirectory(dir.path)
        return (key, size)
    }

    /// fsync of a directory, so a rename into it survives power loss.
    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY)
        if fd >= 0 { fsync(fd); close(fd) }
    }
}
