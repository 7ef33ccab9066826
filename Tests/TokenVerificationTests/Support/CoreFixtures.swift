import TokenTestSupport
import TokenVerification

/// The verifier's settings as these tests use them: the test app clients, and no
/// verified-token cache unless a test asks for one (so each call verifies in full).
/// `cacheThreads`: the verified-token cache's shares, one per thread that verifies; tests
/// verify on one thread, so 1 gives it the whole cache.
func testSettings(cacheEntries: Int = 0, cacheBytes: Int = 64 << 20, leeway: Int64 = 0,
                  maxTokenBytes: Int = 16384, cacheThreads: Int = 1) -> TokenVerifier.Settings {
    var settings = TokenVerifier.Settings(clientIDs: [TestKeys.clientID, TestKeys.secondClientID])
    settings.cacheEntries = cacheEntries
    settings.cacheBytes = cacheBytes
    settings.clockLeewaySeconds = leeway
    settings.maxTokenBytes = maxTokenBytes
    settings.cacheThreads = cacheThreads
    return settings
}

/// A JWKS registry for the test pool at `jwksURL` (and the other pool, at
/// `otherPoolJWKS`, when given), its keys fetched through `fetcher` (a `file://` URL
/// is read directly), started: its first fetch is done.
func startedRegistry(jwksURL: String, otherPoolJWKS: String? = nil,
                     fetcher: any JWKSFetcher = FakeJWKSServer(jwks: "{}"), minRefresh: Duration = .seconds(10),
                     refresh: Duration = .seconds(3600), clock: FakeClock) async -> JWKSRegistry {
    let registry = makeRegistry(jwksURL: jwksURL, otherPoolJWKS: otherPoolJWKS, fetcher: fetcher,
                                minRefresh: minRefresh, refresh: refresh, clock: clock)
    await registry.start()
    return registry
}

/// The same, not started.
func makeRegistry(jwksURL: String, otherPoolJWKS: String? = nil, fetcher: any JWKSFetcher = FakeJWKSServer(jwks: "{}"),
                  minRefresh: Duration = .seconds(10), refresh: Duration = .seconds(3600),
                  clock: FakeClock) -> JWKSRegistry {
    var pools = [TrustedPool(issuer: TestKeys.issuer, jwksURL: jwksURL)]
    if let otherPoolJWKS { pools.append(TrustedPool(issuer: TestKeys.otherIssuer, jwksURL: otherPoolJWKS)) }
    return JWKSRegistry(pools: pools, fetcher: fetcher, minRefresh: minRefresh, refresh: refresh, clock: clock.clock)
}
