@testable import AuthRPC
import NIOCore
import NIOEmbedded
import Wire
import XCTest

/// The generated dispatcher: every `Request` body reaches its own method of the service,
/// with its typed request and its context, and the typed answer comes back as the
/// `Response` for the request's id.
final class DispatcherTests: XCTestCase {
    private let loop = EmbeddedEventLoop()

    /// One request of each RPC. The switch has no default: a new RPC does not compile
    /// until it has a sample here, so the test below covers it.
    private func sample(_ method: Method) -> Request.Body {
        switch method {
        case .health: .health(HealthRequest())
        case .register: .register(RegisterRequest(username: "u", password: "p", email: "e@x", attributes: ["k": "v"]))
        case .confirmRegistration: .confirmRegistration(ConfirmRegistrationRequest(username: "u", code: "1"))
        case .resendConfirmationCode: .resendConfirmationCode(ResendConfirmationCodeRequest(username: "u"))
        case .authenticate: .authenticate(AuthenticateRequest(username: "u", password: "p"))
        case .respondToChallenge:
            .respondToChallenge(RespondToChallengeRequest(username: "u", challengeName: "c", session: "s", responses: ["a": "b"]))
        case .refreshTokens: .refreshTokens(RefreshTokensRequest(refreshToken: "r", username: "u"))
        case .signOut: .signOut(SignOutRequest(accessToken: "a"))
        case .forgotPassword: .forgotPassword(ForgotPasswordRequest(username: "u"))
        case .confirmForgotPassword: .confirmForgotPassword(ConfirmForgotPasswordRequest(username: "u", code: "1", newPassword: "n"))
        case .verifyToken: .verifyToken(VerifyTokenRequest(token: "t", tokenUse: .access, requiredScopes: ["s"]))
        case .checkGroups: .checkGroups(CheckGroupsRequest(token: "t", tokenUse: .id, allowedGroups: ["g"]))
        }
    }

    /// An immediate OK answer for every method, so the response side is checked too.
    private struct Answering: StubHandler {
        func reply<Success: Sendable>(_ context: RequestContext, success: Success) -> MethodReply<Success> {
            .success(success)
        }
    }

    func testEveryRequestBodyReachesItsServiceMethod() throws {
        let handlers = Dictionary(uniqueKeysWithValues: Method.allCases.map { ($0, Answering() as any StubHandler) })
        let service = StubService(handlers: handlers)
        let dispatcher = Dispatcher(service: service)
        for (index, method) in Method.allCases.enumerated() {
            let body = sample(method)
            XCTAssertEqual(Method(body), method)
            let id = UInt64(100 + index)
            guard case .now(let response) = dispatcher.dispatch(Request(id: id, deadlineMs: 250, body: body), on: loop) else {
                XCTFail("\(method.name): expected an immediate answer"); continue
            }
            XCTAssertEqual(response.id, id, method.name)
            XCTAssertEqual(response.status, .ok, method.name)
            XCTAssertEqual(response.body?.methodName, method.name, "\(method.name) answered with another body")
            let call = try XCTUnwrap(service.calls.last, method.name)
            XCTAssertEqual(call.context.method, method)
            XCTAssertEqual(call.body, body, "\(method.name) reached its method with another request")
            XCTAssertEqual(call.context.requestID, id)
            XCTAssertEqual(call.context.deadlineMs, 250)
        }
        XCTAssertEqual(service.calls.map(\.context.method), Method.allCases, "each request reaches one method, once")
    }

    func testTypedErrorsAndLaterAnswersBecomeResponsesForTheRequest() throws {
        let dispatcher = Dispatcher(service: StubService(handlers: [.verifyToken: DelayedHandler()]))
        // Not implemented by the stub: its typed error, with the request's id.
        guard case .now(let refused) = dispatcher.dispatch(Request(id: 3, body: sample(.register)), on: loop) else {
            return XCTFail("expected an immediate answer")
        }
        XCTAssertEqual(refused, .failure(id: 3, .unimplemented, errorType: "NotImplemented",
                                         message: "register is not implemented by this test service"))
        // `.later`: the typed success, once the method's future completes.
        guard case .later(let future) = dispatcher.dispatch(Request(id: 9, body: sample(.verifyToken)), on: loop) else {
            return XCTFail("expected a later answer")
        }
        loop.advanceTime(by: .seconds(1))
        XCTAssertEqual(try future.wait(), Response(id: 9, body: .verifyToken(VerifyTokenResponse())))
    }

    func testHealthNotReadyIsAnErrorWithItsBody() throws {
        let pools = [PoolStatus(issuer: "https://issuer/x", keys: 0)]
        let dispatcher = testDispatcher(health: HealthMethod(version: "v", poolReport: { (false, pools) }))
        guard case .now(let response) = dispatcher.dispatch(Request(id: 4, body: .health(HealthRequest())), on: loop) else {
            return XCTFail("expected an immediate answer")
        }
        XCTAssertEqual(response.status, .unavailable)
        XCTAssertEqual(response.errorType, "NotReady")
        XCTAssertEqual(response.retryAfterMs, 1000)
        XCTAssertEqual(response.body, .health(HealthResponse(version: "v", uptimeSeconds: 0, pools: pools)))
    }

    func testMissingAndUnrecognizedBodiesNeverReachTheService() {
        let service = StubService()
        let dispatcher = Dispatcher(service: service)
        guard case .now(let missing) = dispatcher.dispatch(Request(id: 1), on: loop),
              case .now(let unknown) = dispatcher.dispatch(Request(id: 2, body: .unrecognized(fieldNumber: 30)), on: loop)
        else { return XCTFail("expected immediate answers") }
        XCTAssertEqual(missing.status, .invalidArgument)
        XCTAssertEqual(missing.errorType, "MissingBody")
        XCTAssertEqual(unknown.id, 2)
        XCTAssertEqual(unknown.status, .unimplemented)
        XCTAssertEqual(unknown.errorType, "UnknownMethod")
        XCTAssertTrue(service.calls.isEmpty)
    }
}
