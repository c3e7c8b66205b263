#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZlib

/// Random-access bytes of an input: a file read with `pread`, or a buffer (decompressed gzip).
protocol ByteSource: Sendable {
    var name: String { get }
    var size: Int { get }
    /// Reads up to `count` bytes at `offset` into `buffer`; returns the number read.
    func read(at offset: Int, count: Int, into buffer: UnsafeMutableRawPointer) throws(FrameError) -> Int
}

extension ByteSource {
    /// Bytes `offset..<offset+count` (fewer at the end).
    func bytes(at offset: Int, count: Int) throws(FrameError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: max(0, min(count, size - offset)))
        let n = try out.withUnsafeMutableBytes { b in
            Result { () throws(FrameError) in try read(at: offset, count: b.count, into: b.baseAddress!) }
        }.get()
        out.removeLast(out.count - n)
        return out
    }

    /// 1-based line numbers of the given byte offsets (counted as newlines before each offset + 1).
    func lineNumbers(of offsets: [Int]) throws(FrameError) -> [Int: Int] {
        var result: [Int: Int] = [:]
        let sorted = Array(Set(offsets)).sorted()
        var lines = 1
        var pos = 0
        var k = 0
        let block = 1 << 20
        while k < sorted.count {
            let target = sorted[k]
            if target <= pos { result[target] = lines; k += 1; continue }
            let chunk = try bytes(at: pos, count: min(block, target - pos))
            if chunk.isEmpty { result[target] = lines; k += 1; continue }
            for b in chunk where b == 10 { lines += 1 }
            pos += chunk.count
        }
        return result
    }
}

/// A regular file, read with `pread` so parallel readers need no shared position.
final class FileSource: ByteSource {
    let name: String
    let size: Int
    private let fd: Int32

    init(path: String) throws(FrameError) {
        name = path
        fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            if errno == ENOENT { throw .fileNotFound(path) }
            throw .io(path, reason: String(cString: strerror(errno)))
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .io(path, reason: String(cString: strerror(errno))) }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw .io(path, reason: "it is a directory, not a file")
        }
        size = Int(st.st_size)
    }

    deinit { close(fd) }

    func read(at offset: Int, count: Int, into buffer: UnsafeMutableRawPointer) throws(FrameError) -> Int {
        var done = 0
        while done < count {
            let n = pread(fd, buffer + done, count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(name, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            done += n
        }
        return done
    }
}

/// Bytes held in memory.
final class MemorySource: ByteSource {
    let name: String
    let data: [UInt8]
    var size: Int { data.count }

    init(name: String, data: [UInt8]) {
        self.name = name
        self.data = data
    }

    func read(at offset: Int, count: Int, into buffer: UnsafeMutableRawPointer) throws(FrameError) -> Int {
        let n = max(0, min(count, data.count - offset))
        if n > 0 { data.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress! + offset, byteCount: n) } }
        return n
    }
}

/// gzip decompression through zlib (concatenated members are read one after another).
enum Gzip {
    /// Whether `bytes` starts with the gzip magic number.
    static func isGzip(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b }

    /// Decompresses the whole of `source`.
    static func decompress(_ source: any ByteSource) throws(FrameError) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .gzip(source.name, reason: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(source.size * 4)
        var input = [UInt8](repeating: 0, count: 1 << 20)
        var outBuf = [UInt8](repeating: 0, count: 1 << 20)
        var offset = 0
        var status = Z_OK
        while true {
            let n = try input.withUnsafeMutableBytes { b in
                Result { () throws(FrameError) in try source.read(at: offset, count: b.count, into: b.baseAddress!) }
            }.get()
            if n == 0 { break }
            offset += n
            var consumed = 0
            while consumed < n {
                let used: Int = input.withUnsafeMutableBufferPointer { inp in
                    outBuf.withUnsafeMutableBufferPointer { out in
                        stream.next_in = inp.baseAddress! + consumed
                        stream.avail_in = UInt32(n - consumed)
                        stream.next_out = out.baseAddress!
                        stream.avail_out = UInt32(out.count)
                        status = inflate(&stream, Z_NO_FLUSH)
                        return n - consumed - Int(stream.avail_in)
                    }
                }
                consumed += used
                let produced = outBuf.count - Int(stream.avail_out)
                output.append(contentsOf: outBuf[0..<produced])
                if status == Z_STREAM_END {
                    // Another gzip member may follow.
                    if consumed < n || offset < source.size { inflateReset(&stream) } else { break }
                } else if status != Z_OK && status != Z_BUF_ERROR {
                    throw .gzip(source.name, reason: stream.msg.map { String(cString: $0) } ?? "zlib error \(status)")
                } else if used == 0 && produced == 0 {
                    break
                }
            }
        }
        if status != Z_STREAM_END && !output.isEmpty || (status != Z_STREAM_END && offset > 0) {
            throw .gzip(source.name, reason: "the data ends before the end of the gzip stream (truncated file?)")
        }
        return output
    }
}
