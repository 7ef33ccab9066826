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
