import Wire

/// One typed method per RPC of SPEC §4: the request message in, the answer's message
/// out; a non-OK answer throws `AuthRPCStatusError`.
extension AuthRPCClient {
    public func health(timeout: Duration? = nil) async throws -> HealthResponse {
        try await typed(.health(HealthRequest()), timeout) { if case .health(let r) = $0 { r } else { nil } }
    }

    public func verifyToken(_ request: VerifyTokenRequest, timeout: Duration? = nil) async throws -> VerifyTokenResponse {
        try await typed(.verifyToken(request), timeout) { if case .verifyToken(let r) = $0 { r } else { nil } }
    }

    public func checkGroups(_ request: CheckGroupsRequest, timeout: Duration? = nil) async throws -> CheckGroupsResponse {
        try await typed(.checkGroups(request), timeout) { if case .checkGroups(let r) = $0 { r } else { nil } }
    }

    public func register(_ request: RegisterRequest, timeout: Duration? = nil) async throws -> RegisterResponse {
        try await typed(.register(request), timeout) { if case .register(let r) = $0 { r } else { nil } }
    }

    public func confirmRegistration(_ request: ConfirmRegistrationRequest,
                                    timeout: Duration? = nil) async throws -> ConfirmRegistrationResponse {
        try await typed(.confirmRegistration(request), timeout) { if case .confirmRegistration(let r) = $0 { r } else { nil } }
    }

    public func resendConfirmationCode(_ request: ResendConfirmationCodeRequest,
                                       timeout: Duration? = nil) async throws -> ResendConfirmationCodeResponse {
        try await typed(.resendConfirmationCode(request), timeout) {
            if case .resendConfirmationCode(let r) = $0 { r } else { nil }
        }
    }

    public func authenticate(_ request: AuthenticateRequest, timeout: Duration? = nil) async throws -> AuthenticateResponse {
        try await typed(.authenticate(request), timeout) { if case .authenticate(let r) = $0 { r } else { nil } }
    }

    public func respondToChallenge(_ request: RespondToChallengeRequest,
                                   timeout: Duration? = nil) async throws -> AuthenticateResponse {
        try await typed(.respondToChallenge(request), timeout) { if case .respondToChallenge(let r) = $0 { r } else { nil } }
    }

    public func refreshTokens(_ request: RefreshTokensRequest, timeout: Duration? = nil) async throws -> AuthenticateResponse {
        try await typed(.refreshTokens(request), timeout) { if case .refreshTokens(let r) = $0 { r } else { nil } }
    }

    public func signOut(_ request: SignOutRequest, timeout: Duration? = nil) async throws -> SignOutResponse {
        try await typed(.signOut(request), timeout) { if case .signOut(let r) = $0 { r } else { nil } }
    }

    public func forgotPassword(_ request: ForgotPasswordRequest, timeout: Duration? = nil) async throws -> ForgotPasswordResponse {
        try await typed(.forgotPassword(request), timeout) { if case .forgotPassword(let r) = $0 { r } else { nil } }
    }

    public func confirmForgotPassword(_ request: ConfirmForgotPasswordRequest,
                                      timeout: Duration? = nil) async throws -> ConfirmForgotPasswordResponse {
        try await typed(.confirmForgotPassword(request), timeout) {
            if case .confirmForgotPassword(let r) = $0 { r } else { nil }
        }
    }

    /// The answer's body of the kind asked for; an OK answer without it is malformed.
    private func typed<Answer>(_ body: Request.Body, _ timeout: Duration?,
                               _ pick: (Response.Body) -> Answer?) async throws -> Answer {
        guard let answer = try await call(body, timeout: timeout), let typed = pick(answer) else {
            throw AuthRPCClientError.malformedResponse
        }
        return typed
    }
}
