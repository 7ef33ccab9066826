import TokenMinting
import TokenTestSupport
@testable import TokenVerification
@testable import AuthRPC
import CurlHTTP
import Foundation
import NIOCore
import NIOPosix
import Wire
import XCTest

/// The JWKS cache as the service wires it (SPEC §6): built from the configuration, fetching
/// over the libcurl transport (`HTTPJWKSFetcher`), run as a `Service`, and one shared
/// refetch for requests waiting on event loops. The cache's own behaviour is tested
/// without NIO in `Tests/TokenVerificationTests` (`JWKSCacheTests`).
final class TokenJWKSWiringTests: XCTestCase {
    let clock = FakeClock()

    /// The registry and verifier the application builds from `config`, started, fetching
    /// over `transport`.
    func started(_ config: ServiceConfig, transport: any HTTPTransport) async -> (JWKSRegistry, TokenVerifier) {
        let registry = JWKSRegistry(config: config, transport: transport, clock: clock.clock)
        await registry.start()
        return (registry, TokenVerifier(config: config, keys: registry, clock: clock.clock))
    }

    /// The configured pool's URL, fetched over HTTP within SPEC §6's limits; a transport
    /// failure or another status than 200 is reported in words Health shows.
    func testRegistryFromTheConfigurationFetchesOverHTTP() async {
        let server = FakeJWKSServer(jwks: DevTokenSigner.jwksJSON([TestKeys.idKey, TestKeys.accessKey]))
        let (registry, _) = await started(testConfig(jwksURL: TestKeys.jwksURL, minRefresh: .seconds(0)), transport: server)
        XCTAssertEqual(server.fetches, [FakeJWKSServer.Fetch(url: TestKeys.jwksURL, timeout: .seconds(3), maxBytes: 64 * 1024)])
        XCTAssertEqual(registry.poolStatuses(),
                       [PoolKeyStatus(issuer: TestKeys.issuer, keys: 2, lastRefreshUnix: TestKeys.now, lastError: "")])
        server.setFailing(true)
        await registry.caches[0].refresh()
        XCTAssertEqual(registry.poolStatuses()[0].lastError, "could not connect: \(FakeJWKSServer.failureReason)")
        XCTAssertEqual(registry.poolStatuses()[0].keys, 2)
        await registry.shutdown()

        let (unavailable, _) = await started(testConfig(jwksURL: TestKeys.jwksURL), transport: StatusTransport(status: 503))
        XCTAssertEqual(unavailable.poolStatuses()[0].lastError, "HTTP status 503")
        await unavailable.shutdown()
    }

    /// Requests for a new kid on two event loops: each answered `.later`, all when the one
    /// refetch ends.
    func testTwoHundredConcurrentUnknownKidRequestsCauseOneFetch() async throws {
        let transport = FakeJWKSServer(jwks: DevTokenSigner.jwksJSON([TestKeys.idKey]))
        let (registry, verifier) = await started(testConfig(jwksURL: TestKeys.jwksURL), transport: transport)
        transport.serve(DevTokenSigner.jwksJSON([TestKeys.idKey, TestKeys.rotatedKey]))
        clock.advance(seconds: 11)
        transport.hold()
        let token = TestKeys.rotatedKey.token(payloadJSON: TestKeys.idClaims())
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let method = tokenDispatcher(verifier: verifier)
        var futures: [EventLoopFuture<Response>] = []
        for i in 0..<200 {
            let loop = group.next()
            let request = Request(id: UInt64(i), body: .verifyToken(VerifyTokenRequest(token: token)))
            let reply = try await loop.submit { method.dispatch(request, on: loop) }.get()
            guard case .later(let future) = reply else { return XCTFail("request \(i) answered at once") }
            futures.append(future)
        }
        let fetchStarted = await eventually { transport.calls == 2 }
        XCTAssertTrue(fetchStarted)
        transport.release()
        for (i, future) in futures.enumerated() {
            let response = try await future.get()
            XCTAssertEqual(response.id, UInt64(i))
            XCTAssertEqual(response.status, .ok)
        }
        XCTAssertEqual(transport.calls, 2, "start-up fetch + exactly one refetch")
        try await group.shutdownGracefully()
        await registry.shutdown()
    }

    func testRunAsAServiceLoadsKeysAndStopsOnCancellation() async throws {
        let transport = FakeJWKSServer(jwks: DevTokenSigner.jwksJSON([TestKeys.idKey]))
        let config = testConfig(jwksURL: TestKeys.jwksURL, refresh: .milliseconds(30))
        let registry = JWKSRegistry(config: config, transport: transport, clock: clock.clock)
        let service = Task { try await registry.run() }
        let loaded = await eventually { registry.hasKeysForEveryPool && transport.calls >= 2 }
        XCTAssertTrue(loaded, "first fetch and at least one background refresh")
        service.cancel()
        try await service.value
        let calls = transport.calls
        try await Task.sleep(for: .milliseconds(150))
        XCTAssertEqual(transport.calls, calls, "no refresh after the service stopped")
    }
}

/// HTTP that answers every request with `status` and no body.
private struct StatusTransport: HTTPTransport {
    let status: Int

    func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        HTTPResponse(status: status)
    }
}
