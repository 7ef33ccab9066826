import AuthRPC
import CurlHTTP
import TokenTestSupport
import TokenVerification
import Wire

/// The in-memory JWKS server of `TokenTestSupport` over the service's HTTP transport, so
/// `JWKSRegistry(config:transport:)` fetches through `HTTPJWKSFetcher` as in production: a
/// failing fetch is a refused connection. Also a Cognito transport for tests that make
/// no Cognito call.
extension FakeJWKSServer: HTTPTransport {
    public func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        switch await answer(Fetch(url: request.url, timeout: request.timeout, maxBytes: request.maxResponseBytes)) {
        case .success(let body): HTTPResponse(status: 200, headers: ["content-type": "application/json"], body: body)
        case .failure(let failure): throw .couldNotConnect(failure.description)
        }
    }
}

/// A config with the test pool and the test client ids.
func testConfig(jwksURL: String, cacheEntries: Int = 0, minRefresh: Duration = .seconds(10),
                refresh: Duration = .seconds(3600)) -> ServiceConfig {
    var config = ServiceConfig()
    config.pools = [PoolConfig(poolID: TestKeys.poolID, region: "us-east-1", issuer: TestKeys.issuer, jwksURL: jwksURL)]
    config.clientIDs = [TestKeys.clientID, TestKeys.secondClientID]
    config.verifyCacheEntries = cacheEntries
    config.jwksMinRefresh = minRefresh
    config.jwksRefresh = refresh
    return config
}

extension TokenVerifier.Outcome {
    /// The verified token's claims as the service answers them (the wire's `Claims`).
    var claims: Claims? {
        if case .verified(let token) = self { return Claims(token.claims) }
        return nil
    }
}
