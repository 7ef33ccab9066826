/// One client-to-server frame (SPEC §4 `Request`).
public struct Request: Sendable, Equatable {
    public var id: UInt64
    /// 0 means no deadline.
    public var deadlineMs: UInt32
    /// nil when the frame carried no body at all (answered `MissingBody`).
    public var body: Body?

    public init(id: UInt64 = 0, deadlineMs: UInt32 = 0, body: Body? = nil) {
        self.id = id; self.deadlineMs = deadlineMs; self.body = body
    }

    public enum Body: Sendable, Equatable {
        case health(HealthRequest)
        case register(RegisterRequest)
        case confirmRegistration(ConfirmRegistrationRequest)
        case resendConfirmationCode(ResendConfirmationCodeRequest)
        case authenticate(AuthenticateRequest)
        case respondToChallenge(RespondToChallengeRequest)
        case refreshTokens(RefreshTokensRequest)
        case signOut(SignOutRequest)
        case forgotPassword(ForgotPasswordRequest)
        case confirmForgotPassword(ConfirmForgotPasswordRequest)
        case verifyToken(VerifyTokenRequest)
        case checkGroups(CheckGroupsRequest)
        /// A body field this build does not know: a newer client. Answered `UNIMPLEMENTED`.
        /// Encoding it writes no body.
        case unrecognized(fieldNumber: UInt32)

        /// The proto field name, used in messages and logs.
        public var methodName: String {
            switch self {
            case .health: "health"
            case .register: "register"
            case .confirmRegistration: "confirm_registration"
            case .resendConfirmationCode: "resend_confirmation_code"
            case .authenticate: "authenticate"
            case .respondToChallenge: "respond_to_challenge"
            case .refreshTokens: "refresh_tokens"
            case .signOut: "sign_out"
            case .forgotPassword: "forgot_password"
            case .confirmForgotPassword: "confirm_forgot_password"
            case .verifyToken: "verify_token"
            case .checkGroups: "check_groups"
            case .unrecognized(let n): "field \(n)"
            }
        }
    }
}

/// One server-to-client frame (SPEC §4 `Response`).
public struct Response: Sendable, Equatable {
    public var id: UInt64
    public var status: Status
    /// For people; safe to log; never echoes a password or token.
    public var message: String
    /// For programs: a Cognito exception name or a verification failure name.
    public var errorType: String
    public var retryAfterMs: UInt32
    public var body: Body?

    public init(id: UInt64, status: Status = .ok, message: String = "", errorType: String = "",
                retryAfterMs: UInt32 = 0, body: Body? = nil) {
        self.id = id; self.status = status; self.message = message; self.errorType = errorType
        self.retryAfterMs = retryAfterMs; self.body = body
    }

    /// A failed answer with no body.
    public static func failure(id: UInt64, _ status: Status, errorType: String, message: String,
                               retryAfterMs: UInt32 = 0) -> Response {
        Response(id: id, status: status, message: message, errorType: errorType, retryAfterMs: retryAfterMs)
    }

    public enum Body: Sendable, Equatable {
        case health(HealthResponse)
        case register(RegisterResponse)
        case confirmRegistration(ConfirmRegistrationResponse)
        case resendConfirmationCode(ResendConfirmationCodeResponse)
        case authenticate(AuthenticateResponse)
        case respondToChallenge(AuthenticateResponse)
        case refreshTokens(AuthenticateResponse)
        case signOut(SignOutResponse)
        case forgotPassword(ForgotPasswordResponse)
        case confirmForgotPassword(ConfirmForgotPasswordResponse)
        case verifyToken(VerifyTokenResponse)
        case checkGroups(CheckGroupsResponse)
        /// A `verify_token` answer serialized earlier (a repeat token's). On the wire it is
        /// field 20 like `.verifyToken`, and decodes as `.verifyToken`.
        case verifyTokenEncoded(EncodedVerifyTokenResponse)
    }
}

extension Response.Body {
    /// The `verify_token` answer whichever form it is in: a value, or bytes serialized
    /// earlier (decoded again here, so not for the hot path).
    public var verifyTokenAnswer: VerifyTokenResponse? {
        switch self {
        case .verifyToken(let answer): answer
        case .verifyTokenEncoded(let encoded): encoded.response
        default: nil
        }
    }
}
