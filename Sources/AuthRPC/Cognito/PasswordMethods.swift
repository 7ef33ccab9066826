import NIOCore
import Wire

/// forgot_password → ForgotPassword.
struct ForgotPasswordMethod: MethodHandler {
    let client: CognitoClient

    func handle(_ request: Request, on eventLoop: any EventLoop) -> Reply {
        guard case .forgotPassword(let r)? = request.body else { return client.wrongBody(request) }
        return client.start(request, on: eventLoop, username: r.username,
                            violations: CognitoValidation.forgotPassword(r), secrets: []) { call in
            switch await call.invoke(.forgotPassword, call.userPayload(username: r.username)) {
            case .success(let json):
                return call.ok(.forgotPassword(ForgotPasswordResponse(codeDelivery: CognitoReplies.codeDelivery(json))))
            case .failure(let failure):
                return call.fail(failure)
            }
        }
    }
}

/// confirm_forgot_password → ConfirmForgotPassword.
struct ConfirmForgotPasswordMethod: MethodHandler {
    let client: CognitoClient

    func handle(_ request: Request, on eventLoop: any EventLoop) -> Reply {
        guard case .confirmForgotPassword(let r)? = request.body else { return client.wrongBody(request) }
        return client.start(request, on: eventLoop, username: r.username,
                            violations: CognitoValidation.confirmForgotPassword(r), secrets: [r.code, r.newPassword]) { call in
            var payload = call.userPayload(username: r.username)
            payload["ConfirmationCode"] = r.code
            payload["Password"] = r.newPassword
            switch await call.invoke(.confirmForgotPassword, payload) {
            case .success: return call.ok(.confirmForgotPassword(ConfirmForgotPasswordResponse()))
            case .failure(let failure): return call.fail(failure)
            }
        }
    }
}
