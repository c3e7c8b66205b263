public import Foundation
public import NIOCore

/// Artifacts on local disk under one root. Clients name artifacts by keys relative to the root
/// (`EXPERIMENT/RUN/artifacts/model/model.pkl`); a key never leaves the root: `..`, absolute paths,
/// backslashes, NUL bytes, percent-encoded traversal and symlinks are refused.
public struct ArtifactStore: Sendable {
    public let root: URL

    public init(root: URL) throws(StoreError) {
        do { try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true) } catch {
            throw StoreError(.internalError, "cannot create the artifact folder \(root.path): \(error.localizedDescription)")
        }
        self.root = root.standardizedFileURL.resolvingSymlinksInPath()
    }

    /// Checks a client's key and returns its file URL inside the root.
    public func resolve(_ key: String) throws(StoreError) -> URL {
        func bad(_ why: String) -> StoreError { .init(.invalidParameterValue, "Invalid artifact path '\(key.prefix(200))': \(why)") }
        guard !key.contains("\0") else { throw bad("it contains a NUL byte") }
        guard !key.contains("\\") else { throw bad("backslashes are not allowed; use '/'") }
        guard !key.contains("%") else { throw bad("percent-encoded characters are not allowed after URL decoding") }
        guard !key.hasPrefix("/") else { throw bad("it must be relative to the artifact root") }
        let parts = key.split(separator: "/", omittingEmptySubsequences: true)
        guard !parts.contains(where: { $0 == ".." || $0 == "." }) else { throw bad("'..' and '.' are not allowed") }
        guard key.utf8.count <= Self.maxKeyBytes else { throw bad("it is \(key.utf8.count) bytes long; at most \(Self.maxKeyBytes) are allowed") }
        if let long = parts.first(where: { $0.utf8.count > Self.maxNameBytes }) {
            throw bad("the name '\(long.prefix(40))…' is \(long.utf8.count) bytes long; a file or folder name may have at most \(Self.maxNameBytes)")
        }
        guard !parts.contains(where: { $0.hasPrefix(Self.uploadPrefix) }) else { throw bad("names starting with \(Self.uploadPrefix) are reserved") }
        var url = root
        for p in parts { url.appendPathComponent(String(p)) }
        // Refuse any symlink along the way (a planted link could point outside the root).
        var check = root
        for p in parts {
            check.appendPathComponent(String(p))
            if let attrs = try? FileManager.default.attributesOfItem(atPath: check.path), attrs[.type] as? FileAttributeType == .typeSymbolicLink {
                throw bad("it passes through a symbolic link")
            }
        }
        return url
    }

    /// The key of an `mlflow-artifacts:` location (`mlflow-artifacts:/1/models/m-…/artifacts` → `1/models/m-…/artifacts`).
    public func key(ofLocation location: String) throws(StoreError) -> String {
        guard location.hasPrefix("mlflow-artifacts:") else { throw .invalid("'\(location)' is not an mlflow-artifacts: location this server serves") }
        let key = String(location.dropFirst("mlflow-artifacts:".count).drop { $0 == "/" })
        _ = try resolve(key)
        return key
    }

    static let writebackRange: Int64 = 1 << 20
    /// The longest file or folder name (Linux's NAME_MAX) and the longest key.
    public static let maxNameBytes = 255, maxKeyBytes = 2048
    /// Unfinished uploads are written under this prefix beside their destination.
    static let uploadPrefix = ".pulk-upload-"

    /// Removes unfinished uploads that a killed process left behind (run once at start, before
    /// any upload begins). Returns how many were removed.
    @discardableResult
    public func sweepUnfinishedUploads() -> Int {
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return 0 }
        var removed = 0
        while let path = walker.nextObject() as? String {
            let name = (path as NSString).lastPathComponent
            if name.hasPrefix(Self.uploadPrefix), unlink(root.appendingPathComponent(path).path) == 0 { removed += 1 }
        }
        return removed
    }

    /// Linux's `sync_file_range` (a GNU extension Swift's Glibc module does not show), found once;
    /// nil elsewhere, where uploads simply sync at the end.
    static let startWriteback: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sync_file_range") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32).self)
    }()

    public struct Entry: Sendable {
        public var path: String
        public var isDir: Bool
        public var size: Int64?
    }

    /// The direct children of a folder key (empty when it does not exist).
    public func list(_ key: String) throws(StoreError) -> [Entry] {
        let dir = key.isEmpty ? root : try resolve(key)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        return names.filter { !$0.hasPrefix(Self.uploadPrefix) }.sorted().map { name in
            let url = dir.appendingPathComponent(name)
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir)
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int).map(Int64.init)
            return Entry(path: name, isDir: isDir.boolValue, size: isDir.boolValue ? nil : size)
        }
    }

    /// Streams chunks into a temporary file, fsyncs it, renames it into place and fsyncs the folder:
    /// an acknowledged upload survives a crash, and a failed one leaves nothing behind.
    public func write<Chunks: AsyncSequence>(_ key: String, chunks: Chunks) async throws(StoreError) -> Int64
        where Chunks.Element: ArtifactChunk, Chunks.Failure == any Error {
        let url = try resolve(key)
        guard !key.isEmpty, !key.hasSuffix("/") else { throw .invalid("An artifact upload needs a file path, not a folder") }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue {
            throw .invalid("Invalid artifact path '\(key.prefix(200))': a folder of that name exists; upload to a file inside it")
        }
        let dir = url.deletingLastPathComponent()
        do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
            throw StoreError(.invalidParameterValue, "cannot create the artifact folder for '\(key)': a file stands where a folder of its path should be")
        }
        let tmp = dir.appendingPathComponent(Self.uploadPrefix + UUID().uuidString)
        var fd = open(tmp.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw StoreError(.internalError, "cannot write \(tmp.path): \(String(cString: strerror(errno)))") }
        // The descriptor is closed exactly once: `fd` is set to -1 when it is.
        func closeOnce() { if fd >= 0 { close(fd); fd = -1 } }
        var total: Int64 = 0
        do {
            // Writeback of each finished 1 MiB range starts while the next one arrives (Linux
            // sync_file_range), so the final fdatasync waits for the tail only: the disk works
            // while the network does, not after it.
            var started: Int64 = 0
            for try await chunk in chunks {
                // Written from the chunk's own storage (NIO's buffer for uploads): no copy.
                total += Int64(try chunk.withChunkBytes { raw throws(StoreError) -> Int in
                    var off = 0
                    while off < raw.count {
                        let n = Foundation.write(fd, raw.baseAddress! + off, raw.count - off)
                        if n < 0 { if errno == EINTR { continue }; throw StoreError(.internalError, "writing '\(key)': \(String(cString: strerror(errno)))") }
                        off += n
                    }
                    return raw.count
                })
                if total - started >= Self.writebackRange {
                    _ = Self.startWriteback?(fd, started, total - started, 2)  // SYNC_FILE_RANGE_WRITE
                    started = total
                }
            }
            // fdatasync: the data and the size reach the disk (all a new file needs); the rename is
            // made durable by the folder fsync below.
            guard fdatasync(fd) == 0 else { throw StoreError(.internalError, "fdatasync of '\(key)' failed: \(String(cString: strerror(errno)))") }
            closeOnce()
            guard rename(tmp.path, url.path) == 0 else {
                let e = errno
                // A folder created at the destination while the upload ran, or a name the file
                // system refuses, is the client's to fix.
                let code: StoreError.Code = e == EISDIR || e == ENOTDIR || e == ENAMETOOLONG || e == EEXIST || e == ENOTEMPTY ? .invalidParameterValue : .internalError
                throw StoreError(code, "cannot store '\(key)': \(String(cString: strerror(e)))")
            }
            let dfd = open(dir.path, O_RDONLY)
            if dfd >= 0 { fsync(dfd); close(dfd) }
            return total
        } catch {
            closeOnce()
            unlink(tmp.path)
            if let e = error as? StoreError { throw e }
            throw StoreError(.badRequest, "the upload of '\(key)' was interrupted: \(error)")
        }
    }

    public func delete(_ key: String) throws(StoreError) {
        let url = try resolve(key)
        guard FileManager.default.fileExists(atPath: url.path) else { throw .notFound("No artifact at '\(key)'") }
        do { try FileManager.default.removeItem(at: url) } catch { throw StoreError(.internalError, "cannot delete '\(key)': \(error.localizedDescription)") }
    }
}

/// A piece of an upload that can lend its bytes without copying them.
public protocol ArtifactChunk {
    /// Calls `body` with the chunk's bytes, valid only during the call.
    func withChunkBytes<R>(_ body: (UnsafeRawBufferPointer) throws(StoreError) -> R) throws(StoreError) -> R
}

extension Array: ArtifactChunk where Element == UInt8 {
    public func withChunkBytes<R>(_ body: (UnsafeRawBufferPointer) throws(StoreError) -> R) throws(StoreError) -> R {
        let result: Result<R, StoreError> = withUnsafeBytes { raw in Result { () throws(StoreError) -> R in try body(raw) } }
        return try result.get()
    }
}

extension ByteBuffer: ArtifactChunk {
    public func withChunkBytes<R>(_ body: (UnsafeRawBufferPointer) throws(StoreError) -> R) throws(StoreError) -> R {
        let result: Result<R, StoreError> = withUnsafeReadableBytes { raw in Result { () throws(StoreError) -> R in try body(raw) } }
        return try result.get()
    }
}
