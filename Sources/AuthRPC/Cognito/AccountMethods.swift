import NIOCore
import Wire

/// register → SignUp (SPEC §5).
struct RegisterMethod: MethodHandler {
    let client: CognitoClient

    func handle(_ request: Request, on eventLoop: any EventLoop) -> Reply {
        guard case .register(let r)? = request.body else { return client.wrongBody(request) }
        return client.start(request, on: eventLoop, username: r.username,
                            violations: CognitoValidation.register(r), secrets: [r.password]) { call in
            var attributes = r.attributes
            attributes["email"] = r.email
            var payload = call.userPayload(username: r.username)
            payload["Password"] = r.password
            payload["UserAttributes"] = attributes.sorted { $0.key < $1.key }.map { ["Name": $0.key, "Value": $0.value] }
            switch await call.invoke(.signUp, payload) {
            case .success(let json):
                guard let reply = CognitoReplies.register(json) else { return call.unexpected(.signUp, "no UserSub") }
                return call.ok(.register(reply))
            case .failure(let failure):
                return call.fail(failure)
            }
        }
    }
}

/// confirm_registration → ConfirmSignUp.
struct ConfirmRegistrationMethod: MethodHandler {
    let client: CognitoClient

    func handle(_ request: Request, on eventLoop: any EventLoop) -> Reply {
        guard case .confirmRegistration(let r)? = request.body else { return client.wrongBody(request) }
        return client.start(request, on: eventLoop, username: r.username,
                            violations: CognitoValidation.confirmRegistration(r), secrets: [r.code]) { call in
            var payload = call.userPayload(username: r.username)
            payload["ConfirmationCode"] = r.code
            switch await call.invoke(.confirmSignUp, payload) {
            case .success: return call.ok(.confirmRegistration(ConfirmRegistrationResponse()))
            case .failure(let failure): return call.fail(failure)
            }
        }
    }
}

/// resend_confirmation_code → ResendConfirmationCode.
struct ResendConfirmationCodeMethod: MethodHandler {
    let client: CognitoClient

    func handle(_ request: Request, on eventLoop: any EventLoop) -> Reply {
        guard case .resendConfirmationCode(let r)? = request.body else { return client.wrongBody(request) }
        return client.start(request, on: eventLoop, username: r.username,
                            violations: CognitoValidation.resendConfirmationCode(r), secrets: []) { call in
            switch await call.invoke(.resendConfirmationCode, call.userPayload(username: r.username)) {
            case .success(let json):
                return call.ok(.resendConfirmationCode(ResendConfirmationCodeResponse(codeDelivery: CognitoReplies.codeDelivery(json))))
            case .failure(let failure):
                return call.fail(failure)
            }
        }
    }
}
