import Foundation
import TokenMinting
import TokenTestSupport
@testable import TokenVerification
import XCTest

/// SPEC §6 verified-token cache: bounded, exact bytes, never past exp, steps 6-9 on every hit.
final class VerifiedTokenCacheTests: XCTestCase {
    let clock = FakeClock()
    var file: JWKSFile!
    var registry: JWKSRegistry!

    override func setUp() async throws {
        file = JWKSFile(DevTokenSigner.jwksJSON([TestKeys.idKey, TestKeys.accessKey]))
    }

    override func tearDown() async throws {
        await registry?.shutdown()
        file.delete()
    }

    /// `threads`: the cache shares (one per thread that verifies); these tests verify on
    /// one thread, so 1 gives it the whole cache.
    func makeVerifier(entries: Int = 100, bytes: Int = 64 << 20, leeway: Int64 = 0, threads: Int = 1) async -> TokenVerifier {
        registry = await startedRegistry(jwksURL: file.url, clock: clock)
        return TokenVerifier(settings: testSettings(cacheEntries: entries, cacheBytes: bytes, leeway: leeway, cacheThreads: threads),
                             keys: registry, clock: clock.clock)
    }

    /// The byte bound holds as well as the entry bound, and an entry that no longer keeps
    /// its payload (its answer holds it) still answers every check and its claims.
    func testCacheIsBoundedByBytes() async {
        let limit = 64 << 10
        let verifier = await makeVerifier(entries: 10_000, bytes: limit)
        var tokens: [String] = []
        for i in 0..<200 {
            let token = TestKeys.accessKey.token(payloadJSON: TestKeys.accessClaims(extra: #","n":\#(i)"#))
            tokens.append(token)
            XCTAssertNotNil(verifier.verify(token, tokenUse: .access, requiredScopes: ["aws.cognito.signin.user.admin"],
                                            prepare: KeptClaims.prepare).verifiedClaims)
            XCTAssertLessThanOrEqual(verifier.cacheUsage.bytes, limit)
        }
        let (entries, bytes) = verifier.cacheUsage
        XCTAssertGreaterThan(entries, 5)
        XCTAssertLessThan(entries, 200, "\(entries) entries in \(bytes) bytes")
        // The newest entries are hits: scopes still checked, claims still there.
        let last = tokens[199]
        guard case .verified(let hit) = verifier.verify(last, tokenUse: .access, requiredScopes: ["aws.cognito.signin.user.admin"])
        else { return XCTFail("the newest token should be cached and valid") }
        XCTAssertNotNil(hit.answer)
        XCTAssertEqual(hit.claims.username, "alice")
        XCTAssertEqual(hit.claims.scopes, ["aws.cognito.signin.user.admin"])
        XCTAssertEqual(verifier.verify(last, tokenUse: .access, requiredScopes: ["other"]).errorType, "MissingScope")
    }

    func testCachedTokenStopsVerifyingAtItsExp() async {
        let verifier = await makeVerifier()
        let token = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(exp: TestKeys.now + 100))
        XCTAssertNotNil(verifier.verify(token).verifiedClaims)
        XCTAssertNotNil(verifier.verify(token).verifiedClaims)
        clock.advance(seconds: 99)
        XCTAssertNotNil(verifier.verify(token).verifiedClaims)
        clock.advance(seconds: 1)
        XCTAssertEqual(verifier.verify(token).errorType, "TokenExpired")
        XCTAssertEqual(verifier.verify(token).errorType, "TokenExpired")
    }

    func testCachedTokenHonoursLeewayLikeAFreshOne() async {
        let verifier = await makeVerifier(leeway: 5)
        let token = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(exp: TestKeys.now + 10))
        XCTAssertNotNil(verifier.verify(token).verifiedClaims)
        clock.advance(seconds: 14)
        XCTAssertNotNil(verifier.verify(token).verifiedClaims)
        clock.advance(seconds: 1)
        XCTAssertEqual(verifier.verify(token).errorType, "TokenExpired")
    }

    func testTokenCachedAsIdStillFailsARequestForAccess() async {
        let verifier = await makeVerifier()
        let token = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims())
        XCTAssertNotNil(verifier.verify(token, tokenUse: .id).verifiedClaims)
        XCTAssertEqual(verifier.verify(token, tokenUse: .access).errorType, "WrongTokenUse")
        XCTAssertNotNil(verifier.verify(token, tokenUse: .id).verifiedClaims)
    }

    func testScopeIsRecheckedOnEveryHit() async {
        let verifier = await makeVerifier()
        let token = TestKeys.accessKey.token(payloadJSON: TestKeys.accessClaims(scope: "orders/read"))
        XCTAssertNotNil(verifier.verify(token, requiredScopes: ["orders/read"]).verifiedClaims)
        XCTAssertEqual(verifier.verify(token, requiredScopes: ["orders/write"]).errorType, "MissingScope")
        XCTAssertNotNil(verifier.verify(token).verifiedClaims)
    }

    func testNotYetValidIsRecheckedOnHit() async {
        let verifier = await makeVerifier(leeway: 10)
        // iat 5 s ahead: accepted within the leeway, cached.
        let token = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(iat: TestKeys.now + 5))
        XCTAssertNotNil(verifier.verify(token).verifiedClaims)
        clock.setUnix(TestKeys.now - 20)  // the clock steps back
        XCTAssertEqual(verifier.verify(token).errorType, "TokenNotYetValid")
    }

    func testCacheIsKeyedByExactBytesAndBounded() async throws {
        let verifier = await makeVerifier(entries: 20)
        var tokens: [String] = []
        for i in 0..<60 {
            let t = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(extra: #","n":\#(i)"#))
            tokens.append(t)
            XCTAssertNotNil(verifier.verify(t).verifiedClaims)
        }
        XCTAssertEqual(verifier.cacheUsage.entries, 20)
        // FIFO: the newest 20 are hits, the oldest is verified again.
        let before = verifier.cacheCounts
        XCTAssertNotNil(verifier.verify(tokens[59]).verifiedClaims)
        XCTAssertNotNil(verifier.verify(tokens[40]).verifiedClaims)
        XCTAssertEqual(verifier.cacheCounts.hits, before.hits + 2)
        XCTAssertNotNil(verifier.verify(tokens[0]).verifiedClaims)
        XCTAssertEqual(verifier.cacheCounts.misses, before.misses + 1)
        // A different byte string (tampered signature) is not a hit.
        let t = tokens.last!
        let tampered = String(t.dropLast(2)) + (t.hasSuffix("AA") ? "BA" : "AA")
        XCTAssertNotEqual(verifier.verify(tampered).errorType, nil)
    }

    func testExpiredTokenIsNotCached() async throws {
        let verifier = await makeVerifier()
        let token = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(exp: TestKeys.now - 1))
        XCTAssertEqual(verifier.verify(token).errorType, "TokenExpired")
        XCTAssertEqual(verifier.cacheUsage.entries, 0)
    }

    func testZeroEntriesDisablesTheCache() async {
        let verifier = await makeVerifier(entries: 0)
        XCTAssertTrue(verifier.threads.shareBounds.isEmpty)
        let token = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims())
        XCTAssertNotNil(verifier.verify(token).verifiedClaims)
        XCTAssertNotNil(verifier.verify(token).verifiedClaims)
        XCTAssertEqual(verifier.cacheUsage.entries, 0)
        XCTAssertTrue(verifier.cacheCounts == (0, 0))
    }

    func testConcurrentUseFromManyThreads() async {
        let verifier = await makeVerifier(entries: 50, threads: 4)
        let tokens = (0..<20).map { TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(extra: #","n":\#($0)"#)) }
        await withTaskGroup(of: Int.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var ok = 0
                    for i in 0..<200 where verifier.verify(tokens[(i + worker) % tokens.count]).verifiedClaims != nil { ok += 1 }
                    return ok
                }
            }
            for await ok in group { XCTAssertEqual(ok, 200) }
        }
    }

    func testHitsAndMissesAreCounted() async {
        let verifier = await makeVerifier()
        let token = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims())
        XCTAssertEqual(verifier.cacheCounts.hits, 0)
        XCTAssertNotNil(verifier.verify(token).verifiedClaims)
        XCTAssertNotNil(verifier.verify(token).verifiedClaims)
        XCTAssertNotNil(verifier.verify(token, tokenUse: .id).verifiedClaims)
        XCTAssertEqual(verifier.cacheCounts.misses, 1)
        XCTAssertEqual(verifier.cacheCounts.hits, 2)
        XCTAssertEqual(verifier.cacheUsage.entries, 1)
        // A failure before the signature is never stored, so each try is a miss.
        let wrongIssuer = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(iss: "https://elsewhere.example"))
        XCTAssertEqual(verifier.verify(wrongIssuer).errorType, "WrongIssuer")
        XCTAssertEqual(verifier.verify(wrongIssuer).errorType, "WrongIssuer")
        XCTAssertEqual(verifier.cacheCounts.misses, 3)
        XCTAssertEqual(verifier.cacheUsage.entries, 1)
    }
}

/// A prepared answer as the service keeps one with a cached token: the claims it was made
/// from, and its size for the cache's byte bound.
private final class KeptClaims: PreparedAnswer {
    let claims: VerifiedClaims
    let byteCount: Int

    init(_ positions: ClaimPositions) {
        claims = positions.verifiedClaims
        byteCount = claims.payloadJSON.utf8.count
    }

    static let prepare: VerifiedToken.Preparation = { KeptClaims($0) }
}
