import Wire

// Sign-in RPCs (SPEC §4/§5).

extension AuthRPCService {
    /// authenticate → InitiateAuth USER_PASSWORD_AUTH; answers tokens or a challenge.
    public func authenticate(_ r: AuthenticateRequest, context: RequestContext) -> MethodReply<AuthenticateResponse> {
        cognito.start(context, username: r.username, violations: CognitoValidation.authenticate(r), secrets: [r.password]) { call in
            var parameters = ["USERNAME": r.username, "PASSWORD": r.password]
            parameters["SECRET_HASH"] = call.secretHash
            var payload = ["ClientId": call.clientID] as [String: Any]
            payload["AuthFlow"] = "USER_PASSWORD_AUTH"
            payload["AuthParameters"] = parameters
            return await call.authenticationReply(.initiateAuth, payload, path: .password)
        }
    }

    /// respond_to_challenge → RespondToAuthChallenge (e.g. NEW_PASSWORD_REQUIRED).
    /// `USERNAME` and `SECRET_HASH` are added to the responses here.
    public func respondToChallenge(_ r: RespondToChallengeRequest,
                                   context: RequestContext) -> MethodReply<AuthenticateResponse> {
        cognito.start(context, username: r.username, violations: CognitoValidation.respondToChallenge(r),
                      secrets: [r.session] + Array(r.responses.values)) { call in
            var responses = r.responses
            responses["USERNAME"] = r.username
            responses["SECRET_HASH"] = call.secretHash
            var payload = ["ClientId": call.clientID] as [String: Any]
            payload["ChallengeName"] = r.challengeName
            payload["Session"] = r.session
            payload["ChallengeResponses"] = responses
            return await call.authenticationReply(.respondToAuthChallenge, payload, path: .challenge)
        }
    }

    /// refresh_tokens → InitiateAuth REFRESH_TOKEN_AUTH; SECRET_HASH from the request's username.
    public func refreshTokens(_ r: RefreshTokensRequest, context: RequestContext) -> MethodReply<AuthenticateResponse> {
        let violations = CognitoValidation.refreshTokens(r, secretConfigured: cognito.clientSecret != nil)
        return cognito.start(context, username: r.username, violations: violations, secrets: [r.refreshToken]) { call in
            var parameters = ["REFRESH_TOKEN": r.refreshToken]
            parameters["SECRET_HASH"] = call.secretHash
            var payload = ["ClientId": call.clientID] as [String: Any]
            payload["AuthFlow"] = "REFRESH_TOKEN_AUTH"
            payload["AuthParameters"] = parameters
            return await call.authenticationReply(.initiateAuth, payload, path: .refresh)
        }
    }

    /// sign_out → GlobalSignOut: revokes every refresh token of the user.
    public func signOut(_ r: SignOutRequest, context: RequestContext) -> MethodReply<SignOutResponse> {
        cognito.start(context, username: "", violations: CognitoValidation.signOut(r), secrets: [r.accessToken]) { call in
            switch await call.invoke(.globalSignOut, ["AccessToken": r.accessToken]) {
            case .success: return .success(SignOutResponse())
            case .failure(let failure): return call.failure(failure)
            }
        }
    }
}

extension CognitoCall {
    /// Calls an operation that answers `AuthenticationResult` or a challenge.
    func authenticationReply(_ operation: CognitoOperation, _ payload: [String: Any],
                             path: SignInPath) async -> MethodResult<AuthenticateResponse> {
        switch await invoke(operation, payload) {
        case .success(let json):
            guard let reply = CognitoReplies.authenticate(json) else {
                return unexpected(operation, "neither AuthenticationResult nor ChallengeName")
            }
            return .success(reply)
        case .failure(let failure):
            return self.failure(failure, signIn: path)
        }
    }
}
