import Wire

// Sign-up RPCs (SPEC §4/§5), each one Cognito operation.

extension AuthRPCService {
    /// register → SignUp.
    public func register(_ r: RegisterRequest, context: RequestContext) -> MethodReply<RegisterResponse> {
        cognito.start(context, username: r.username, violations: CognitoValidation.register(r), secrets: [r.password]) { call in
            var attributes = r.attributes
            attributes["email"] = r.email
            var payload = call.userPayload(username: r.username)
            payload["Password"] = r.password
            payload["UserAttributes"] = attributes.sorted { $0.key < $1.key }.map { ["Name": $0.key, "Value": $0.value] }
            switch await call.invoke(.signUp, payload) {
            case .success(let json):
                guard let reply = CognitoReplies.register(json) else { return call.unexpected(.signUp, "no UserSub") }
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
            var payload = call.userPayload(username: r.username)
            payload["ConfirmationCode"] = r.code
            switch await call.invoke(.confirmSignUp, payload) {
            case .success: return .success(ConfirmRegistrationResponse())
            case .failure(let failure): return call.failure(failure)
            }
        }
    }

    /// resend_confirmation_code → ResendConfirmationCode.
    public func resendConfirmationCode(_ r: ResendConfirmationCodeRequest,
                                       context: RequestContext) -> MethodReply<ResendConfirmationCodeResponse> {
        cognito.start(context, username: r.username, violations: CognitoValidation.resendConfirmationCode(r), secrets: []) { call in
            switch await call.invoke(.resendConfirmationCode, call.userPayload(username: r.username)) {
            case .success(let json):
                return .success(ResendConfirmationCodeResponse(codeDelivery: CognitoReplies.codeDelivery(json)))
            case .failure(let failure):
                return call.failure(failure)
            }
        }
    }
}
