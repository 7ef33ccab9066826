import Synchronization
import TokenVerification

/// A clock tests move by hand, starting at `TestKeys.now` (and an arbitrary monotonic time).
public final class FakeClock: Sendable {
    private let unix = Mutex<Int64>(TestKeys.now)
    private let mono = Mutex<Duration>(.seconds(1000))

    public init() {}

    public var clock: VerifierClock {
        VerifierClock(unixSeconds: { self.unix.withLock { $0 } }, monotonic: { self.mono.withLock { $0 } })
    }

    /// Moves both clocks forward.
    public func advance(seconds: Int64) {
        unix.withLock { $0 += seconds }
        mono.withLock { $0 += .seconds(seconds) }
    }

    /// Sets the wall clock alone (it may step back; the monotonic one never does).
    public func setUnix(_ t: Int64) { unix.withLock { $0 = t } }
}
