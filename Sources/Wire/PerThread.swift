#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One `Value` per thread, made on the thread's first `get()` and released when the thread
/// exits: the per-thread scratch memory of encoding (`CArena`) and decoding
/// (`UnpackScratch`). Wire depends on NIOCore only, whose thread-specific variable lives
/// in NIOPosix; the verification core has the same small helper (`ThreadLocal`), and
/// neither module may import the other.
///
/// Ownership: the thread's pthread slot holds one retained reference, released by the
/// key's destructor at thread exit. Instances are meant to be `static let`s: the key
/// itself is never deleted.
final class PerThread<Value: AnyObject>: @unchecked Sendable {
    // @unchecked: `key` is written once in init; `make` is only called, never mutated.
    private var key = pthread_key_t()
    private let make: () -> Value

    init(_ make: @escaping () -> Value) {
        self.make = make
        let rc = pthread_key_create(&key) { raw in
            if let raw { Unmanaged<AnyObject>.fromOpaque(raw).release() }
        }
        precondition(rc == 0, "pthread_key_create failed")
    }

    /// This thread's value.
    func get() -> Value {
        if let raw = pthread_getspecific(key) { return Unmanaged<Value>.fromOpaque(raw).takeUnretainedValue() }
        let made = make()
        pthread_setspecific(key, Unmanaged.passRetained(made).toOpaque())
        return made
    }
}
