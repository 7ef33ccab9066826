/// One operation of the Cognito IDP JSON API: its name (the `X-Amz-Target` suffix) and
/// the shapes it takes and answers, so a call cannot pair a request with the wrong answer.
public protocol CognitoOperation: Sendable {
    associatedtype Input: Encodable & Sendable
    associatedtype Output: Decodable & Sendable
    static var name: String { get }
}

/// The operations authrpc calls (SPEC §5).
public enum CognitoOperations {
    /// Every operation's name: a fixed set, for metric labels.
    public static let names = [SignUp.name, ConfirmSignUp.name, ResendConfirmationCode.name, InitiateAuth.name,
                               RespondToAuthChallenge.name, GlobalSignOut.name, ForgotPassword.name,
                               ConfirmForgotPassword.name]

    public enum SignUp: CognitoOperation {
        public typealias Input = SignUpRequest
        public typealias Output = SignUpResponse
        public static let name = "SignUp"
    }

    public enum ConfirmSignUp: CognitoOperation {
        public typealias Input = ConfirmSignUpRequest
        public typealias Output = EmptyResponse
        public static let name = "ConfirmSignUp"
    }

    public enum ResendConfirmationCode: CognitoOperation {
        public typealias Input = UserCodeRequest
        public typealias Output = CodeDeliveryResponse
        public static let name = "ResendConfirmationCode"
    }

    public enum InitiateAuth: CognitoOperation {
        public typealias Input = InitiateAuthRequest
        public typealias Output = AuthenticationResponse
        public static let name = "InitiateAuth"
    }

    public enum RespondToAuthChallenge: CognitoOperation {
        public typealias Input = RespondToAuthChallengeRequest
        public typealias Output = AuthenticationResponse
        public static let name = "RespondToAuthChallenge"
    }

    public enum GlobalSignOut: CognitoOperation {
        public typealias Input = GlobalSignOutRequest
        public typealias Output = EmptyResponse
        public static let name = "GlobalSignOut"
    }

    public enum ForgotPassword: CognitoOperation {
        public typealias Input = UserCodeRequest
        public typealias Output = CodeDeliveryResponse
        public static let name = "ForgotPassword"
    }

    public enum ConfirmForgotPassword: CognitoOperation {
        public typealias Input = ConfirmForgotPasswordRequest
        public typealias Output = EmptyResponse
        public static let name = "ConfirmForgotPassword"
    }
}
