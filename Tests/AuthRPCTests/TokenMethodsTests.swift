import TokenMinting
import TokenTestSupport
@testable import TokenVerification
@testable import AuthRPC
import Foundation
import NIOCore
import NIOPosix
import Wire
import NIOConcurrencyHelpers
import XCTest

/// VerifyToken and CheckGroups over the service (SPEC §4, §6): how a verification result
/// becomes the answer (status and `error_type` per `VerificationError`, the claims on the
/// wire, the answer serialized once), and the `.later` path of an unknown kid. What the
/// verification itself decides is tested without NIO in `Tests/TokenVerificationTests`.
final class TokenMethodsTests: XCTestCase {
    let clock = FakeClock()
    var file: JWKSFile!
    var registry: JWKSRegistry!
    var verifier: TokenVerifier!
    let loop = MultiThreadedEventLoopGroup.singleton.next()

    override func setUp() async throws {
        file = JWKSFile(DevTokenSigner.jwksJSON([TestKeys.idKey, TestKeys.accessKey]))
        let config = testConfig(jwksURL: file.url, cacheEntries: 100)
        registry = JWKSRegistry(config: config, transport: FakeJWKSServer(jwks: ""), clock: clock.clock)
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

    /// Every `error_type` with its status (SPEC §6): UNAUTHENTICATED but for a missing scope
    /// and a failed group rule (PERMISSION_DENIED) and no rule at all (INVALID_ARGUMENT).
    func testEveryVerificationErrorIsAnsweredWithItsStatus() {
        for kind in VerificationError.Kind.allCases {
            let error = VerificationError(kind, "why")
            let expected: Status = switch kind {
            case .missingScope, .groupCheckFailed: .permissionDenied
            case .noGroupRules: .invalidArgument
            default: .unauthenticated
            }
            XCTAssertEqual(error.rpcError, RPCError(expected, errorType: kind.rawValue, message: "why"), "\(kind)")
        }
    }

    /// The rules' outcome over the wire: the matched groups, or the failed rule named.
    func testCheckGroupsAnswersTheMatchedGroupsOrTheFailedRule() async throws {
        let ok = try await check(groups: ["staff", "eu", "admins"], allowed: ["admins", "owners"], required: ["staff", "eu"],
                                 prohibited: ["suspended"])
        XCTAssertEqual(ok.status, .ok)
        XCTAssertEqual(matched(ok), ["staff", "eu", "admins"])
        if case .checkGroups(let body)? = ok.body { XCTAssertEqual(body.claims?.groups, ["staff", "eu", "admins"]) }
        let no = try await check(groups: ["admins", "banned"], prohibited: ["banned"])
        XCTAssertEqual(no.status, .permissionDenied)
        XCTAssertEqual(no.errorType, "GroupCheckFailed")
        XCTAssertTrue(no.message.contains("prohibited_groups"))
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
        XCTAssertEqual(body.claims?.tokenUse, .access)
        let missing = Request(id: 8, body: .verifyToken(VerifyTokenRequest(token: token, requiredScopes: ["c"])))
        guard case .now(let denied) = method.dispatch(missing, on: loop) else { return XCTFail("expected .now") }
        XCTAssertEqual(denied.status, .permissionDenied)
        XCTAssertEqual(denied.errorType, "MissingScope")
        XCTAssertEqual(denied.id, 8)
    }

    func testUnknownKidGoesLaterAndAnswersWhenTheFetchEnds() async throws {
        let transport = FakeJWKSServer(jwks: DevTokenSigner.jwksJSON([TestKeys.idKey]))
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
        let transport = FakeJWKSServer(jwks: DevTokenSigner.jwksJSON([TestKeys.idKey]))
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
        let transport = FakeJWKSServer(jwks: DevTokenSigner.jwksJSON([TestKeys.idKey]))
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

    /// An id token's claims as VerifyToken answers them: every field of the wire's `Claims`
    /// carries its verified claim.
    func testVerifyTokenAnswersEveryClaim() throws {
        let payload = TestKeys.idClaims()
        let token = TestKeys.idKey.token(payloadJSON: payload)
        let request = Request(id: 3, body: .verifyToken(VerifyTokenRequest(token: token, tokenUse: .id)))
        guard case .now(let response) = tokenDispatcher(verifier: verifier).dispatch(request, on: loop) else {
            return XCTFail("expected .now")
        }
        let expected = TestKeys.idVerifiedClaims(payloadJSON: payload)
        let wire = try XCTUnwrap(response.body?.verifyTokenAnswer?.claims)
        XCTAssertEqual(VerifiedClaims(wire), expected)
        XCTAssertEqual(wire.sub, expected.subject)
        XCTAssertEqual(wire.tokenUse, .id)
        // The same from the cached entry, whose claims come back from the serialized answer
        // it keeps instead of the payload; and the Swift way, for CheckGroups.
        guard case .verified(let cached) = verifier.verify(token) else { return XCTFail("the repeat did not verify") }
        XCTAssertNotNil(cached.answer.flatMap(EncodedVerifyTokenAnswer.from))
        XCTAssertEqual(cached.claims, expected)
        XCTAssertEqual(verifier.verify(token).claims.map(VerifiedClaims.init), expected)
    }
}
