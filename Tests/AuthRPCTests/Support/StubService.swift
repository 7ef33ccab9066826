@testable import AuthRPC
import NIOConcurrencyHelpers
import Wire

/// What a test makes one method of `StubService` answer, whatever the method's types: it
/// is handed the typed success value the stub would answer with.
protocol StubHandler: Sendable {
    func reply<Success: Sendable>(_ context: RequestContext, success: Success) -> MethodReply<Success>
}

/// The service of tests that are about the server rather than the methods: it records
/// every call it gets (the method, its context and its typed request, as a `Request.Body`),
/// serves Health with a real `HealthMethod`, a method given a `StubHandler` with that
/// handler, and every other method `UNIMPLEMENTED` / `NotImplemented`.
final class StubService: AuthRPCServiceProtocol {
    struct Call: Sendable {
        let context: RequestContext
        let body: Request.Body
    }

    private let handlers: [Method: any StubHandler]
    private let healthMethod: HealthMethod
    private let recorded = NIOLockedValueBox<[Call]>([])

    init(handlers: [Method: any StubHandler] = [:], health: HealthMethod = HealthMethod()) {
        self.handlers = handlers
        self.healthMethod = health
    }

    var calls: [Call] { recorded.withLockedValue { $0 } }

    private func serve<Success: Sendable>(_ body: Request.Body, _ context: RequestContext,
                                          success: Success) -> MethodReply<Success> {
        recorded.withLockedValue { $0.append(Call(context: context, body: body)) }
        guard let handler = handlers[context.method] else {
            return .failure(RPCError(.unimplemented, errorType: "NotImplemented",
                                     message: "\(context.method.name) is not implemented by this test service"))
        }
        return handler.reply(context, success: success)
    }

    func health(_ request: HealthRequest, context: RequestContext) -> MethodReply<HealthResponse> {
        guard handlers[.health] != nil else {
            recorded.withLockedValue { $0.append(Call(context: context, body: .health(request))) }
            return healthMethod.answer(request)
        }
        return serve(.health(request), context, success: HealthResponse(version: "stub"))
    }

    func register(_ request: RegisterRequest, context: RequestContext) -> MethodReply<RegisterResponse> {
        serve(.register(request), context, success: RegisterResponse())
    }

    func confirmRegistration(_ request: ConfirmRegistrationRequest,
                             context: RequestContext) -> MethodReply<ConfirmRegistrationResponse> {
        serve(.confirmRegistration(request), context, success: ConfirmRegistrationResponse())
    }

    func resendConfirmationCode(_ request: ResendConfirmationCodeRequest,
                                context: RequestContext) -> MethodReply<ResendConfirmationCodeResponse> {
        serve(.resendConfirmationCode(request), context, success: ResendConfirmationCodeResponse())
    }

    func authenticate(_ request: AuthenticateRequest, context: RequestContext) -> MethodReply<AuthenticateResponse> {
        serve(.authenticate(request), context, success: AuthenticateResponse())
    }

    func respondToChallenge(_ request: RespondToChallengeRequest,
                            context: RequestContext) -> MethodReply<AuthenticateResponse> {
        serve(.respondToChallenge(request), context, success: AuthenticateResponse())
    }

    func refreshTokens(_ request: RefreshTokensRequest, context: RequestContext) -> MethodReply<AuthenticateResponse> {
        serve(.refreshTokens(request), context, success: AuthenticateResponse())
    }

    func signOut(_ request: SignOutRequest, context: RequestContext) -> MethodReply<SignOutResponse> {
        serve(.signOut(request), context, success: SignOutResponse())
    }

    func forgotPassword(_ request: ForgotPasswordRequest, context: RequestContext) -> MethodReply<ForgotPasswordResponse> {
        serve(.forgotPassword(request), context, success: ForgotPasswordResponse())
    }

    func confirmForgotPassword(_ request: ConfirmForgotPasswordRequest,
                               context: RequestContext) -> MethodReply<ConfirmForgotPasswordResponse> {
        serve(.confirmForgotPassword(request), context, success: ConfirmForgotPasswordResponse())
    }

    func verifyToken(_ request: VerifyTokenRequest, context: RequestContext) -> MethodReply<VerifyTokenAnswer> {
        serve(.verifyToken(request), context, success: .value(VerifyTokenResponse()))
    }

    func checkGroups(_ request: CheckGroupsRequest, context: RequestContext) -> MethodReply<CheckGroupsResponse> {
        serve(.checkGroups(request), context, success: CheckGroupsResponse())
    }
}
