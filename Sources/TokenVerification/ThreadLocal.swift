#if canImport(Glibc)
import Glibc
#endif

/// One `Value` per thread, made on the thread's first `get()` and released when the thread
/// exits. For per-thread scratch state on the verification hot path (OpenSSL contexts,
/// the header memo), where a lock or a shared mutable object would cost more than the
/// work it guards. Event-loop threads live as long as the process, so each makes its
/// value once.
///
/// Ownership: the thread's pthread slot holds one retained reference, released by the
/// key's destructor at thread exit. Instances are meant to be `static let`s: the key
/// itself is never deleted.
final class ThreadLocal<Value: AnyObject>: @unchecked Sendable {
    // @unchecked: `key` and `make` are set once in init and never change.
    private let key: pthread_key_t
    private let make: () -> Value?

    init(_ make: @escaping () -> Value?) {
        self.make = make
        var key = pthread_key_t()
        let rc = pthread_key_create(&key) { raw in
            // Any Swift object is released the same way, whatever its type.
            if let raw { Unmanaged<AnyObject>.fromOpaque(raw).release() }
        }
        precondition(rc == 0, "pthread_key_create failed")
        self.key = key
    }

    /// Calls `body` with this thread's value, which the thread's slot keeps alive: no
    /// reference counting on the way (for the per-request paths).
    @inline(__always)
    func withValue<R>(_ body: (Value) -> R) -> R? {
        if let raw = pthread_getspecific(key) {
            return Unmanaged<Value>.fromOpaque(raw)._withUnsafeGuaranteedRef(body)
        }
        guard let made = get() else { return nil }
        return body(made)
    }

    /// This thread's value; nil only if `make` failed (it is asked again next time).
    func get() -> Value? {
        if let raw = pthread_getspecific(key) { return Unmanaged<Value>.fromOpaque(raw).takeUnretainedValue() }
        guard let made = make() else { return nil }
        pthread_setspecific(key, Unmanaged.passRetained(made).toOpaque())
        return made
    }
}
