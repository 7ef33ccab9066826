import TokenMinting
import TokenTestSupport
@testable import TokenVerification
@testable import AuthRPC
import Foundation
import NIOCore
import NIOPosix
import Wire
import XCTest

/// SPEC §6 JWKS cache: rotation, one shared refetch, rate limit, outage, background refresh.
final class TokenJWKSCacheTests: XCTestCase {
    let clock = FakeClock()
    let httpURL = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPoolA/.well-known/jwks.json"

    func makeHTTP(_ signers: [DevTokenSigner], minRefresh: Duration = .seconds(10), refresh: Duration = .seconds(3600),
                  cache: Int = 0) async -> (FakeJWKSServer, JWKSRegistry, TokenVerifier) {
        let transport = FakeJWKSServer(jwks: DevTokenSigner.jwksJSON(signers))
        let config = testConfig(jwksURL: httpURL, cacheEntries: cache, minRefresh: minRefresh, refresh: refresh)
        let registry = JWKSRegistry(config: config, transport: transport, clock: clock.clock)
        await registry.start()
        return (transport, registry, TokenVerifier(config: config, keys: registry, clock: clock.clock))
    }

    func testStartFetchesOverHTTPWithTheConfiguredURL() async {
        let (transport, registry, _) = await makeHTTP([TestKeys.idKey, TestKeys.accessKey])
        defer { Task { await registry.shutdown() } }
        XCTAssertEqual(transport.calls, 1)
        XCTAssertEqual(transport.urls, [httpURL])
        let status = registry.poolStatuses()
        XCTAssertEqual(status, [PoolKeyStatus(issuer: TestKeys.issuer, keys: 2, lastRefreshUnix: TestKeys.now, lastError: "")])
        XCTAssertTrue(registry.hasKeysForEveryPool)
        await registry.shutdown()
    }

    func testRotationVerifiesAfterOneRefetch() async {
        let (transport, registry, verifier) = await makeHTTP([TestKeys.idKey])
        clock.advance(seconds: 11)
        transport.serve(DevTokenSigner.jwksJSON([TestKeys.idKey, TestKeys.rotatedKey]))
        let token = TestKeys.rotatedKey.token(payloadJSON: TestKeys.idClaims())
        guard case .awaitingKeys = verifier.verify(token) else { return XCTFail("expected a refetch") }
        let result = await verifier.verifyWaitingForKeys(token)
        XCTAssertEqual((try? result.get())?.subject, "5f1e0c1a-0000-4000-8000-000000000001")
        XCTAssertEqual(transport.calls, 2)
        // Now known: synchronous, no further fetch.
        XCTAssertNotNil(verifier.verify(token).claims)
        XCTAssertEqual(transport.calls, 2)
        await registry.shutdown()
    }

    func testRotationOverFileURL() async throws {
        let file = JWKSFile(DevTokenSigner.jwksJSON([TestKeys.idKey]))
        defer { file.delete() }
        let config = testConfig(jwksURL: file.url, minRefresh: .seconds(0))
        let registry = JWKSRegistry(config: config, transport: FakeJWKSServer(jwks: ""), clock: clock.clock)
        await registry.start()
        let verifier = TokenVerifier(config: config, keys: registry, clock: clock.clock)
        let token = TestKeys.rotatedKey.token(payloadJSON: TestKeys.idClaims())
        let before = await verifier.verifyWaitingForKeys(token)
        XCTAssertEqual(before.failure?.errorType, "UnknownKey")
        file.write(DevTokenSigner.jwksJSON([TestKeys.idKey, TestKeys.rotatedKey]))
        let after = await verifier.verifyWaitingForKeys(token)
        XCTAssertNotNil(try? after.get())
        await registry.shutdown()
    }

    func testTwoHundredConcurrentUnknownKidRequestsCauseOneFetch() async throws {
        let (transport, registry, verifier) = await makeHTTP([TestKeys.idKey])
        clock.advance(seconds: 11)
        transport.serve(DevTokenSigner.jwksJSON([TestKeys.idKey, TestKeys.rotatedKey]))
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

    func testRefetchIsRateLimitedAndFailedFetchesCount() async throws {
        let (transport, registry, verifier) = await makeHTTP([TestKeys.idKey])
        clock.advance(seconds: 11)
        let made1 = TestKeys.strangerKey.token(payloadJSON: TestKeys.idClaims(), kid: "made-up-1")
        let first = await verifier.verifyWaitingForKeys(made1)
        XCTAssertEqual(first.failure?.errorType, "UnknownKey")
        XCTAssertEqual(transport.calls, 2)
        // Within the interval: refused at once, on the caller's thread, no fetch.
        let made2 = TestKeys.strangerKey.token(payloadJSON: TestKeys.idClaims(), kid: "made-up-2")
        XCTAssertEqual(verifier.verify(made2).errorType, "UnknownKey")
        clock.advance(seconds: 9)
        XCTAssertEqual(verifier.verify(made2).errorType, "UnknownKey")
        XCTAssertEqual(transport.calls, 2)
        // Known kids are unaffected meanwhile.
        XCTAssertNotNil(verifier.verify(TestKeys.idKey.token(payloadJSON: TestKeys.idClaims())).claims)
        // A failed fetch also counts towards the limit.
        clock.advance(seconds: 2)
        transport.setFailing(true)
        let failed = await verifier.verifyWaitingForKeys(made2)
        XCTAssertEqual(failed.failure?.errorType, "UnknownKey")
        XCTAssertEqual(transport.calls, 3)
        XCTAssertEqual(verifier.verify(made1).errorType, "UnknownKey")
        XCTAssertEqual(transport.calls, 3)
        await registry.shutdown()
    }

    func testOutageKeepsKnownKeysAndReportsTheError() async throws {
        let (transport, registry, verifier) = await makeHTTP([TestKeys.idKey], minRefresh: .seconds(0))
        transport.setFailing(true)
        let cache = registry.caches[0]
        await cache.refresh()
        let status = registry.poolStatuses()[0]
        XCTAssertEqual(status.keys, 1)
        XCTAssertEqual(status.lastRefreshUnix, TestKeys.now)
        XCTAssertTrue(status.lastError.contains("could not connect"), status.lastError)
        XCTAssertNotNil(verifier.verify(TestKeys.idKey.token(payloadJSON: TestKeys.idClaims())).claims)
        // A garbage document is a failed refresh too, and keeps the keys.
        transport.setFailing(false)
        transport.serve(#"{"keys":[{"kty":"EC","kid":"x"}]}"#)
        await cache.refresh()
        XCTAssertEqual(registry.poolStatuses()[0].keys, 1)
        XCTAssertTrue(registry.poolStatuses()[0].lastError.contains("no usable"))
        transport.serve("not json")
        await cache.refresh()
        XCTAssertEqual(registry.poolStatuses()[0].keys, 1)
        XCTAssertNotNil(verifier.verify(TestKeys.idKey.token(payloadJSON: TestKeys.idClaims())).claims)
        await registry.shutdown()
    }

    func testFileSourceGoingAwayKeepsKeys() async throws {
        let file = JWKSFile(DevTokenSigner.jwksJSON([TestKeys.idKey]))
        let config = testConfig(jwksURL: file.url)
        let registry = JWKSRegistry(config: config, transport: FakeJWKSServer(jwks: ""), clock: clock.clock)
        await registry.start()
        let verifier = TokenVerifier(config: config, keys: registry, clock: clock.clock)
        file.delete()
        await registry.caches[0].refresh()
        XCTAssertTrue(registry.poolStatuses()[0].lastError.contains("cannot open"))
        XCTAssertEqual(registry.poolStatuses()[0].keys, 1)
        XCTAssertNotNil(verifier.verify(TestKeys.idKey.token(payloadJSON: TestKeys.idClaims())).claims)
        await registry.shutdown()
    }

    func testFirstFetchFailingMeansNotReady() async {
        let config = testConfig(jwksURL: "file:///nonexistent/authrpc/jwks.json")
        let registry = JWKSRegistry(config: config, transport: FakeJWKSServer(jwks: ""), clock: clock.clock)
        await registry.start()
        XCTAssertFalse(registry.hasKeysForEveryPool)
        XCTAssertEqual(registry.poolStatuses()[0].keys, 0)
        XCTAssertEqual(registry.poolStatuses()[0].lastRefreshUnix, 0)
        XCTAssertFalse(registry.poolStatuses()[0].lastError.isEmpty)
        await registry.shutdown()
    }

    func testFileLargerThan64KiBIsRefused() async {
        let big = #"{"keys":[],"pad":""# + String(repeating: "x", count: 70_000) + #""}"#
        let file = JWKSFile(big)
        defer { file.delete() }
        let registry = JWKSRegistry(config: testConfig(jwksURL: file.url), transport: FakeJWKSServer(jwks: ""),
                                    clock: clock.clock)
        await registry.start()
        XCTAssertTrue(registry.poolStatuses()[0].lastError.contains("64 KiB"))
        await registry.shutdown()
    }

    func testBackgroundRefreshRemovesADeletedKey() async throws {
        let (transport, registry, verifier) = await makeHTTP([TestKeys.idKey, TestKeys.accessKey], refresh: .milliseconds(50),
                                                            cache: 100)
        let token = TestKeys.accessKey.token(payloadJSON: TestKeys.accessClaims())
        XCTAssertNotNil(verifier.verify(token).claims)
        XCTAssertNotNil(verifier.verify(token).claims)  // now served from the verified-token cache
        transport.serve(DevTokenSigner.jwksJSON([TestKeys.idKey]))
        let removed = await eventually { registry.poolStatuses()[0].keys == 1 }
        XCTAssertTrue(removed)
        // Withdrawn: neither the cache nor a fresh verification trusts it any more.
        let outcome = verifier.verify(token)
        if case .awaitingKeys = outcome {} else { XCTAssertEqual(outcome.errorType, "UnknownKey") }
        XCTAssertNotNil(verifier.verify(TestKeys.idKey.token(payloadJSON: TestKeys.idClaims())).claims)
        await registry.shutdown()
        let callsAfterShutdown = transport.calls
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertEqual(transport.calls, callsAfterShutdown, "shutdown stops background refreshes")
    }

    func testJWKSParsingSkipsKeysThatAreNotRSASigningKeys() throws {
        let weak = try DevTokenSigner(kid: "weak", bits: 1024)
        let doc = #"{"keys":[\#(TestKeys.idKey.jwkJSON()),"#
            + #"\#(TestKeys.accessKey.jwkJSON(kid: "enc-key", extra: "").replacingOccurrences(of: #""use":"sig""#, with: #""use":"enc""#)),"#
            + #"\#(TestKeys.accessKey.jwkJSON(kid: "rs512").replacingOccurrences(of: #""alg":"RS256""#, with: #""alg":"RS512""#)),"#
            + #"{"kty":"EC","kid":"ec","crv":"P-256","x":"AA","y":"AA"},"#
            + #"\#(weak.jwkJSON()),"#
            + #"\#(TestKeys.accessKey.jwkJSON(kid: "no-use-no-alg").replacingOccurrences(of: #""use":"sig","#, with: "").replacingOccurrences(of: #""alg":"RS256","#, with: ""))"#
            + "]}"
        let set = try JWKSet(json: Array(doc.utf8))
        XCTAssertEqual(set.entries.map(\.kid), ["id-key-1", "no-use-no-alg"])
        XCTAssertEqual(set.skipped.count, 4)
        XCTAssertThrowsError(try RSAPublicKey(modulus: weak.publicNumbers().n, exponent: weak.publicNumbers().e))
    }

    func testRunAsAServiceLoadsKeysAndStopsOnCancellation() async throws {
        let transport = FakeJWKSServer(jwks: DevTokenSigner.jwksJSON([TestKeys.idKey]))
        let config = testConfig(jwksURL: httpURL, refresh: .milliseconds(30))
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
