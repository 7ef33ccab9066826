import Wire

/// The nine account RPCs of SPEC §4/§5, one small `MethodHandler` each, sharing
/// one `CognitoClient` (and so one concurrency limit). The lead merges this into
/// the dispatcher table:
///
///     let transport = CurlHTTPTransport()               // one per process, shared with JWKS
///     let cognito = CognitoClient(config: config, transport: transport, logger: logger)
///     var table: [Method: any MethodHandler] = [.health: health, ...]
///     table.merge(cognitoMethodHandlers(client: cognito)) { _, new in new }
///     ... at exit: transport.shutdown()
public func cognitoMethodHandlers(client: CognitoClient) -> [Method: any MethodHandler] {
    [
        .register: RegisterMethod(client: client),
        .confirmRegistration: ConfirmRegistrationMethod(client: client),
        .resendConfirmationCode: ResendConfirmationCodeMethod(client: client),
        .authenticate: AuthenticateMethod(client: client),
        .respondToChallenge: RespondToChallengeMethod(client: client),
        .refreshTokens: RefreshTokensMethod(client: client),
        .signOut: SignOutMethod(client: client),
        .forgotPassword: ForgotPasswordMethod(client: client),
        .confirmForgotPassword: ConfirmForgotPasswordMethod(client: client),
    ]
}

extension CognitoCall {
    /// `ClientId`, `Username` and the top-level `SecretHash` that SignUp, ConfirmSignUp,
    /// ResendConfirmationCode, ForgotPassword and ConfirmForgotPassword take. (InitiateAuth and
    /// RespondToAuthChallenge carry `SECRET_HASH` inside their parameter maps instead.)
    func userPayload(username: String) -> [String: Any] {
        var payload: [String: Any] = ["ClientId": clientID, "Username": username]
        if let secretHash { payload["SecretHash"] = secretHash }
        return payload
    }
}
