import CLibFuzzer
import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// The signature of `LLVMFuzzerTestOneInput`.
public typealias FuzzTarget = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

/// Runs libFuzzer with the process's arguments and exits with its status.
///
/// SwiftPM links an executable target with `main` pointing at the module's own entry
/// point (`<Module>_main`, so tests can import executables), which keeps libFuzzer's
/// `main` out. Each fuzzer therefore has an `@main` that calls this: libFuzzer's
/// documented `LLVMFuzzerRunDriver`, which parses the usual flags and runs `target`.
public func runLibFuzzer(_ target: FuzzTarget) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, target))
}

/// The input as a buffer (libFuzzer may pass a null pointer with size 0).
@inline(__always)
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(start: data, count: data == nil ? 0 : size)
}

/// A broken invariant: crash, so libFuzzer records the input.
public func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError(message()) }
}

/// Runs `body` on the concurrency pool and blocks this (libFuzzer's) thread until it is
/// done: the targets are synchronous C callbacks, some of the code under test is async.
public func blockingAwait<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let box = ResultBox<T>()
    Task {
        box.value = await body()
        box.done.signal()
    }
    box.done.wait()
    return box.value!
}

/// Written by one task before `done` is signalled, read after: the semaphore orders it.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
    let done = DispatchSemaphore(value: 0)
}
