import TokenMinting
import TokenTestSupport
@testable import TokenVerification
@testable import AuthRPC
import Foundation
import NIOCore
import NIOPosix
import XCTest

/// The per-thread verification state (docs/DESIGN.md "Multi-core"): each thread's share
/// of the verified-token cache, bounded together as configured; counters summed over the
/// threads; every thread's view of the keys follows a JWKS change.
final class TokenThreadCacheTests: XCTestCase {
    let clock = FakeClock()
    let url = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPoolA/.well-known/jwks.json"
    var transport: FakeJWKSServer!
    var registry: JWKSRegistry!
    var group: MultiThreadedEventLoopGroup!

    override func setUp() async throws {
        transport = FakeJWKSServer(jwks: DevTokenSigner.jwksJSON([TestKeys.idKey, TestKeys.accessKey]))
    }

    override func tearDown() async throws {
        await registry?.shutdown()
        try await group?.shutdownGracefully()
    }

    /// A verifier whose cache is split into `threads` shares, and a group of `loops` threads.
    func make(entries: Int, bytes: Int = 64 << 20, threads: Int, loops: Int) async -> TokenVerifier {
        // The fake clock stands still, so no kid is fetched on demand after the first fetch.
        var config = testConfig(jwksURL: url, cacheEntries: entries)
        config.verifyCacheBytes = bytes
        config.threads = threads
        registry = JWKSRegistry(config: config, transport: transport, clock: clock.clock)
        await registry.start()
        group = MultiThreadedEventLoopGroup(numberOfThreads: loops)
        return TokenVerifier(config: config, keys: registry, clock: clock.clock)
    }

    var loops: [any EventLoop] { group.makeIterator().map { $0 } }

    /// Verifies each token on `loop`'s thread; returns how many verified.
    func verify(_ tokens: [String], on loop: any EventLoop, with verifier: TokenVerifier) async throws -> Int {
        try await loop.submit {
            tokens.reduce(0) { $0 + (verifier.verify($1).verifiedClaims == nil ? 0 : 1) }
        }.get()
    }

    /// Verifies `token` twice on every loop (a miss, then a hit where there is a share).
    func verifyTwiceOnEveryLoop(_ token: [String], with verifier: TokenVerifier) async throws {
        for loop in loops {
            let verified = try await verify(token + token, on: loop, with: verifier)
            XCTAssertEqual(verified, 2)
        }
    }

    func tokens(_ count: Int, from start: Int = 0) -> [String] {
        (start..<(start + count)).map { TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(extra: #","n":\#($0)"#)) }
    }

    func testSharesTogetherHoldWhatIsConfigured() async throws {
        let verifier = await make(entries: 10, bytes: 30_000, threads: 3, loops: 3)
        let many = tokens(40)
        for loop in loops { _ = try await verify(many, on: loop, with: verifier) }
        let shares = verifier.threads.shareBounds
        XCTAssertEqual(shares.map(\.entries), [4, 3, 3])
        XCTAssertEqual(shares.map(\.bytes), [10_000, 10_000, 10_000])
        let (entries, bytes) = verifier.cacheUsage
        XCTAssertLessThanOrEqual(entries, 10)
        XCTAssertGreaterThan(entries, 3)
        XCTAssertLessThanOrEqual(bytes, 30_000)
    }

    func testAThreadBeyondTheSharesVerifiesWithoutACache() async throws {
        let verifier = await make(entries: 100, threads: 2, loops: 3)
        try await verifyTwiceOnEveryLoop(tokens(1), with: verifier)
        // Two loops: a miss then a hit each; the third: two misses, nothing kept.
        XCTAssertEqual(verifier.cacheUsage.entries, 2)
        XCTAssertTrue(verifier.cacheCounts == (2, 4), "\(verifier.cacheCounts)")
    }

    func testFewerEntriesThanThreadsMakeFewerShares() async throws {
        let verifier = await make(entries: 2, threads: 4, loops: 1)
        _ = try await verify(tokens(1), on: loops[0], with: verifier)
        XCTAssertEqual(verifier.threads.shareBounds.map(\.entries), [1])
    }

    func testCountsAreSummedOverThreadsAndOutliveThem() async throws {
        let verifier = await make(entries: 100, threads: 2, loops: 2)
        let token = tokens(1)
        for (i, loop) in loops.enumerated() {
            // Loop 0: 1 miss, 2 hits; loop 1: 1 miss, 4 hits.
            let verified = try await verify(Array(repeating: token[0], count: 3 + 2 * i), on: loop, with: verifier)
            XCTAssertEqual(verified, 3 + 2 * i)
        }
        XCTAssertTrue(verifier.cacheCounts == (6, 2), "\(verifier.cacheCounts)")
        // The threads exit; what they counted stays, and their shares go to the next ones.
        try await group.shutdownGracefully()
        let sharesBack = await eventually { verifier.threads.freeShares == 2 }
        XCTAssertTrue(sharesBack, "the exited threads gave their shares back")
        XCTAssertTrue(verifier.cacheCounts == (6, 2), "\(verifier.cacheCounts)")
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let verified = try await verify(token, on: loops[0], with: verifier)
        XCTAssertEqual(verified, 1)
        XCTAssertTrue(verifier.cacheCounts == (7, 2), "a share given back keeps its entries: \(verifier.cacheCounts)")
        XCTAssertEqual(verifier.threads.shareBounds.count, 2)
    }

    /// A key withdrawn from the JWKS stops verifying on every thread, cached tokens
    /// included; a key added is used on every thread without another fetch.
    func testEveryThreadSeesAJWKSChange() async throws {
        let verifier = await make(entries: 100, threads: 2, loops: 2)
        let idToken = tokens(1)
        try await verifyTwiceOnEveryLoop(idToken, with: verifier)
        XCTAssertEqual(verifier.cacheUsage.entries, 2)

        transport.serve(DevTokenSigner.jwksJSON([TestKeys.accessKey, TestKeys.rotatedKey]))
        await registry.caches[0].refresh()
        let fetches = transport.calls
        let rotated = [TestKeys.rotatedKey.token(payloadJSON: TestKeys.idClaims())]
        for loop in loops {
            let outcome = try await loop.submit { verifier.verify(idToken[0]) }.get()
            XCTAssertEqual(outcome.errorType, "UnknownKey", "the cached token's key is gone")
            let verified = try await verify(rotated, on: loop, with: verifier)
            XCTAssertEqual(verified, 1)
        }
        XCTAssertEqual(transport.calls, fetches, "the new key came with the refresh: no fetch for it")

        // And back: a thread that cached nothing since picks the key up again.
        transport.serve(DevTokenSigner.jwksJSON([TestKeys.idKey, TestKeys.accessKey, TestKeys.rotatedKey]))
        await registry.caches[0].refresh()
        for loop in loops {
            let verified = try await verify(idToken, on: loop, with: verifier)
            XCTAssertEqual(verified, 1)
        }
    }

    /// A refresh that finds the same keys changes nothing: cached tokens stay hits.
    func testARefreshWithTheSameKeysKeepsTheEntries() async throws {
        let verifier = await make(entries: 100, threads: 1, loops: 1)
        let token = tokens(1)
        _ = try await verify(token, on: loops[0], with: verifier)
        await registry.caches[0].refresh()
        _ = try await verify(token, on: loops[0], with: verifier)
        XCTAssertTrue(verifier.cacheCounts == (1, 1), "\(verifier.cacheCounts)")
    }
}
