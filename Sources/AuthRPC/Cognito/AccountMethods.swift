import CognitoIdentity
import Wire

// Sign-up RPCs (SPEC §4/§5), each one Cognito operation.

extension AuthRPCService {
    /// register → SignUp.
    public func register(_ r: RegisterRequest, context: RequestContext) -> MethodReply<RegisterResponse> {
        cognito.start(context, username: r.username, violations: CognitoValidation.register(r), secrets: [r.password],
                      identifiers: [r.email] + r.attributes.values) { call in
            var attributes = r.attributes
            attributes["email"] = r.email
            let input = SignUpRequest(
                clientId: call.clientID, username: r.username, password: r.password, secretHash: call.secretHash,
                userAttributes: attributes.sorted { $0.key < $1.key }.map { AttributeType(name: $0.key, value: $0.value) })
            switch await call.call(CognitoOperations.SignUp.self, input) {
            case .success(let answer):
                guard let reply = CognitoReplies.register(answer) else {
                    return call.unexpected(CognitoOperations.SignUp.self, "no UserSub")
                }
                return .success(reply)
            case .failure(let failure):
                return call.failure(failure)
            }
        }
    }

    /// confirm_registration → ConfirmSignUp.
    public func confirmRegistration(_ r: ConfirmRegistrationRequest,
                                    context: RequestContext) -> MethodReply<ConfirmRegistrationResponse> {
        cognito.start(context, username: r.username, violations: CognitoValidation.confirmRegistration(r), secrets: [r.code]) { call in
            let input = ConfirmSignUpRequest(clientId: call.clientID, username: r.username, confirmationCode: r.code,
                                             secretHash: call.secretHash)
            switch await call.call(CognitoOperations.ConfirmSignUp.self, input) {
            case .success: return .success(ConfirmRegistrationResponse())
            case .failure(let failure): return call.failure(failure)
            }
        }
    }

    /// resend_confirmation_code → ResendConfirmationCode.
    public func resendConfirmationCode(_ r: ResendConfirmationCodeRequest,
                                       context: RequestContext) -> MethodReply<ResendConfirmationCodeResponse> {
        cognito.start(context, username: r.username, violations: CognitoValidation.resendConfirmationCode(r), secrets: []) { call in
            let input = UserCodeRequest(clientId: call.clientID, username: r.username, secretHash: call.secretHash)
            switch await call.call(CognitoOperations.ResendConfirmationCode.self, input) {
            case .success(let answer):
                return .success(ResendConfirmationCodeResponse(codeDelivery: CognitoReplies.codeDelivery(answer.codeDeliveryDetails)))
            case .failure(let failure):
                return call.failure(failure)
            }
        }
    }
}
