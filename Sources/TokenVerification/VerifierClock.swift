#if canImport(Glibc)
import Glibc
#endif

/// The two clocks token verification reads, injectable so tests move time instead of
/// sleeping: wall-clock seconds for `exp`/`nbf`/`iat` (SPEC §6 step 6) and a monotonic
/// clock for the JWKS refetch rate limit (SPEC §6 step 4), which must not jump with NTP.
public struct VerifierClock: Sendable {
    public var unixSeconds: @Sendable () -> Int64
    public var monotonic: @Sendable () -> Duration

    public init(unixSeconds: @escaping @Sendable () -> Int64, monotonic: @escaping @Sendable () -> Duration) {
        self.unixSeconds = unixSeconds; self.monotonic = monotonic
    }

    public static let system = VerifierClock(
        unixSeconds: { Int64(time(nil)) },
        monotonic: {
            var ts = timespec()
            clock_gettime(CLOCK_MONOTONIC, &ts)
            return .seconds(ts.tv_sec) + .nanoseconds(ts.tv_nsec)
        })
}
