import Dispatch
import Synchronization
import TokenVerification

/// Waits (polling, bounded) until `condition` holds; for tests of background work.
public func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let end = clock.now + timeout
    while clock.now < end {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

extension TokenVerifier.Outcome {
    /// The claims of a token that verified; nil for a failure or a wait for keys.
    public var verifiedClaims: VerifiedClaims? {
        if case .verified(let token) = self { return token.claims }
        return nil
    }

    public var error: VerificationError? {
        if case .failed(let e) = self { return e }
        return nil
    }

    public var errorType: String? { error?.errorType }
}

extension Result {
    public var failure: Failure? {
        if case .failure(let f) = self { return f }
        return nil
    }
}

/// Runs `body` to completion while the calling thread waits, and returns its result.
///
/// For tests that check the verified-token cache across awaits: each thread that verifies
/// has its own share of the cache, and an async test may resume on another thread after
/// every `await`, where the token is not cached. A synchronous test stays on one thread
/// and hands its async steps to this.
public func blocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let result = Mutex<T?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let value = await body()
        result.withLock { $0 = value }
        done.signal()
    }
    done.wait()
    return result.withLock { $0! }
}
