#if canImport(Glibc)
import Glibc
#endif

/// The calling thread's count of allocations (malloc, calloc, realloc and the aligned
/// ones), from `scripts/bench/malloc-count.c`, which `scripts/bench-allocs` preloads.
/// Per thread, so that a background thread (the JWKS registry's tasks) never counts.
enum MallocCounter {
    private typealias Count = @convention(c) () -> UInt64
    private static let function: Count? =
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), "authrpc_thread_malloc_count").map { unsafeBitCast($0, to: Count.self) }

    static var isAvailable: Bool { function != nil }

    static func count() -> UInt64 { function?() ?? 0 }
}
