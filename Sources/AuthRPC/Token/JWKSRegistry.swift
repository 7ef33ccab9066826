public import Logging
public import ServiceLifecycle
public import Wire

/// Every configured pool's `JWKSCache`, by exact issuer string (SPEC §6 step 3: several
/// pools, each with its own keys). Built once from `ServiceConfig`; the application wires
/// `start()` at boot, `shutdown()` at exit, and `poolStatuses()` into Health.
public final class JWKSRegistry: Sendable {
    public let caches: [JWKSCache]
    private let byIssuer: [String: JWKSCache]

    public init(config: ServiceConfig, transport: any HTTPTransport, clock: VerifierClock = .system,
                logger: Logger = Logger(label: "authrpc.jwks")) {
        var caches: [JWKSCache] = [], byIssuer: [String: JWKSCache] = [:]
        for pool in config.pools where byIssuer[pool.issuer] == nil {
            let cache = JWKSCache(pool: pool, transport: transport, minRefresh: config.jwksMinRefresh,
                                  refreshInterval: config.jwksRefresh, clock: clock, logger: logger)
            caches.append(cache)
            byIssuer[pool.issuer] = cache
        }
        self.caches = caches
        self.byIssuer = byIssuer
    }

    /// The cache for a token's `iss`, compared as an exact string; nil for any other issuer.
    public func cache(forIssuer issuer: String) -> JWKSCache? { byIssuer[issuer] }

    /// Fetches every pool's keys concurrently (each bounded by the 3 s fetch timeout), then
    /// starts the background refreshes. Never throws: a pool whose first fetch failed is
    /// reported by `poolStatuses()` and retried in the background and on demand.
    public func start() async {
        await withTaskGroup(of: Void.self) { group in
            for cache in caches { group.addTask { await cache.start() } }
        }
    }

    /// Cancels the background refreshes and waits for them to stop.
    public func shutdown() async {
        await withTaskGroup(of: Void.self) { group in
            for cache in caches { group.addTask { await cache.shutdown() } }
        }
    }

    /// For Health (SPEC §4 `PoolStatus`): issuer, key count, last successful refresh, last error.
    public func poolStatuses() -> [PoolStatus] { caches.map(\.status) }

    /// Ready when every pool has at least one key (SPEC §6: not-ready until then; serves anyway).
    public var hasKeysForEveryPool: Bool { caches.allSatisfy { $0.keyCount > 0 } }
}

/// So the server can run the key refreshes in its `ServiceGroup` next to the listener:
/// first fetch, background refresh until graceful shutdown (or cancellation), then stop.
extension JWKSRegistry: Service {
    public func run() async throws {
        await start()
        try? await gracefulShutdown()
        await shutdown()
    }
}
