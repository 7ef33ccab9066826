import Wire

/// The RPCs of SPEC §4, as a dense index so dispatch is an array lookup.
public enum Method: Int, CaseIterable, Sendable {
    case health, register, confirmRegistration, resendConfirmationCode, authenticate,
         respondToChallenge, refreshTokens, signOut, forgotPassword, confirmForgotPassword,
         verifyToken, checkGroups

    /// nil for a body this build does not know.
    public init?(_ body: Request.Body) {
        switch body {
        case .health: self = .health
        case .register: self = .register
        case .confirmRegistration: self = .confirmRegistration
        case .resendConfirmationCode: self = .resendConfirmationCode
        case .authenticate: self = .authenticate
        case .respondToChallenge: self = .respondToChallenge
        case .refreshTokens: self = .refreshTokens
        case .signOut: self = .signOut
        case .forgotPassword: self = .forgotPassword
        case .confirmForgotPassword: self = .confirmForgotPassword
        case .verifyToken: self = .verifyToken
        case .checkGroups: self = .checkGroups
        case .unrecognized: return nil
        }
    }
}
