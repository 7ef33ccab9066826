import TokenMinting
@testable import TokenVerification
@testable import AuthRPC
import Foundation
import NIOCore
import NIOPosix
import Wire
import NIOConcurrencyHelpers
import XCTest

/// SPEC §6 CheckGroups through its `MethodHandler`, and VerifyToken's handler.
final class TokenCheckGroupsTests: XCTestCase {
    let clock = FakeClock()
    var file: JWKSFile!
    var registry: JWKSRegistry!
    var verifier: TokenVerifier!
    let loop = MultiThreadedEventLoopGroup.singleton.next()

    override func setUp() async throws {
        file = JWKSFile(DevTokenSigner.jwksJSON([TestKeys.idKey, TestKeys.accessKey]))
        let config = testConfig(jwksURL: file.url, cacheEntries: 100)
        registry = JWKSRegistry(config: config, transport: CountingTransport(jwks: ""), clock: clock.clock)
        await registry.start()
        verifier = TokenVerifier(config: config, keys: registry, clock: clock.clock)
    }

    override func tearDown() async throws {
        await registry.shutdown()
        file.delete()
    }

    func check(groups: [String]?, allowed: [String] = [], required: [String] = [], prohibited: [String] = [],
               tokenUse: TokenUse = .any) async throws -> Response {
        let token = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(groups: groups))
        let request = Request(id: 42, body: .checkGroups(CheckGroupsRequest(
            token: token, tokenUse: tokenUse, allowedGroups: allowed, requiredGroups: required, prohibitedGroups: prohibited)))
        let method = tokenDispatcher(verifier: verifier)
        let loop = self.loop
        let reply = try await loop.submit { method.dispatch(request, on: loop) }.get()
        guard case .now(let response) = reply else { XCTFail("known kid must answer at once"); throw CancellationError() }
        XCTAssertEqual(response.id, 42)
        return response
    }

    func matched(_ r: Response) -> [String]? {
        if case .checkGroups(let body)? = r.body { return body.matchedGroups }
        return nil
    }

    func testAllowed() async throws {
        let ok = try await check(groups: ["admins", "Readers"], allowed: ["Readers", "writers"])
        XCTAssertEqual(ok.status, .ok)
        XCTAssertEqual(matched(ok), ["Readers"])
        let no = try await check(groups: ["admins"], allowed: ["Readers", "writers"])
        XCTAssertEqual(no.status, .permissionDenied)
        XCTAssertEqual(no.errorType, "GroupCheckFailed")
        XCTAssertTrue(no.message.contains("allowed_groups"))
    }

    func testRequired() async throws {
        let ok = try await check(groups: ["admins", "Readers", "x"], required: ["admins", "Readers"])
        XCTAssertEqual(ok.status, .ok)
        XCTAssertEqual(matched(ok), ["admins", "Readers"])
        let no = try await check(groups: ["admins"], required: ["admins", "Readers"])
        XCTAssertEqual(no.errorType, "GroupCheckFailed")
        XCTAssertTrue(no.message.contains("required_groups"))
        XCTAssertTrue(no.message.contains("Readers"))
    }

    func testProhibited() async throws {
        let ok = try await check(groups: ["admins"], prohibited: ["banned"])
        XCTAssertEqual(ok.status, .ok)
        XCTAssertEqual(matched(ok), [])
        let no = try await check(groups: ["admins", "banned"], prohibited: ["banned"])
        XCTAssertEqual(no.status, .permissionDenied)
        XCTAssertEqual(no.errorType, "GroupCheckFailed")
        XCTAssertTrue(no.message.contains("prohibited_groups"))
    }

    func testCombined() async throws {
        let ok = try await check(groups: ["staff", "eu", "admins"], allowed: ["admins", "owners"], required: ["staff", "eu"],
                                 prohibited: ["suspended"])
        XCTAssertEqual(ok.status, .ok)
        XCTAssertEqual(matched(ok), ["staff", "eu", "admins"])
        let suspended = try await check(groups: ["staff", "eu", "admins", "suspended"], allowed: ["admins"],
                                        required: ["staff"], prohibited: ["suspended"])
        XCTAssertTrue(suspended.message.contains("prohibited_groups"))
        let notAllowed = try await check(groups: ["staff", "eu"], allowed: ["admins"], required: ["staff"])
        XCTAssertTrue(notAllowed.message.contains("allowed_groups"))
    }

    func testNoGroupsClaim() async throws {
        let allowed = try await check(groups: nil, allowed: ["admins"])
        XCTAssertEqual(allowed.errorType, "GroupCheckFailed")
        let prohibited = try await check(groups: nil, prohibited: ["banned"])
        XCTAssertEqual(prohibited.status, .ok)
        XCTAssertEqual(matched(prohibited), [])
    }

    func testCaseSensitive() async throws {
        let r = try await check(groups: ["Admins"], allowed: ["admins"])
        XCTAssertEqual(r.errorType, "GroupCheckFailed")
        let p = try await check(groups: ["Banned"], prohibited: ["banned"])
        XCTAssertEqual(p.status, .ok)
    }

    func testEmptyRulesAreInvalidArgument() async throws {
        let r = try await check(groups: ["admins"])
        XCTAssertEqual(r.status, .invalidArgument)
        XCTAssertEqual(r.errorType, "NoGroupRules")
    }

    func testVerificationFailuresComeFirst() async throws {
        let r = try await check(groups: ["admins"], allowed: ["admins"], tokenUse: .access)
        XCTAssertEqual(r.status, .unauthenticated)
        XCTAssertEqual(r.errorType, "WrongTokenUse")
    }

    func testVerifyTokenHandler() async throws {
        let method = tokenDispatcher(verifier: verifier)
        let token = TestKeys.accessKey.token(payloadJSON: TestKeys.accessClaims(scope: "a b"))
        let ok = Request(id: 7, body: .verifyToken(VerifyTokenRequest(token: token, tokenUse: .access, requiredScopes: ["b"])))
        guard case .now(let response) = method.dispatch(ok, on: loop) else { return XCTFail("expected .now") }
        XCTAssertEqual(response.status, .ok)
        guard let body = response.body?.verifyTokenAnswer else { return XCTFail("no body") }
        XCTAssertEqual(body.claims?.scopes, ["a", "b"])
        let missing = Request(id: 8, body: .verifyToken(VerifyTokenRequest(token: token, requiredScopes: ["c"])))
        guard case .now(let denied) = method.dispatch(missing, on: loop) else { return XCTFail("expected .now") }
        XCTAssertEqual(denied.status, .permissionDenied)
        XCTAssertEqual(denied.errorType, "MissingScope")
        XCTAssertEqual(denied.id, 8)
    }

    func testUnknownKidGoesLaterAndAnswersWhenTheFetchEnds() async throws {
        let transport = CountingTransport(jwks: DevTokenSigner.jwksJSON([TestKeys.idKey]))
        var config = testConfig(jwksURL: "https://example.invalid/jwks.json")
        config.jwksMinRefresh = .seconds(0)
        let registry = JWKSRegistry(config: config, transport: transport, clock: clock.clock)
        await registry.start()
        let verifier = TokenVerifier(config: config, keys: registry, clock: clock.clock)
        transport.hold()
        let token = TestKeys.rotatedKey.token(payloadJSON: TestKeys.idClaims())
        let request = Request(id: 9, deadlineMs: 50, body: .verifyToken(VerifyTokenRequest(token: token)))
        guard case .later(let future) = tokenDispatcher(verifier: verifier).dispatch(request, on: loop) else {
            return XCTFail("expected .later")
        }
        let answered = NIOLockedValueBox(false)
        future.whenComplete { _ in answered.withLockedValue { $0 = true } }
        try await Task.sleep(for: .milliseconds(100))
        XCTAssertFalse(answered.withLockedValue { $0 }, "answered before the held fetch ended")
        transport.release()
        let response = try await future.get()
        XCTAssertEqual(response.status, .unauthenticated)
        XCTAssertEqual(response.errorType, "UnknownKey")
        XCTAssertEqual(response.id, 9)
        await registry.shutdown()
    }

    func testCheckGroupsWithANewKidGoesLaterThenChecksGroups() async throws {
        let transport = CountingTransport(jwks: DevTokenSigner.jwksJSON([TestKeys.idKey]))
        let config = testConfig(jwksURL: "https://example.invalid/jwks.json", minRefresh: .seconds(0))
        let registry = JWKSRegistry(config: config, transport: transport, clock: clock.clock)
        await registry.start()
        let verifier = TokenVerifier(config: config, keys: registry, clock: clock.clock)
        transport.serve(DevTokenSigner.jwksJSON([TestKeys.idKey, TestKeys.rotatedKey]))
        let token = TestKeys.rotatedKey.token(payloadJSON: TestKeys.idClaims(groups: ["admins", "Readers"]))
        let request = Request(id: 11, body: .checkGroups(CheckGroupsRequest(token: token, allowedGroups: ["Readers"])))
        guard case .later(let future) = tokenDispatcher(verifier: verifier).dispatch(request, on: loop) else {
            return XCTFail("expected .later")
        }
        let response = try await future.get()
        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(matched(response), ["Readers"])
        XCTAssertEqual(transport.calls, 2)
        await registry.shutdown()
    }

    /// A token first verified on the `.later` path (after a refetch) is cached with its
    /// answer serialized, like one verified at once: the next request sends those bytes.
    func testVerifyTokenAfterARefetchCachesItsSerializedAnswer() async throws {
        let transport = CountingTransport(jwks: DevTokenSigner.jwksJSON([TestKeys.idKey]))
        var config = testConfig(jwksURL: "https://example.invalid/jwks.json", cacheEntries: 100, minRefresh: .seconds(0))
        config.threads = 2  // shares for this thread and the loop
        let registry = JWKSRegistry(config: config, transport: transport, clock: clock.clock)
        await registry.start()
        let verifier = TokenVerifier(config: config, keys: registry, clock: clock.clock)
        transport.serve(DevTokenSigner.jwksJSON([TestKeys.idKey, TestKeys.rotatedKey]))
        let token = TestKeys.rotatedKey.token(payloadJSON: TestKeys.idClaims())
        let method = tokenDispatcher(verifier: verifier)
        guard case .later(let future) = method.dispatch(Request(id: 1, body: .verifyToken(VerifyTokenRequest(token: token))), on: loop) else {
            return XCTFail("expected .later")
        }
        let first = try await future.get()
        XCTAssertEqual(first.status, .ok)
        XCTAssertEqual(verifier.cacheCounts.misses, 2, "the first try and the one after the refetch")
        // The token was verified again on the loop, after the fetch, and cached in the loop's share.
        let repeated = try await loop.submit { [loop] in
            method.dispatch(Request(id: 2, body: .verifyToken(VerifyTokenRequest(token: token))), on: loop)
        }.get()
        XCTAssertEqual(verifier.cacheCounts.hits, 1)
        guard case .now(let second) = repeated,
              case .verifyTokenEncoded(let encoded)? = second.body else {
            return XCTFail("the repeat was not answered from the serialized bytes")
        }
        XCTAssertEqual(encoded.response?.claims?.username, "alice")
        XCTAssertEqual(second.id, 2)
        await registry.shutdown()
    }
}
