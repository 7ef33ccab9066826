// Plain Swift values for every message of SPEC §4. They own no C memory: the
// codec converts them to and from protobuf-c structs inside Wire only.

public struct Claims: Sendable, Equatable {
    public var sub = ""
    public var username = ""
    public var email = ""
    public var emailVerified = false
    public var groups: [String] = []
    public var tokenUse: TokenUse = .any
    public var clientID = ""
    public var scopes: [String] = []
    public var issuer = ""
    public var issuedAt: Int64 = 0
    public var expiresAt: Int64 = 0
    public var authTime: Int64 = 0
    public var jti = ""
    public var originJTI = ""
    /// The verified payload, so callers can read custom claims.
    public var payloadJSON = ""
    public init() {}
}

public struct Tokens: Sendable, Equatable {
    public var idToken = ""
    public var accessToken = ""
    public var refreshToken = ""
    public var expiresIn: UInt32 = 0
    public var tokenType = ""
    public init(idToken: String = "", accessToken: String = "", refreshToken: String = "",
                expiresIn: UInt32 = 0, tokenType: String = "") {
        self.idToken = idToken; self.accessToken = accessToken; self.refreshToken = refreshToken
        self.expiresIn = expiresIn; self.tokenType = tokenType
    }
}

public struct Challenge: Sendable, Equatable {
    public var name = ""
    public var session = ""
    public var parameters: [String: String] = [:]
    public init(name: String = "", session: String = "", parameters: [String: String] = [:]) {
        self.name = name; self.session = session; self.parameters = parameters
    }
}

public struct CodeDelivery: Sendable, Equatable {
    public var destination = ""
    public var deliveryMedium = ""
    public var attributeName = ""
    public init(destination: String = "", deliveryMedium: String = "", attributeName: String = "") {
        self.destination = destination; self.deliveryMedium = deliveryMedium; self.attributeName = attributeName
    }
}

public struct HealthRequest: Sendable, Equatable { public init() {} }

public struct PoolStatus: Sendable, Equatable {
    public var issuer = ""
    public var keys: UInt32 = 0
    public var lastRefreshUnix: Int64 = 0
    public var lastError = ""
    public init(issuer: String = "", keys: UInt32 = 0, lastRefreshUnix: Int64 = 0, lastError: String = "") {
        self.issuer = issuer; self.keys = keys; self.lastRefreshUnix = lastRefreshUnix; self.lastError = lastError
    }
}

public struct HealthResponse: Sendable, Equatable {
    public var version = ""
    public var uptimeSeconds: UInt64 = 0
    public var pools: [PoolStatus] = []
    public init(version: String = "", uptimeSeconds: UInt64 = 0, pools: [PoolStatus] = []) {
        self.version = version; self.uptimeSeconds = uptimeSeconds; self.pools = pools
    }
}

public struct RegisterRequest: Sendable, Equatable {
    public var username = ""
    public var password = ""
    public var email = ""
    public var attributes: [String: String] = [:]
    public init(username: String = "", password: String = "", email: String = "", attributes: [String: String] = [:]) {
        self.username = username; self.password = password; self.email = email; self.attributes = attributes
    }
}

public struct RegisterResponse: Sendable, Equatable {
    public var userSub = ""
    public var userConfirmed = false
    public var codeDelivery: CodeDelivery?
    public init(userSub: String = "", userConfirmed: Bool = false, codeDelivery: CodeDelivery? = nil) {
        self.userSub = userSub; self.userConfirmed = userConfirmed; self.codeDelivery = codeDelivery
    }
}

public struct ConfirmRegistrationRequest: Sendable, Equatable {
    public var username = ""
    public var code = ""
    public init(username: String = "", code: String = "") { self.username = username; self.code = code }
}

public struct ConfirmRegistrationResponse: Sendable, Equatable { public init() {} }

public struct ResendConfirmationCodeRequest: Sendable, Equatable {
    public var username = ""
    public init(username: String = "") { self.username = username }
}

public struct ResendConfirmationCodeResponse: Sendable, Equatable {
    public var codeDelivery: CodeDelivery?
    public init(codeDelivery: CodeDelivery? = nil) { self.codeDelivery = codeDelivery }
}

public struct AuthenticateRequest: Sendable, Equatable {
    public var username = ""
    public var password = ""
    public init(username: String = "", password: String = "") { self.username = username; self.password = password }
}

/// Answers authenticate, respond_to_challenge and refresh_tokens; exactly one of the two is set.
public struct AuthenticateResponse: Sendable, Equatable {
    public var tokens: Tokens?
    public var challenge: Challenge?
    public init(tokens: Tokens? = nil, challenge: Challenge? = nil) { self.tokens = tokens; self.challenge = challenge }
}

public struct RespondToChallengeRequest: Sendable, Equatable {
    public var username = ""
    public var challengeName = ""
    public var session = ""
    public var responses: [String: String] = [:]
    public init(username: String = "", challengeName: String = "", session: String = "", responses: [String: String] = [:]) {
        self.username = username; self.challengeName = challengeName; self.session = session; self.responses = responses
    }
}

public struct RefreshTokensRequest: Sendable, Equatable {
    public var refreshToken = ""
    /// Needed for SECRET_HASH when the app client has a secret.
    public var username = ""
    public init(refreshToken: String = "", username: String = "") { self.refreshToken = refreshToken; self.username = username }
}

public struct SignOutRequest: Sendable, Equatable {
    public var accessToken = ""
    public init(accessToken: String = "") { self.accessToken = accessToken }
}

public struct SignOutResponse: Sendable, Equatable { public init() {} }

public struct ForgotPasswordRequest: Sendable, Equatable {
    public var username = ""
    public init(username: String = "") { self.username = username }
}

public struct ForgotPasswordResponse: Sendable, Equatable {
    public var codeDelivery: CodeDelivery?
    public init(codeDelivery: CodeDelivery? = nil) { self.codeDelivery = codeDelivery }
}

public struct ConfirmForgotPasswordRequest: Sendable, Equatable {
    public var username = ""
    public var code = ""
    public var newPassword = ""
    public init(username: String = "", code: String = "", newPassword: String = "") {
        self.username = username; self.code = code; self.newPassword = newPassword
    }
}

public struct ConfirmForgotPasswordResponse: Sendable, Equatable { public init() {} }

public struct VerifyTokenRequest: Sendable, Equatable {
    public var token = ""
    public var tokenUse: TokenUse = .any
    public var requiredScopes: [String] = []
    public init(token: String = "", tokenUse: TokenUse = .any, requiredScopes: [String] = []) {
        self.token = token; self.tokenUse = tokenUse; self.requiredScopes = requiredScopes
    }
}

public struct VerifyTokenResponse: Sendable, Equatable {
    public var claims: Claims?
    public init(claims: Claims? = nil) { self.claims = claims }
}

public struct CheckGroupsRequest: Sendable, Equatable {
    public var token = ""
    public var tokenUse: TokenUse = .any
    public var allowedGroups: [String] = []
    public var requiredGroups: [String] = []
    public var prohibitedGroups: [String] = []
    public init(token: String = "", tokenUse: TokenUse = .any, allowedGroups: [String] = [],
                requiredGroups: [String] = [], prohibitedGroups: [String] = []) {
        self.token = token; self.tokenUse = tokenUse; self.allowedGroups = allowedGroups
        self.requiredGroups = requiredGroups; self.prohibitedGroups = prohibitedGroups
    }
}

public struct CheckGroupsResponse: Sendable, Equatable {
    public var claims: Claims?
    public var matchedGroups: [String] = []
    public init(claims: Claims? = nil, matchedGroups: [String] = []) { self.claims = claims; self.matchedGroups = matchedGroups }
}
