/// What a Cognito token is for (`token_use`, SPEC §6 step 7).
public enum TokenKind: Sendable, Equatable {
    case id
    case access
}

/// The claims of a verified token, as the service answers them (SPEC §4 `Claims`), in
/// plain Swift: the service turns them into its wire message.
public struct VerifiedClaims: Sendable, Equatable {
    public var subject = ""
    /// `username` for access tokens, `cognito:username` for id tokens (either as fallback).
    public var username = ""
    public var email = ""
    public var emailVerified = false
    public var groups: [String] = []
    public var tokenUse: TokenKind?
    /// The accepted app client the token names (`client_id` or `aud`).
    public var clientID = ""
    public var scopes: [String] = []
    public var issuer = ""
    public var issuedAt: Int64 = 0
    public var expiresAt: Int64 = 0
    public var authTime: Int64 = 0
    public var jti = ""
    public var originJTI = ""
    /// The verified payload, exactly as signed.
    public var payloadJSON = ""

    public init() {}
}

/// An answer the service prepared from a verified token once, to send as is for every
/// repeat of the token (for VerifyToken: the answer serialized once). The verified-token
/// cache keeps it with the token; the core only needs its size and, since the token then
/// drops its own copy of the payload, the claims back from it.
public protocol PreparedAnswer: AnyObject, Sendable {
    /// Bytes it holds, for the cache's memory bound.
    var byteCount: Int { get }
    /// The claims it was made from.
    var claims: VerifiedClaims { get }
}
