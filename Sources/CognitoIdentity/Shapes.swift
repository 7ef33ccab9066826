// The request and response shapes of the Cognito Identity Provider JSON API operations
// authrpc calls (SPEC §5), named and keyed as AWS's API reference (and Soto's
// CognitoIdentityProvider) name them. None needs AWS credentials.
//
// Responses are read leniently where AWS's model says a field may be absent: every
// response field is optional here, and the service decides which it needs.

public struct AttributeType: Codable, Sendable, Equatable {
    public var name: String
    public var value: String?

    public init(name: String, value: String?) { self.name = name; self.value = value }

    enum CodingKeys: String, CodingKey { case name = "Name", value = "Value" }
}

public struct CodeDeliveryDetailsType: Codable, Sendable, Equatable {
    public var attributeName: String?
    public var deliveryMedium: String?
    public var destination: String?

    enum CodingKeys: String, CodingKey {
        case attributeName = "AttributeName", deliveryMedium = "DeliveryMedium", destination = "Destination"
    }
}

public struct AuthenticationResultType: Codable, Sendable, Equatable {
    public var accessToken: String?
    public var expiresIn: Int?
    public var idToken: String?
    public var refreshToken: String?
    public var tokenType: String?

    enum CodingKeys: String, CodingKey {
        case accessToken = "AccessToken", expiresIn = "ExpiresIn", idToken = "IdToken", refreshToken = "RefreshToken"
        case tokenType = "TokenType"
    }
}

// MARK: SignUp

public struct SignUpRequest: Encodable, Sendable {
    public var clientId: String
    public var password: String
    public var secretHash: String?
    public var userAttributes: [AttributeType]
    public var username: String

    public init(clientId: String, username: String, password: String, secretHash: String?,
                userAttributes: [AttributeType]) {
        self.clientId = clientId; self.username = username; self.password = password
        self.secretHash = secretHash; self.userAttributes = userAttributes
    }

    enum CodingKeys: String, CodingKey {
        case clientId = "ClientId", password = "Password", secretHash = "SecretHash"
        case userAttributes = "UserAttributes", username = "Username"
    }
}

public struct SignUpResponse: Decodable, Sendable {
    public var codeDeliveryDetails: CodeDeliveryDetailsType?
    public var userConfirmed: Bool?
    public var userSub: String?

    enum CodingKeys: String, CodingKey {
        case codeDeliveryDetails = "CodeDeliveryDetails", userConfirmed = "UserConfirmed", userSub = "UserSub"
    }
}

// MARK: ConfirmSignUp

public struct ConfirmSignUpRequest: Encodable, Sendable {
    public var clientId: String
    public var confirmationCode: String
    public var secretHash: String?
    public var username: String

    public init(clientId: String, username: String, confirmationCode: String, secretHash: String?) {
        self.clientId = clientId; self.username = username; self.confirmationCode = confirmationCode
        self.secretHash = secretHash
    }

    enum CodingKeys: String, CodingKey {
        case clientId = "ClientId", confirmationCode = "ConfirmationCode", secretHash = "SecretHash", username = "Username"
    }
}

/// An operation that answers an empty object.
public struct EmptyResponse: Decodable, Sendable {}

// MARK: ResendConfirmationCode and ForgotPassword

/// ResendConfirmationCode's and ForgotPassword's request: the user, and the client.
public struct UserCodeRequest: Encodable, Sendable {
    public var clientId: String
    public var secretHash: String?
    public var username: String

    public init(clientId: String, username: String, secretHash: String?) {
        self.clientId = clientId; self.username = username; self.secretHash = secretHash
    }

    enum CodingKeys: String, CodingKey { case clientId = "ClientId", secretHash = "SecretHash", username = "Username" }
}

/// ResendConfirmationCode's and ForgotPassword's answer: where the code went.
public struct CodeDeliveryResponse: Decodable, Sendable {
    public var codeDeliveryDetails: CodeDeliveryDetailsType?

    enum CodingKeys: String, CodingKey { case codeDeliveryDetails = "CodeDeliveryDetails" }
}

// MARK: ConfirmForgotPassword

public struct ConfirmForgotPasswordRequest: Encodable, Sendable {
    public var clientId: String
    public var confirmationCode: String
    public var password: String
    public var secretHash: String?
    public var username: String

    public init(clientId: String, username: String, confirmationCode: String, password: String, secretHash: String?) {
        self.clientId = clientId; self.username = username; self.confirmationCode = confirmationCode
        self.password = password; self.secretHash = secretHash
    }

    enum CodingKeys: String, CodingKey {
        case clientId = "ClientId", confirmationCode = "ConfirmationCode", password = "Password"
        case secretHash = "SecretHash", username = "Username"
    }
}

// MARK: InitiateAuth and RespondToAuthChallenge

public struct InitiateAuthRequest: Encodable, Sendable {
    public var authFlow: String
    public var authParameters: [String: String]
    public var clientId: String

    public init(authFlow: String, authParameters: [String: String], clientId: String) {
        self.authFlow = authFlow; self.authParameters = authParameters; self.clientId = clientId
    }

    enum CodingKeys: String, CodingKey { case authFlow = "AuthFlow", authParameters = "AuthParameters", clientId = "ClientId" }
}

public struct RespondToAuthChallengeRequest: Encodable, Sendable {
    public var challengeName: String
    public var challengeResponses: [String: String]
    public var clientId: String
    public var session: String

    public init(challengeName: String, challengeResponses: [String: String], clientId: String, session: String) {
        self.challengeName = challengeName; self.challengeResponses = challengeResponses
        self.clientId = clientId; self.session = session
    }

    enum CodingKeys: String, CodingKey {
        case challengeName = "ChallengeName", challengeResponses = "ChallengeResponses", clientId = "ClientId"
        case session = "Session"
    }
}

/// InitiateAuth's and RespondToAuthChallenge's answer: tokens, or a further challenge.
public struct AuthenticationResponse: Decodable, Sendable {
    public var authenticationResult: AuthenticationResultType?
    public var challengeName: String?
    public var challengeParameters: [String: String]?
    public var session: String?

    enum CodingKeys: String, CodingKey {
        case authenticationResult = "AuthenticationResult", challengeName = "ChallengeName"
        case challengeParameters = "ChallengeParameters", session = "Session"
    }
}

// MARK: GlobalSignOut

public struct GlobalSignOutRequest: Encodable, Sendable {
    public var accessToken: String

    public init(accessToken: String) { self.accessToken = accessToken }

    enum CodingKeys: String, CodingKey { case accessToken = "AccessToken" }
}
