#if canImport(Glibc)
import Glibc
#endif

/// Gives memory that glibc's allocator holds free back to the system.
///
/// glibc keeps what its arenas freed for reuse, so after a flood of connections has come
/// and gone (their read and write buffers freed) the process would keep its peak size for
/// good: 450 MB after a 1.2 GB attack. `malloc_trim(0)` returns the free pages of every
/// arena. It is looked up at run time because `malloc.h` is not part of the Glibc module;
/// elsewhere this does nothing.
enum FreedMemory {
    private typealias Trim = @convention(c) (Int) -> Int32

    /// Resolved once.
    private static let trim: Trim? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: Trim.self)
        #else
        return nil
        #endif
    }()

    /// Returns free memory to the system; can take milliseconds, so never call it on an
    /// event loop.
    static func release() {
        _ = trim?(0)
    }
}
