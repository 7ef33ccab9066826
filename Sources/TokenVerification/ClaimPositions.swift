/// A verified token's answer claims (SPEC §4 `Claims`) where they lie: in the verified
/// payload's bytes, or — for a string the JSON spelled with escapes — in its unescaped
/// value. What a serializer needs to write the answer straight into wire format without
/// a `String` per claim (the service's `EncodedVerifyTokenResponse.init(claims:)`); the
/// core itself knows no wire format.
///
/// Valid only during the call it is handed to (`VerifiedToken.Preparation`,
/// `VerifiedToken.withClaimPositions`): it points into the payload's storage.
///
/// The values are those of `VerifiedClaims`, field for field: `username` from `username`
/// or `cognito:username` by token kind, `client_id` the accepted client, `issuer` the
/// configured string, scopes split on spaces, absent numbers 0.
public struct ClaimPositions {
    /// String claims of the answer.
    public enum Text: Sendable {
        case subject, username, email, clientID, issuer, jti, originJTI
        /// The whole verified payload, exactly as signed.
        case payloadJSON
    }

    /// Repeated string claims of the answer.
    public enum List: Sendable {
        /// `cognito:groups`, in token order.
        case groups
        /// `scope`, split on spaces, empty pieces dropped.
        case scopes
    }

    private let claims: TokenClaims
    private let payload: UnsafeRawBufferPointer
    private let issuer: String
    private let audience: String?

    init(_ claims: TokenClaims, payload: UnsafeRawBufferPointer, issuer: String, audience: String?) {
        self.claims = claims
        self.payload = payload
        self.issuer = issuer
        self.audience = audience
    }

    public var emailVerified: Bool { claims.emailVerified }
    public var tokenUse: TokenKind? { claims.tokenUse }
    public var issuedAt: Int64 { claims.issuedAt ?? 0 }
    public var expiresAt: Int64 { claims.expiresAt ?? 0 }
    public var authTime: Int64 { claims.authTime ?? 0 }

    /// The same claims as Swift values, for an answer made from `VerifiedClaims` (a
    /// `Preparation` that does not write wire format); makes every String.
    public var verifiedClaims: VerifiedClaims {
        VerifiedToken.makeClaims(claims, payload: payload, issuer: issuer,
                                 audience: audience)
    }

    /// Calls `body` with a string claim's UTF-8 bytes (empty when absent).
    public func withBytes<R>(of text: Text, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let claim: ClaimText?
        switch text {
        case .subject: claim = claims.subject
        // Access tokens name the user in `username`, id tokens in `cognito:username`.
        case .username: claim = claims.tokenUse == .access ? claims.username ?? claims.cognitoUsername
                                                          : claims.cognitoUsername ?? claims.username
        case .email: claim = claims.email
        case .jti: claim = claims.jti
        case .originJTI: claim = claims.originJTI
        case .payloadJSON: return body(payload)
        case .clientID: return Self.withBytes(of: audience ?? "", body)
        case .issuer: return Self.withBytes(of: issuer, body)
        }
        guard let claim else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return claim.withBytes(in: payload, body)
    }

    /// Calls `body` with each element's UTF-8 bytes, in order.
    public func forEach(in list: List, _ body: (UnsafeRawBufferPointer) -> Void) {
        switch list {
        case .groups:
            guard let span = claims.groupsArray else { return }
            let array = UnsafeRawBufferPointer(rebasing: payload[span])
            var reader = JSONReader(array)
            // Validated (strings only) when the payload was parsed; a failure here cannot happen.
            try? reader.readArray { element throws(JSONReader.Malformed) in
                let text = try element.readText()
                if var unescaped = text.unescaped {
                    unescaped.withUTF8 { body(UnsafeRawBufferPointer($0)) }
                } else {
                    body(UnsafeRawBufferPointer(rebasing: array[text.start..<(text.start + text.count)]))
                }
            }
        case .scopes:
            claims.scope?.forEachWord(in: payload) { word in
                body(word)
                return true
            }
        }
    }

    private static func withBytes<R>(of string: String, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        var string = string
        return string.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }
}
