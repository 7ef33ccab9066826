import NIOCore
import Wire

/// authenticate → InitiateAuth USER_PASSWORD_AUTH; answers tokens or a challenge.
struct AuthenticateMethod: MethodHandler {
    let client: CognitoClient

    func handle(_ request: Request, on eventLoop: any EventLoop) -> Reply {
        guard case .authenticate(let r)? = request.body else { return client.wrongBody(request) }
        return client.start(request, on: eventLoop, username: r.username,
                            violations: CognitoValidation.authenticate(r), secrets: [r.password]) { call in
            var parameters = ["USERNAME": r.username, "PASSWORD": r.password]
            parameters["SECRET_HASH"] = call.secretHash
            var payload = ["ClientId": call.clientID] as [String: Any]
            payload["AuthFlow"] = "USER_PASSWORD_AUTH"
            payload["AuthParameters"] = parameters
            return await call.authenticationReply(.initiateAuth, payload, path: .password) { .authenticate($0) }
        }
    }
}

/// respond_to_challenge → RespondToAuthChallenge (e.g. NEW_PASSWORD_REQUIRED).
/// `USERNAME` and `SECRET_HASH` are added to the responses here.
struct RespondToChallengeMethod: MethodHandler {
    let client: CognitoClient

    func handle(_ request: Request, on eventLoop: any EventLoop) -> Reply {
        guard case .respondToChallenge(let r)? = request.body else { return client.wrongBody(request) }
        return client.start(request, on: eventLoop, username: r.username,
                            violations: CognitoValidation.respondToChallenge(r),
                            secrets: [r.session] + Array(r.responses.values)) { call in
            var responses = r.responses
            responses["USERNAME"] = r.username
            responses["SECRET_HASH"] = call.secretHash
            var payload = ["ClientId": call.clientID] as [String: Any]
            payload["ChallengeName"] = r.challengeName
            payload["Session"] = r.session
            payload["ChallengeResponses"] = responses
            return await call.authenticationReply(.respondToAuthChallenge, payload, path: .challenge) { .respondToChallenge($0) }
        }
    }
}

/// refresh_tokens → InitiateAuth REFRESH_TOKEN_AUTH; SECRET_HASH from the request's username.
struct RefreshTokensMethod: MethodHandler {
    let client: CognitoClient

    func handle(_ request: Request, on eventLoop: any EventLoop) -> Reply {
        guard case .refreshTokens(let r)? = request.body else { return client.wrongBody(request) }
        let violations = CognitoValidation.refreshTokens(r, secretConfigured: client.clientSecret != nil)
        return client.start(request, on: eventLoop, username: r.username,
                            violations: violations, secrets: [r.refreshToken]) { call in
            var parameters = ["REFRESH_TOKEN": r.refreshToken]
            parameters["SECRET_HASH"] = call.secretHash
            var payload = ["ClientId": call.clientID] as [String: Any]
            payload["AuthFlow"] = "REFRESH_TOKEN_AUTH"
            payload["AuthParameters"] = parameters
            return await call.authenticationReply(.initiateAuth, payload, path: .refresh) { .refreshTokens($0) }
        }
    }
}

/// sign_out → GlobalSignOut: revokes every refresh token of the user.
struct SignOutMethod: MethodHandler {
    let client: CognitoClient

    func handle(_ request: Request, on eventLoop: any EventLoop) -> Reply {
        guard case .signOut(let r)? = request.body else { return client.wrongBody(request) }
        return client.start(request, on: eventLoop, username: "",
                            violations: CognitoValidation.signOut(r), secrets: [r.accessToken]) { call in
            switch await call.invoke(.globalSignOut, ["AccessToken": r.accessToken]) {
            case .success: return call.ok(.signOut(SignOutResponse()))
            case .failure(let failure): return call.fail(failure)
            }
        }
    }
}

extension CognitoCall {
    /// Calls an operation that answers `AuthenticationResult` or a challenge.
    func authenticationReply(_ operation: CognitoOperation, _ payload: [String: Any], path: SignInPath,
                             _ body: (AuthenticateResponse) -> Response.Body) async -> Response {
        switch await invoke(operation, payload) {
        case .success(let json):
            guard let reply = CognitoReplies.authenticate(json) else {
                return unexpected(operation, "neither AuthenticationResult nor ChallengeName")
            }
            return ok(body(reply))
        case .failure(let failure):
            return fail(failure, signIn: path)
        }
    }
}
