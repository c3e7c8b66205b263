#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The values of a column: an owned Swift array, or a zero-copy view into a memory-mapped, immutable
/// frame file (how registered datasets load: mapping is instant, and pages come from the page cache
/// as they are first read). Either way it is an immutable random-access collection; hot loops use
/// `withUnsafeBufferPointer`.
public struct ColumnBuffer<Element: BitwiseCopyable>: RandomAccessCollection, @unchecked Sendable {
    @usableFromInline enum Backing {
        case owned([Element])
        /// `region` keeps the mapping alive; `base` points into it.
        case mapped(MappedRegion, UnsafePointer<Element>, Int)
    }

    @usableFromInline let backing: Backing

    public init(_ array: [Element]) { backing = .owned(array) }

    init(region: MappedRegion, base: UnsafePointer<Element>, count: Int) {
        backing = .mapped(region, base, count)
    }

    public var startIndex: Int { 0 }

    @inlinable public var endIndex: Int {
        switch backing {
        case .owned(let a): return a.count
        case .mapped(_, _, let n): return n
        }
    }

    @inlinable public subscript(i: Int) -> Element {
        switch backing {
        case .owned(let a): return a[i]
        case .mapped(_, let p, let n):
            precondition(i >= 0 && i < n, "index \(i) out of range 0..<\(n)")
            return p[i]
        }
    }

    /// Calls `body` with the values as contiguous memory.
    @inlinable public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        switch backing {
        case .owned(let a): return try a.withUnsafeBufferPointer(body)
        case .mapped(_, let p, let n): return try body(UnsafeBufferPointer(start: p, count: n))
        }
    }

    /// The values as an array (no copy when owned).
    public var array: [Element] {
        switch backing {
        case .owned(let a): return a
        case .mapped(_, let p, let n): return Array(UnsafeBufferPointer(start: p, count: n))
        }
    }

    /// Whether the values are a view into a mapped file.
    public var isMapped: Bool {
        if case .mapped = backing { return true }
        return false
    }
}

extension ColumnBuffer: Equatable where Element: Equatable {
    public static func == (a: ColumnBuffer, b: ColumnBuffer) -> Bool { a.elementsEqual(b) }
}

/// A read-only private mapping of a whole file, unmapped when the last buffer using it goes away.
/// Only immutable files are mapped (workspace blobs are never modified in place).
public final class MappedRegion: @unchecked Sendable {
    public let base: UnsafeRawPointer
    public let length: Int
    /// True for memory this region allocated (filled in place by parallel decoders), freed rather than unmapped.
    private let allocated: Bool

    /// Maps the file at `path`; nil when it cannot be mapped (the caller then reads it instead).
    init?(path: String) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size > 0 else { return nil }
        let length = Int(st.st_size)
        guard let p = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else { return nil }
        base = UnsafeRawPointer(p)
        self.length = length
        allocated = false
    }

    /// Zeroed heap memory of `length` bytes, for columns that several threads fill in place.
    init?(zeroedBytes length: Int) {
        guard let p = calloc(max(length, 1), 1) else { return nil }
        base = UnsafeRawPointer(p)
        self.length = length
        allocated = true
    }

    deinit {
        if allocated { free(UnsafeMutableRawPointer(mutating: base)) } else { munmap(UnsafeMutableRawPointer(mutating: base), length) }
    }
}

extension ColumnBuffer {
    /// A buffer over `region`'s memory, viewed as `count` elements.
    init(filling region: MappedRegion, count: Int) {
        self.init(region: region, base: region.base.assumingMemoryBound(to: Element.self), count: count)
    }
}
