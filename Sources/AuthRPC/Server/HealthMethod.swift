import NIOCore
import Wire

/// Health (SPEC §4): version, uptime and each pool's key status. Until every pool
/// has signing keys it answers `UNAVAILABLE` / `NotReady` with the same body, so a
/// readiness probe can wait on it while the service already serves (SPEC §6).
public struct HealthMethod: Sendable {
    public typealias PoolReport = @Sendable () -> (ready: Bool, pools: [PoolStatus])

    private let version: String
    private let startedAt: ContinuousClock.Instant
    private let poolReport: PoolReport

    public init(version: String = AuthRPCVersion.current, startedAt: ContinuousClock.Instant = .now,
                poolReport: @escaping PoolReport = { (true, []) }) {
        self.version = version
        self.startedAt = startedAt
        self.poolReport = poolReport
    }

    public func answer(_ request: HealthRequest) -> MethodReply<HealthResponse> {
        let (ready, pools) = poolReport()
        let uptime = UInt64((ContinuousClock.now - startedAt).components.seconds)
        let body = HealthResponse(version: version, uptimeSeconds: uptime, pools: pools)
        if ready {
            return .success(body)
        }
        let waiting = pools.filter { $0.keys == 0 }.map(\.issuer).joined(separator: ", ")
        return .now(.failure(RPCError(.unavailable, errorType: "NotReady",
                                      message: "not ready: no signing keys yet for \(waiting)", retryAfterMs: 1000),
                             body: body))
    }
}

public enum AuthRPCVersion {
    public static let current = "0.1.0"
}
