#if canImport(Glibc)
import Glibc
#endif

/// Gives memory freed after a burst back to the system. glibc keeps freed heap pages in its arenas
/// for reuse, so a burst of large request bodies (forty unfinished 15 MiB uploads) would leave the
/// process hundreds of megabytes larger after they are gone; `malloc_trim` returns the free pages.
public enum MemoryReturn {
    /// Returns free heap pages to the system every `interval` until cancelled (a server's
    /// background task); does nothing where the C library has no `malloc_trim`.
    public static func run(every interval: Duration = .seconds(10)) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            trim()
        }
    }

    /// glibc's `malloc_trim` (declared in malloc.h, which Swift's Glibc module does not show),
    /// found once; nil where the C library has none.
    static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()

    /// Returns free heap pages now; true when some were returned.
    @discardableResult
    public static func trim() -> Bool { mallocTrim?(0) == 1 }
}
