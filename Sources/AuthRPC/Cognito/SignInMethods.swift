import CognitoIdentity
import Wire

// Sign-in RPCs (SPEC §4/§5).

extension AuthRPCService {
    /// authenticate → InitiateAuth USER_PASSWORD_AUTH; answers tokens or a challenge.
    public func authenticate(_ r: AuthenticateRequest, context: RequestContext) -> MethodReply<AuthenticateResponse> {
        cognito.start(context, username: r.username, violations: CognitoValidation.authenticate(r), secrets: [r.password]) { call in
            var parameters = ["USERNAME": r.username, "PASSWORD": r.password]
            parameters["SECRET_HASH"] = call.secretHash
            let input = InitiateAuthRequest(authFlow: "USER_PASSWORD_AUTH", authParameters: parameters, clientId: call.clientID)
            return await call.authenticationReply(CognitoOperations.InitiateAuth.self, input, path: .password)
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
            let input = RespondToAuthChallengeRequest(challengeName: r.challengeName, challengeResponses: responses,
                                                      clientId: call.clientID, session: r.session)
            return await call.authenticationReply(CognitoOperations.RespondToAuthChallenge.self, input, path: .challenge)
        }
    }

    /// refresh_tokens → InitiateAuth REFRESH_TOKEN_AUTH; SECRET_HASH from the request's username.
    public func refreshTokens(_ r: RefreshTokensRequest, context: RequestContext) -> MethodReply<AuthenticateResponse> {
        let violations = CognitoValidation.refreshTokens(r, secretConfigured: cognito.clientSecret != nil)
        return cognito.start(context, username: r.username, violations: violations, secrets: [r.refreshToken]) { call in
            var parameters = ["REFRESH_TOKEN": r.refreshToken]
            parameters["SECRET_HASH"] = call.secretHash
            let input = InitiateAuthRequest(authFlow: "REFRESH_TOKEN_AUTH", authParameters: parameters, clientId: call.clientID)
            return await call.authenticationReply(CognitoOperations.InitiateAuth.self, input, path: .refresh)
        }
    }

    /// sign_out → GlobalSignOut: revokes every refresh token of the user.
    public func signOut(_ r: SignOutRequest, context: RequestContext) -> MethodReply<SignOutResponse> {
        cognito.start(context, username: "", violations: CognitoValidation.signOut(r), secrets: [r.accessToken]) { call in
            switch await call.call(CognitoOperations.GlobalSignOut.self, GlobalSignOutRequest(accessToken: r.accessToken)) {
            case .success: return .success(SignOutResponse())
            case .failure(let failure): return call.failure(failure)
            }
        }
    }
}

extension CognitoCall {
    /// Calls an operation that answers `AuthenticationResult` or a challenge.
    func authenticationReply<Operation: CognitoOperation>(
        _ operation: Operation.Type, _ input: Operation.Input, path: SignInPath
    ) async -> MethodResult<AuthenticateResponse> where Operation.Output == AuthenticationResponse {
        switch await call(operation, input) {
        case .success(let answer):
            guard let reply = CognitoReplies.authenticate(answer) else {
                return unexpected(operation, "neither AuthenticationResult nor ChallengeName")
            }
            return .success(reply)
        case .failure(let failure):
            return self.failure(failure, signIn: path)
        }
    }
}
