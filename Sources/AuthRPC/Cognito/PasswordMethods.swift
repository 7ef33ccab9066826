import CognitoIdentity
import Wire

// Password-reset RPCs (SPEC §4/§5).

extension AuthRPCService {
    /// forgot_password → ForgotPassword.
    public func forgotPassword(_ r: ForgotPasswordRequest, context: RequestContext) -> MethodReply<ForgotPasswordResponse> {
        cognito.start(context, username: r.username, violations: CognitoValidation.forgotPassword(r), secrets: []) { call in
            let input = UserCodeRequest(clientId: call.clientID, username: r.username, secretHash: call.secretHash)
            switch await call.call(CognitoOperations.ForgotPassword.self, input) {
            case .success(let answer):
                return .success(ForgotPasswordResponse(codeDelivery: CognitoReplies.codeDelivery(answer.codeDeliveryDetails)))
            case .failure(let failure):
                return call.failure(failure)
            }
        }
    }

    /// confirm_forgot_password → ConfirmForgotPassword.
    public func confirmForgotPassword(_ r: Wire.ConfirmForgotPasswordRequest,
                                      context: RequestContext) -> MethodReply<ConfirmForgotPasswordResponse> {
        cognito.start(context, username: r.username, violations: CognitoValidation.confirmForgotPassword(r),
                      secrets: [r.code, r.newPassword]) { call in
            let input = CognitoIdentity.ConfirmForgotPasswordRequest(
                clientId: call.clientID, username: r.username, confirmationCode: r.code, password: r.newPassword,
                secretHash: call.secretHash)
            switch await call.call(CognitoOperations.ConfirmForgotPassword.self, input) {
            case .success: return .success(ConfirmForgotPasswordResponse())
            case .failure(let failure): return call.failure(failure)
            }
        }
    }
}
