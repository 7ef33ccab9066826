public import Logging

/// One user pool whose tokens are trusted (SPEC §6: several may be).
public struct TrustedPool: Sendable, Equatable {
    /// The exact `iss` its tokens carry.
    public var issuer: String
    /// Where its signing keys are published: `http(s)://` or `file://`.
    public var jwksURL: String

    public init(issuer: String, jwksURL: String) {
        self.issuer = issuer
        self.jwksURL = jwksURL
    }
}

/// A pool's keys as Health reports them (SPEC §4 `PoolStatus`).
public struct PoolKeyStatus: Sendable, Equatable {
    public var issuer: String
    public var keys: Int
    /// Unix seconds of the last successful fetch; 0 before the first.
    public var lastRefreshUnix: Int64
    /// Why the last fetch failed; empty after a success.
    public var lastError: String
}

/// Every trusted pool's `JWKSCache`, by exact issuer string (SPEC §6 step 3: several
/// pools, each with its own keys). The application wires `start()` at boot, `shutdown()`
/// at exit, and `poolStatuses()` into Health.
public final class JWKSRegistry: Sendable {
    public let caches: [JWKSCache]
    private let byIssuer: [String: JWKSCache]

    /// `minRefresh`: the least time between fetches for unknown kids; `refresh`: the
    /// background refresh interval.
    public init(pools: [TrustedPool], fetcher: any JWKSFetcher, minRefresh: Duration, refresh: Duration,
                clock: VerifierClock = .system, logger: Logger = Logger(label: "authrpc.jwks")) {
        var caches: [JWKSCache] = [], byIssuer: [String: JWKSCache] = [:]
        for pool in pools where byIssuer[pool.issuer] == nil {
            let cache = JWKSCache(pool: pool, fetcher: fetcher, minRefresh: minRefresh,
                                  refreshInterval: refresh, clock: clock, logger: logger)
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
    public func poolStatuses() -> [PoolKeyStatus] { caches.map(\.status) }

    /// Ready when every pool has at least one key (SPEC §6: not-ready until then; serves anyway).
    public var hasKeysForEveryPool: Bool { caches.allSatisfy { $0.keyCount > 0 } }
}
