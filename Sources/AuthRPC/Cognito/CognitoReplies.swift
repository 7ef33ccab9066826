import CognitoIdentity
import Wire

/// Cognito's typed answers as wire messages. Only what the RPC needs is required;
/// `nil` means Cognito's answer lacked it.
enum CognitoReplies {
    static func codeDelivery(_ details: CodeDeliveryDetailsType?) -> CodeDelivery? {
        guard let details else { return nil }
        return CodeDelivery(destination: details.destination ?? "", deliveryMedium: details.deliveryMedium ?? "",
                            attributeName: details.attributeName ?? "")
    }

    /// SignUp: `UserSub` is required.
    static func register(_ answer: SignUpResponse) -> RegisterResponse? {
        guard let sub = answer.userSub, !sub.isEmpty else { return nil }
        return RegisterResponse(userSub: sub, userConfirmed: answer.userConfirmed ?? false,
                                codeDelivery: codeDelivery(answer.codeDeliveryDetails))
    }

    /// InitiateAuth / RespondToAuthChallenge: `AuthenticationResult` (tokens) or
    /// `ChallengeName` + `Session` (a further step), exactly one. A refresh answer
    /// carries no new refresh token; `refresh_token` is then empty and the caller
    /// keeps the one it has.
    static func authenticate(_ answer: AuthenticationResponse) -> AuthenticateResponse? {
        if let result = answer.authenticationResult {
            guard let access = result.accessToken, !access.isEmpty else { return nil }
            return AuthenticateResponse(tokens: Tokens(
                idToken: result.idToken ?? "", accessToken: access, refreshToken: result.refreshToken ?? "",
                expiresIn: UInt32(clamping: result.expiresIn ?? 0), tokenType: result.tokenType ?? ""))
        }
        if let name = answer.challengeName, !name.isEmpty {
            return AuthenticateResponse(challenge: Challenge(
                name: name, session: answer.session ?? "", parameters: answer.challengeParameters ?? [:]))
        }
        return nil
    }
}
