import Wire

/// Reads Cognito's JSON answers into wire messages, defensively: a field of the
/// wrong type reads as absent, and only what the RPC needs is required.
enum CognitoReplies {
    /// `CodeDeliveryDetails`, or nil when Cognito sent none.
    static func codeDelivery(_ json: [String: Any]) -> CodeDelivery? {
        guard let details = json["CodeDeliveryDetails"] as? [String: Any] else { return nil }
        return CodeDelivery(destination: details["Destination"] as? String ?? "",
                            deliveryMedium: details["DeliveryMedium"] as? String ?? "",
                            attributeName: details["AttributeName"] as? String ?? "")
    }

    /// SignUp: `UserSub` is required.
    static func register(_ json: [String: Any]) -> RegisterResponse? {
        guard let sub = json["UserSub"] as? String, !sub.isEmpty else { return nil }
        return RegisterResponse(userSub: sub, userConfirmed: json["UserConfirmed"] as? Bool ?? false,
                                codeDelivery: codeDelivery(json))
    }

    /// InitiateAuth / RespondToAuthChallenge: `AuthenticationResult` (tokens) or
    /// `ChallengeName` + `Session` (a further step), exactly one. A refresh answer
    /// carries no new refresh token; `refresh_token` is then empty and the caller
    /// keeps the one it has.
    static func authenticate(_ json: [String: Any]) -> AuthenticateResponse? {
        if let result = json["AuthenticationResult"] as? [String: Any] {
            guard let access = result["AccessToken"] as? String, !access.isEmpty else { return nil }
            let expiresIn = (result["ExpiresIn"] as? Int).map { UInt32(clamping: $0) } ?? 0
            return AuthenticateResponse(tokens: Tokens(
                idToken: result["IdToken"] as? String ?? "", accessToken: access,
                refreshToken: result["RefreshToken"] as? String ?? "", expiresIn: expiresIn,
                tokenType: result["TokenType"] as? String ?? ""))
        }
        if let name = json["ChallengeName"] as? String, !name.isEmpty {
            var parameters: [String: String] = [:]
            for (key, value) in json["ChallengeParameters"] as? [String: Any] ?? [:] {
                if let text = value as? String { parameters[key] = text }
            }
            return AuthenticateResponse(challenge: Challenge(
                name: name, session: json["Session"] as? String ?? "", parameters: parameters))
        }
        return nil
    }
}
