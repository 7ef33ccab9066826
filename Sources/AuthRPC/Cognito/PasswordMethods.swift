import Wire

// Password-reset RPCs (SPEC §4/§5).

extension AuthRPCService {
    /// forgot_password → ForgotPassword.
    public func forgotPassword(_ r: ForgotPasswordRequest, context: RequestContext) -> MethodReply<ForgotPasswordResponse> {
        cognito.start(context, username: r.username, violations: CognitoValidation.forgotPassword(r), secrets: []) { call in
            switch await call.invoke(.forgotPassword, call.userPayload(username: r.username)) {
            case .success(let json):
                return .success(ForgotPasswordResponse(codeDelivery: CognitoReplies.codeDelivery(json)))
            case .failure(let failure):
                return call.failure(failure)
            }
        }
    }

    /// confirm_forgot_password → ConfirmForgotPassword.
    public func confirmForgotPassword(_ r: ConfirmForgotPasswordRequest,
                                      context: RequestContext) -> MethodReply<ConfirmForgotPasswordResponse> {
        cognito.start(context, username: r.username, violations: CognitoValidation.confirmForgotPassword(r),
                      secrets: [r.code, r.newPassword]) { call in
            var payload = call.userPayload(username: r.username)
            payload["ConfirmationCode"] = r.code
            payload["Password"] = r.newPassword
            switch await call.invoke(.confirmForgotPassword, payload) {
            case .success: return .success(ConfirmForgotPasswordResponse())
            case .failure(let failure): return call.failure(failure)
            }
        }
    }
}
