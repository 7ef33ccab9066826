import Foundation
import Synchronization
import TokenMinting
import TokenTestSupport
@testable import TokenVerification
import XCTest

/// SPEC §6 JWKS cache, with keys fetched through the core's `JWKSFetcher` (an in-memory
/// server) or read from `file://`: rotation, one shared refetch, rate limit, outage,
/// limits, background refresh, which keys a document yields.
final class JWKSCacheTests: XCTestCase {
    let clock = FakeClock()
    let httpURL = TestKeys.jwksURL

    func makeHTTP(_ signers: [DevTokenSigner], minRefresh: Duration = .seconds(10), refresh: Duration = .seconds(3600),
                  cache: Int = 0) async -> (FakeJWKSServer, JWKSRegistry, TokenVerifier) {
        let server = FakeJWKSServer(jwks: DevTokenSigner.jwksJSON(signers))
        let registry = await startedRegistry(jwksURL: httpURL, fetcher: server, minRefresh: minRefresh, refresh: refresh,
                                             clock: clock)
        return (server, registry, TokenVerifier(settings: testSettings(cacheEntries: cache), keys: registry, clock: clock.clock))
    }

    func testStartFetchesTheConfiguredURLWithinTheLimits() async {
        let (server, registry, _) = await makeHTTP([TestKeys.idKey, TestKeys.accessKey])
        XCTAssertEqual(server.fetches, [FakeJWKSServer.Fetch(url: httpURL, timeout: .seconds(3), maxBytes: 64 * 1024)])
        let status = registry.poolStatuses()
        XCTAssertEqual(status, [PoolKeyStatus(issuer: TestKeys.issuer, keys: 2, lastRefreshUnix: TestKeys.now, lastError: "")])
        XCTAssertTrue(registry.hasKeysForEveryPool)
        XCTAssertEqual(registry.caches[0].fetchOutcomes.succeeded, 1)
        await registry.shutdown()
    }

    func testRotationVerifiesAfterOneRefetch() async {
        let (server, registry, verifier) = await makeHTTP([TestKeys.idKey])
        clock.advance(seconds: 11)
        server.serve(DevTokenSigner.jwksJSON([TestKeys.idKey, TestKeys.rotatedKey]))
        let token = TestKeys.rotatedKey.token(payloadJSON: TestKeys.idClaims())
        guard case .awaitingKeys = verifier.verify(token) else { return XCTFail("expected a refetch") }
        let result = await verifier.verifyWaitingForKeys(token)
        XCTAssertEqual((try? result.get())?.subject, "5f1e0c1a-0000-4000-8000-000000000001")
        XCTAssertEqual(server.calls, 2)
        // Now known: synchronous, no further fetch.
        XCTAssertNotNil(verifier.verify(token).verifiedClaims)
        XCTAssertEqual(server.calls, 2)
        await registry.shutdown()
    }

    func testRotationOverFileURL() async throws {
        let file = JWKSFile(DevTokenSigner.jwksJSON([TestKeys.idKey]))
        defer { file.delete() }
        let registry = await startedRegistry(jwksURL: file.url, minRefresh: .seconds(0), clock: clock)
        let verifier = TokenVerifier(settings: testSettings(), keys: registry, clock: clock.clock)
        let token = TestKeys.rotatedKey.token(payloadJSON: TestKeys.idClaims())
        let before = await verifier.verifyWaitingForKeys(token)
        XCTAssertEqual(before.failure?.errorType, "UnknownKey")
        file.write(DevTokenSigner.jwksJSON([TestKeys.idKey, TestKeys.rotatedKey]))
        let after = await verifier.verifyWaitingForKeys(token)
        XCTAssertNotNil(try? after.get())
        await registry.shutdown()
    }

    /// Many threads meeting one unknown kid at once: every one is told to wait for the
    /// same fetch, and only one fetch is made.
    func testTwoHundredConcurrentUnknownKidRequestsShareOneFetch() async throws {
        let (server, registry, verifier) = await makeHTTP([TestKeys.idKey])
        clock.advance(seconds: 11)
        server.serve(DevTokenSigner.jwksJSON([TestKeys.idKey, TestKeys.rotatedKey]))
        server.hold()
        let token = TestKeys.rotatedKey.token(payloadJSON: TestKeys.idClaims())
        let fetches = Mutex<[Task<Void, Never>]>([])
        DispatchQueue.concurrentPerform(iterations: 200) { _ in
            if case .awaitingKeys(let fetch) = verifier.verify(token) { fetches.withLock { $0.append(fetch) } }
        }
        let waiting = fetches.withLock { $0 }
        XCTAssertEqual(waiting.count, 200, "every request waits for keys")
        let fetchStarted = await eventually { server.calls == 2 }
        XCTAssertTrue(fetchStarted)
        server.release()
        for fetch in waiting {
            let outcome = await verifier.verify(token, after: fetch)
            XCTAssertNotNil(outcome.verifiedClaims)
        }
        XCTAssertEqual(server.calls, 2, "start-up fetch + exactly one refetch")
        await registry.shutdown()
    }

    func testRefetchIsRateLimitedAndFailedFetchesCount() async throws {
        let (server, registry, verifier) = await makeHTTP([TestKeys.idKey])
        clock.advance(seconds: 11)
        let made1 = TestKeys.strangerKey.token(payloadJSON: TestKeys.idClaims(), kid: "made-up-1")
        let first = await verifier.verifyWaitingForKeys(made1)
        XCTAssertEqual(first.failure?.errorType, "UnknownKey")
        XCTAssertEqual(server.calls, 2)
        // Within the interval: refused at once, on the caller's thread, no fetch.
        let made2 = TestKeys.strangerKey.token(payloadJSON: TestKeys.idClaims(), kid: "made-up-2")
        XCTAssertEqual(verifier.verify(made2).errorType, "UnknownKey")
        clock.advance(seconds: 9)
        XCTAssertEqual(verifier.verify(made2).errorType, "UnknownKey")
        XCTAssertEqual(server.calls, 2)
        // Known kids are unaffected meanwhile.
        XCTAssertNotNil(verifier.verify(TestKeys.idKey.token(payloadJSON: TestKeys.idClaims())).verifiedClaims)
        // A failed fetch also counts towards the limit.
        clock.advance(seconds: 2)
        server.setFailing(true)
        let failed = await verifier.verifyWaitingForKeys(made2)
        XCTAssertEqual(failed.failure?.errorType, "UnknownKey")
        XCTAssertEqual(server.calls, 3)
        XCTAssertEqual(verifier.verify(made1).errorType, "UnknownKey")
        XCTAssertEqual(server.calls, 3)
        await registry.shutdown()
    }

    func testOutageKeepsKnownKeysAndReportsTheError() async throws {
        let (server, registry, verifier) = await makeHTTP([TestKeys.idKey], minRefresh: .seconds(0))
        server.setFailing(true)
        let cache = registry.caches[0]
        await cache.refresh()
        let status = registry.poolStatuses()[0]
        XCTAssertEqual(status.keys, 1)
        XCTAssertEqual(status.lastRefreshUnix, TestKeys.now)
        XCTAssertEqual(status.lastError, FakeJWKSServer.failureReason, "the fetcher's words, as they are")
        XCTAssertNotNil(verifier.verify(TestKeys.idKey.token(payloadJSON: TestKeys.idClaims())).verifiedClaims)
        // A garbage document is a failed refresh too, and keeps the keys.
        server.setFailing(false)
        server.serve(#"{"keys":[{"kty":"EC","kid":"x"}]}"#)
        await cache.refresh()
        XCTAssertEqual(registry.poolStatuses()[0].keys, 1)
        XCTAssertTrue(registry.poolStatuses()[0].lastError.contains("no usable"))
        server.serve("not json")
        await cache.refresh()
        XCTAssertEqual(registry.poolStatuses()[0].keys, 1)
        XCTAssertNotNil(verifier.verify(TestKeys.idKey.token(payloadJSON: TestKeys.idClaims())).verifiedClaims)
        XCTAssertEqual(cache.fetchOutcomes.succeeded, 1)
        XCTAssertEqual(cache.fetchOutcomes.failed, 3)
        await registry.shutdown()
    }

    func testFileSourceGoingAwayKeepsKeys() async throws {
        let file = JWKSFile(DevTokenSigner.jwksJSON([TestKeys.idKey]))
        let registry = await startedRegistry(jwksURL: file.url, clock: clock)
        let verifier = TokenVerifier(settings: testSettings(), keys: registry, clock: clock.clock)
        file.delete()
        await registry.caches[0].refresh()
        XCTAssertTrue(registry.poolStatuses()[0].lastError.contains("cannot open"))
        XCTAssertEqual(registry.poolStatuses()[0].keys, 1)
        XCTAssertNotNil(verifier.verify(TestKeys.idKey.token(payloadJSON: TestKeys.idClaims())).verifiedClaims)
        await registry.shutdown()
    }

    func testFirstFetchFailingMeansNotReady() async {
        let registry = await startedRegistry(jwksURL: "file:///nonexistent/authrpc/jwks.json", clock: clock)
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
        let registry = await startedRegistry(jwksURL: file.url, clock: clock)
        XCTAssertTrue(registry.poolStatuses()[0].lastError.contains("64 KiB"))
        await registry.shutdown()
    }

    /// A fetcher that hands back more than it was allowed is refused all the same.
    func testFetchedBodyLargerThan64KiBIsRefused() async {
        let (server, registry, _) = await makeHTTP([TestKeys.idKey])
        server.serve(#"{"keys":[\#(TestKeys.idKey.jwkJSON())],"pad":""# + String(repeating: "x", count: 70_000) + #""}"#)
        await registry.caches[0].refresh()
        XCTAssertEqual(registry.poolStatuses()[0].lastError, "body larger than 64 KiB")
        XCTAssertEqual(registry.poolStatuses()[0].keys, 1)
        await registry.shutdown()
    }

    /// A fetcher that never answers: waiters give up a little after the 3 s fetch timeout.
    func testFetchThatNeverEndsTimesOut() async {
        let server = FakeJWKSServer(jwks: DevTokenSigner.jwksJSON([TestKeys.idKey]))
        server.hold()
        let started = ContinuousClock.now
        let registry = await startedRegistry(jwksURL: httpURL, fetcher: server, clock: clock)
        let waited = ContinuousClock.now - started
        XCTAssertEqual(registry.poolStatuses()[0].lastError, "timed out after 3 s")
        XCTAssertFalse(registry.hasKeysForEveryPool)
        XCTAssertGreaterThanOrEqual(waited, .seconds(3))
        XCTAssertLessThan(waited, .seconds(10))
        server.release()
        await registry.shutdown()
    }

    func testBackgroundRefreshRemovesADeletedKey() async throws {
        let (server, registry, verifier) = await makeHTTP([TestKeys.idKey, TestKeys.accessKey], refresh: .milliseconds(50),
                                                          cache: 100)
        let token = TestKeys.accessKey.token(payloadJSON: TestKeys.accessClaims())
        XCTAssertNotNil(verifier.verify(token).verifiedClaims)
        XCTAssertNotNil(verifier.verify(token).verifiedClaims)  // now served from the verified-token cache
        server.serve(DevTokenSigner.jwksJSON([TestKeys.idKey]))
        let removed = await eventually { registry.poolStatuses()[0].keys == 1 }
        XCTAssertTrue(removed)
        // Withdrawn: neither the cache nor a fresh verification trusts it any more.
        let outcome = verifier.verify(token)
        if case .awaitingKeys = outcome {} else { XCTAssertEqual(outcome.errorType, "UnknownKey") }
        XCTAssertNotNil(verifier.verify(TestKeys.idKey.token(payloadJSON: TestKeys.idClaims())).verifiedClaims)
        await registry.shutdown()
        let callsAfterShutdown = server.calls
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertEqual(server.calls, callsAfterShutdown, "shutdown stops background refreshes")
    }

    /// A refresh that finds the same keys changes nothing: same generation, and the
    /// verified-token cache keeps serving what it holds.
    /// Synchronous, so that every verification runs on one thread and so on one share of
    /// the verified-token cache (`blocking` runs the async steps).
    func testRefreshWithTheSameKeysKeepsTheGeneration() throws {
        let (url, clock) = (httpURL, self.clock)
        let server = FakeJWKSServer(jwks: DevTokenSigner.jwksJSON([TestKeys.idKey]))
        let registry = blocking {
            await startedRegistry(jwksURL: url, fetcher: server, minRefresh: .seconds(0), refresh: .seconds(3600), clock: clock)
        }
        let verifier = TokenVerifier(settings: testSettings(cacheEntries: 100), keys: registry, clock: clock.clock)
        let cache = registry.caches[0]
        let token = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims())
        XCTAssertNotNil(verifier.verify(token).verifiedClaims)
        let generation = cache.generation
        blocking { await cache.refresh() }
        XCTAssertEqual(cache.generation, generation)
        XCTAssertNotNil(verifier.verify(token).verifiedClaims)
        XCTAssertEqual(verifier.cacheCounts.hits, 1)
        // A new key is a new generation; the unchanged key stays trusted.
        server.serve(DevTokenSigner.jwksJSON([TestKeys.idKey, TestKeys.rotatedKey]))
        blocking { await cache.refresh() }
        XCTAssertNotEqual(cache.generation, generation)
        XCTAssertNotNil(verifier.verify(token).verifiedClaims)
        XCTAssertEqual(verifier.cacheCounts.hits, 2)
        blocking { await registry.shutdown() }
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
}
