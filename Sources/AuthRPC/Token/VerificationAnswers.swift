import TokenVerification
public import Wire

/// How the verification core's results become answers on the wire (SPEC §4, §6).

extension VerificationError {
    /// SPEC §6: verification failures are UNAUTHENTICATED except a missing scope and a
    /// failed group rule (the caller is known but not allowed); no rules at all is the
    /// caller's mistake.
    public var status: Status {
        switch kind {
        case .missingScope, .groupCheckFailed: .permissionDenied
        case .noGroupRules: .invalidArgument
        default: .unauthenticated
        }
    }

    /// The method's error: status, `error_type` and message of the answer.
    public var rpcError: RPCError { RPCError(status, errorType: errorType, message: message) }
}

extension Claims {
    public init(_ verified: VerifiedClaims) {
        self.init()
        sub = verified.subject
        username = verified.username
        email = verified.email
        emailVerified = verified.emailVerified
        groups = verified.groups
        tokenUse = TokenUse(verified.tokenUse)
        clientID = verified.clientID
        scopes = verified.scopes
        issuer = verified.issuer
        issuedAt = verified.issuedAt
        expiresAt = verified.expiresAt
        authTime = verified.authTime
        jti = verified.jti
        originJTI = verified.originJTI
        payloadJSON = verified.payloadJSON
    }
}

extension VerifiedClaims {
    init(_ claims: Claims) {
        self.init()
        subject = claims.sub
        username = claims.username
        email = claims.email
        emailVerified = claims.emailVerified
        groups = claims.groups
        tokenUse = claims.tokenUse.kind
        clientID = claims.clientID
        scopes = claims.scopes
        issuer = claims.issuer
        issuedAt = claims.issuedAt
        expiresAt = claims.expiresAt
        authTime = claims.authTime
        jti = claims.jti
        originJTI = claims.originJTI
        payloadJSON = claims.payloadJSON
    }
}

extension PoolStatus {
    init(_ status: PoolKeyStatus) {
        self.init(issuer: status.issuer, keys: UInt32(clamping: status.keys), lastRefreshUnix: status.lastRefreshUnix,
                  lastError: status.lastError)
    }
}

extension TokenUse {
    init(_ kind: TokenKind?) {
        switch kind {
        case .id: self = .id
        case .access: self = .access
        case nil: self = .any
        }
    }

    /// What the verifier is asked for: nil is either kind.
    var kind: TokenKind? {
        switch self {
        case .id: .id
        case .access: .access
        default: nil
        }
    }
}

/// VerifyToken's answer serialized once, kept with the verified token for its repeats.
/// Written straight from the payload's bytes (`ClaimsAnswerSource`): no claim Strings and
/// no protobuf-c struct for a new token, the same bytes protobuf-c would pack.
final class EncodedVerifyTokenAnswer: PreparedAnswer {
    let encoded: EncodedVerifyTokenResponse

    init?(_ claims: ClaimPositions) {
        guard let encoded = try? EncodedVerifyTokenResponse(claims: ClaimsAnswerSource(claims: claims)) else { return nil }
        self.encoded = encoded
    }

    var byteCount: Int { encoded.byteCount }

    var claims: VerifiedClaims { VerifiedClaims(encoded.response?.claims ?? Claims()) }

    /// For `TokenVerifier.verify(prepare:)`.
    static let prepare: VerifiedToken.Preparation = { EncodedVerifyTokenAnswer($0) }

    /// `answer` when it is one of these. A type compare rather than `as?`: this runs for
    /// every repeat of a token, where a dynamic cast would cost a fifth of a cache hit.
    static func from(_ answer: any PreparedAnswer) -> EncodedVerifyTokenAnswer? {
        guard ObjectIdentifier(type(of: answer)) == ObjectIdentifier(EncodedVerifyTokenAnswer.self) else { return nil }
        return unsafeDowncast(answer, to: EncodedVerifyTokenAnswer.self)
    }
}

extension VerifiedToken {
    /// VerifyToken's preparation: the answer serialized once, kept for the token's repeats.
    public static let prepareEncodedAnswer: Preparation = EncodedVerifyTokenAnswer.prepare
}
